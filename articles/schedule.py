"""When readers must next see something else without anyone saving: a scheduled article goes
live, an image licence ends. Pages (``karriere.pagecache``) and fragments (``karriere.fragments``)
are never kept past it; ``articles.urls`` and ``articles.apps`` pass this in, as ``karriere``
imports no app."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache

from articles.invalidation import SCHEDULE
from articles.media import Image
from articles.models import Article
from karriere.dependencies import version_token


def next_reader_change() -> float:
    """Timestamp of the next moment readers must see something else without anyone saving (a
    scheduled article goes live, an image licence ends), 0 for none: pages are not kept
    past it. Cached until an article is saved or the moment has passed."""
    cache_key = f"articles:next-reader-change:{version_token(SCHEDULE)}"
    upcoming = cache.get(cache_key)
    if upcoming is None or 0 < upcoming <= time.time():
        moments = [
            Article.objects.next_scheduled_publication(),
            Image.objects.next_licence_end(),
        ]
        moment = min((moment for moment in moments if moment), default=None)
        upcoming = moment.timestamp() if moment else 0
        cache.set(cache_key, upcoming, settings.PAGECACHE_TIMEOUT)
    return upcoming
