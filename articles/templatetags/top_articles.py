from __future__ import annotations

from django import template
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

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
    lists = cache.get(key)
    if lists is None:
        lists = counting.most_read(days=settings.VIEW_COUNT_TOP_DAYS, limit=limit)
        cache.set(key, lists, settings.VIEW_COUNT_TOP_CACHE_SECONDS)
    recent, all_time = lists
    recent_heading = ngettext(
        "Last %(days)s day", "Last %(days)s days", settings.VIEW_COUNT_TOP_DAYS
    ) % {"days": settings.VIEW_COUNT_TOP_DAYS}
    return {
        "top_lists": [
            (recent_heading, [(article, article.recent_views) for article in recent]),
            (_("All time"), [(article, article.view_count) for article in all_time]),
        ]
    }
