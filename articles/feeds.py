from __future__ import annotations

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Category

FEED_SIZE = 20


class LatestArticlesFeed(Feed):
    """RSS 2.0 of the newest published articles. Links use SITE_URL, as everywhere else."""

    description = _("The latest articles on careers, applications, salary and further training.")

    def title(self, obj=None):
        return f"{obj.name} – {settings.SITE_NAME}" if obj else settings.SITE_NAME

    def link(self, obj=None):
        return settings.SITE_URL + (obj.get_absolute_url() if obj else "/")

    def items(self, obj=None):
        articles = Article.objects.published().select_related("category")
        if obj is not None:
            articles = articles.filter(category=obj)
        return articles.prefetch_related("authors").order_by("-published_at", "-id")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.teaser

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.authors.all()) or None

    def item_categories(self, item):
        return [item.category.name]


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = Atom1Feed
    subtitle = LatestArticlesFeed.description


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        return get_object_or_404(Category, slug=slug)
