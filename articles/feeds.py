from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext_lazy as _

from articles.invalidation import key
from articles.models import Article, Category
from karriere.dependencies import shown

FEED_SIZE = 20
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
MEDIA_NS = "http://search.yahoo.com/mrss/"
# Site-relative links and images in the body (CKEditor uploads are /media/...): feed readers
# show the content on another site, so they get absolute URLs.
_RELATIVE_URL = re.compile(r'(\s(?:href|src)=")/(?!/)')


def _add_media(handler, item) -> None:
    if image := item.get("image"):
        attributes = {"url": image["url"], "medium": "image", "type": "image/jpeg"}
        attributes.update(width=str(image["width"]), height=str(image["height"]))
        handler.addQuickElement("media:content", "", attributes)


class ArticleRssFeed(Rss201rev2Feed):
    """RSS 2.0 with the full article (content:encoded) and the hero image (media:content)."""

    def rss_attributes(self):
        return {**super().rss_attributes(), "xmlns:content": CONTENT_NS, "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content:encoded", item["content_html"])
        _add_media(handler, item)


class ArticleAtomFeed(Atom1Feed):
    """Atom with the full article (content) and the hero image (media:content)."""

    def root_attributes(self):
        return {**super().root_attributes(), "xmlns:media": MEDIA_NS}

    def add_item_elements(self, handler, item):
        super().add_item_elements(handler, item)
        handler.addQuickElement("content", item["content_html"], {"type": "html"})
        _add_media(handler, item)


class LatestArticlesFeed(Feed):
    """RSS 2.0 of the newest published articles. Links use SITE_URL, as everywhere else."""

    feed_type = ArticleRssFeed
    description = _("The latest articles on careers, applications, salary and further training.")

    def title(self, obj=None):
        return f"{obj.name} – {settings.SITE_NAME}" if obj else settings.SITE_NAME

    def link(self, obj=None):
        return settings.SITE_URL + (obj.get_absolute_url() if obj else "/")

    def feed_url(self, obj=None):
        # The rel="self" link; without this Django takes the host from the Sites table.
        return settings.SITE_URL + reverse("articles:feed")

    def items(self, obj=None):
        articles = Article.objects.published().for_listing()
        if obj is not None:
            articles = articles.filter(category=obj)
        return articles.order_by("-published_at", "-id")[:FEED_SIZE]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.teaser

    def item_link(self, item):
        return settings.SITE_URL + item.get_absolute_url()

    # The id stays when the slug (and so the link) changes, so feed readers do not show the
    # article again as new; a tag: URI (RFC 4151) is no address anyone could open.
    item_guid_is_permalink = False

    def item_guid(self, item):
        host = urlsplit(settings.SITE_URL).hostname
        return f"tag:{host},{item.created_at:%Y-%m-%d}:artikel:{item.pk}"

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_author_name(self, item):
        return ", ".join(author.name for author in item.authors.all()) or None

    def item_categories(self, item):
        return [item.category.name]

    def item_extra_kwargs(self, item):
        image = item.hero_rendition_for_sharing()
        if image:
            image["url"] = settings.SITE_URL + image["url"]
        content = _RELATIVE_URL.sub(rf"\1{settings.SITE_URL}/", item.body)
        return {"content_html": content, "image": image}


class LatestArticlesAtomFeed(LatestArticlesFeed):
    feed_type = ArticleAtomFeed
    subtitle = LatestArticlesFeed.description

    def feed_url(self, obj=None):
        return settings.SITE_URL + reverse("articles:atom_feed")


class CategoryFeed(LatestArticlesFeed):
    def get_object(self, request, slug):
        category = get_object_or_404(Category, slug=slug)
        shown(request, key(category))
        return category

    def feed_url(self, obj=None):
        return settings.SITE_URL + reverse("articles:category_feed", args=[obj.slug])
