from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from articles.models import Category
from karriere.pagecache import content_version


def _categories() -> list[Category]:
    # Every page shows the navigation: keep it in the cache until content changes (saving a
    # category bumps the content version), so it costs no query on most requests.
    return cache.get_or_set(
        f"articles:nav:{content_version()}",
        lambda: list(Category.objects.only("name", "slug")),
        timeout=24 * 3600,
    )


def navigation(request: HttpRequest) -> dict:
    # Lazy: evaluated only by templates that render the navigation.
    return {"nav_categories": SimpleLazyObject(_categories)}
