from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from articles.models import Article, Author, Category


class SiteUrlSitemap(Sitemap):
    """Absolute URLs from SITE_URL (like feeds and canonical links), not the Sites table."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ArticleSitemap(SiteUrlSitemap):
    changefreq = "weekly"
    # Pages of 1,000 URLs (about 150 KB) instead of one file that grows with the archive.
    limit = 1000

    def items(self):
        return Article.objects.published().only("slug", "updated_at").order_by("-published_at")

    def lastmod(self, item):
        return item.updated_at


class CategorySitemap(SiteUrlSitemap):
    changefreq = "daily"

    def items(self):
        return Category.objects.only("slug")


class AuthorSitemap(SiteUrlSitemap):
    changefreq = "weekly"

    def items(self):
        return Author.objects.filter(articles__in=Article.objects.published()).distinct()


SITEMAPS = {"articles": ArticleSitemap, "categories": CategorySitemap, "authors": AuthorSitemap}
