from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from articles.models import Category
from karriere.dependencies import shown, version_token


def _categories() -> list[Category]:
    # Every page shows the navigation: keep it in the cache until a category changes (the
    # "nav" dependency key), so it costs no query on most requests.
    return cache.get_or_set(
        f"articles:nav:{version_token('nav')}",
        lambda: list(Category.objects.only("name", "slug")),
        timeout=24 * 3600,
    )


def navigation(request: HttpRequest) -> dict:
    # Lazy: evaluated only by templates that render the navigation (base.html, every page).
    shown(request, "nav")
    return {"nav_categories": SimpleLazyObject(_categories)}
