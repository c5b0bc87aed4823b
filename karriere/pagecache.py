from __future__ import annotations

from django.core.cache import cache

CONTENT_VERSION_KEY = "karriere:content-version"


def content_version() -> int:
    """Version of the published content; cached pages and lists are keyed by it."""
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        cache.add(CONTENT_VERSION_KEY, 1, timeout=None)
        version = cache.get(CONTENT_VERSION_KEY, 1)
    return version


def bump_content_version() -> None:
    """Invalidate every cached page: call after a change readers must see at once."""
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.add(CONTENT_VERSION_KEY, 2, timeout=None)
