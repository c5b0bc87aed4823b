from __future__ import annotations

from django.http import HttpRequest

from articles.models import Category


def navigation(request: HttpRequest) -> dict:
    # Lazy: evaluated only by templates that render the navigation.
    return {"nav_categories": Category.objects.only("name", "slug")}
