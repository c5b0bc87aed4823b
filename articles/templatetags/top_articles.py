from __future__ import annotations

from django import template
from django.conf import settings
from django.core.cache import cache

from articles import counting
from karriere.pagecache import content_version

register = template.Library()


@register.inclusion_tag("articles/_top_articles.html")
def top_articles(limit: int = 5):
    """The "Top-Artikel" box: most read of the last VIEW_COUNT_TOP_DAYS days and of all time.

    Cached for VIEW_COUNT_TOP_CACHE_SECONDS; keyed by the content version, so an article that
    is unpublished or retitled leaves the box at once while new views may wait a few minutes.
    """
    key = f"articles:top-articles:{content_version()}:{limit}"
    top_lists = cache.get(key)
    if top_lists is None:
        top_lists = counting.most_read(limit=limit)
        cache.set(key, top_lists, settings.VIEW_COUNT_TOP_CACHE_SECONDS)
    return {"top_lists": top_lists}
