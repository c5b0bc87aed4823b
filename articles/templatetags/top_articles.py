from __future__ import annotations

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string

from articles import counting
from articles.invalidation import TOP_ARTICLES_SHOWN_KEY
from karriere import fragments
from karriere.dependencies import version_token

register = template.Library()


@register.simple_tag(takes_context=True)
def top_articles(context, limit: int = 5) -> str:
    """The "Top-Artikel" box: most read of the last VIEW_COUNT_TOP_DAYS days and of all time;
    the editors' recommendations while nothing is counted yet.

    Cached (lists and box) for VIEW_COUNT_TOP_CACHE_SECONDS; keyed by the ``top-articles``
    dependency key, so an article in the box that is unpublished or retitled leaves it at once
    (articles/invalidation.py) while new views and comments may wait a few minutes.
    """
    return fragments.cached(
        context.get("request"),
        ("top-articles", limit),
        lambda: render_to_string("articles/_top_articles.html", {"top_lists": _top_lists(limit)}),
        keys=["top-articles"],
        timeout=settings.VIEW_COUNT_TOP_CACHE_SECONDS,
    )


def _top_lists(limit: int) -> list:
    key = f"articles:top-articles:{version_token('top-articles')}:{limit}"
    top_lists = cache.get(key)
    if top_lists is None:
        top_lists = counting.most_read(limit=limit)
        recommending = not any(rows for _heading, rows in top_lists)
        if recommending:
            top_lists = counting.recommended(limit=limit)
        cache.set(key, top_lists, settings.VIEW_COUNT_TOP_CACHE_SECONDS)
        # Whether it recommends and which articles it shows: whose changes must reach it.
        ids = {article.pk for _heading, rows in top_lists for article, _views in rows}
        cache.set(TOP_ARTICLES_SHOWN_KEY, (recommending, ids), None)
    return top_lists
