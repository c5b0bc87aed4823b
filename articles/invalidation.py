"""What changed → which pages: the one place that maps a change readers must see to the
dependency keys of the pages showing it (``karriere/dependencies.py``).

Pages name what they show (``shown(request, ...)`` in the views and template tags): an article
page its article, category, tags, authors, related articles and its comments (``comments-42``);
a list every article on it with its comment count (``card_keys``) and the list itself
(``home``, ``category-3``, ``tag-17``, ``author-5``); feeds ``feeds``, sitemaps ``sitemap``,
search ``search``; every page the navigation (``nav``). A change invalidates the
keys below, always after the commit (``invalidate`` waits for it), and the same keys purge
the shared HTTP caches. The comments and newsletter apps call these functions; models and the
admin never touch a cache themselves.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.cache import cache

from karriere.dependencies import invalidate

# Every saved article may move the next scheduled publication.
SCHEDULE = "schedule"
# Whether the "Top-Artikel" box recommends and the ids in it, kept by its template tag: while it
# ranks by views only a change of one of these articles changes it (it is on every article page).
TOP_ARTICLES_SHOWN_KEY = "articles:top-articles-shown"


def key(obj) -> str:
    """``article-42``, ``category-3``, ``tag-17``, ``author-5``, ``image-8``."""
    return f"{obj._meta.model_name}-{obj.pk}"


def keys(objects: Iterable) -> list[str]:
    return [key(obj) for obj in objects]


def comments_key(article_id: int) -> str:
    """``comments-42``: the approved comments of article 42 and their count, named by the
    pages that show them (its page, list cards), so a comment reaches only these."""
    return f"comments-{article_id}"


def card_keys(articles: Iterable) -> list[str]:
    """What a list card shows: the article and its comment count."""
    return [name for article in articles for name in (key(article), comments_key(article.pk))]


def article_changed(
    article, *, category_ids: Iterable[int | None] = (), author_ids: Iterable[int] = ()
) -> None:
    """Saved, published, unpublished, trashed or deleted: its page, every list that shows it
    or may show it now (home, its categories before and after, tags, authors), feeds, sitemap
    and search."""
    changed = {key(article), "home", "feeds", "sitemap", "search", SCHEDULE}
    changed.update(f"category-{pk}" for pk in {article.category_id, *category_ids} if pk)
    if article.pk:
        changed.update(keys(article.tags.all()))
        changed.update(keys(article.authors.all()))
        changed.update(_top_articles_showing([article.pk]))
    changed.update(f"author-{pk}" for pk in author_ids)
    invalidate(*changed)


def _top_articles_showing(article_ids: Iterable[int]) -> list[str]:
    """``["top-articles"]`` if the box may show one of these articles now: it shows one, or it
    recommends (nothing counted yet), where a new or newly featured article may join it."""
    recommending, shown_ids = cache.get(TOP_ARTICLES_SHOWN_KEY) or (False, set())
    return ["top-articles"] if recommending or not shown_ids.isdisjoint(article_ids) else []


def comment_count_changed(*, article_id: int) -> None:
    """A comment was approved, hidden or edited: the article's comment list and the pages
    showing its comment count (its page, the lists with its card; not the related-article
    cards, which show no count)."""
    invalidate(comments_key(article_id))


def category_changed(category) -> None:
    """Renamed, added or removed: its pages (and the article pages naming it) and the
    navigation."""
    invalidate(key(category), "nav")


def tag_changed(*tags) -> None:
    """Renamed, merged or removed: the tag pages and the article pages showing them."""
    invalidate(*keys(tags))


def author_changed(author) -> None:
    """Renamed, new photo or bio: the author's page and every page with one of their articles
    (its page, the list cards and related cards that show the byline)."""
    article_ids = list(author.articles.values_list("pk", flat=True)) if author.pk else []
    invalidate(
        key(author),
        *(f"article-{pk}" for pk in article_ids),
        *_top_articles_showing(article_ids),
    )


def image_changed(image) -> None:
    """Caption, credit, crop or licence: the pages of the articles showing it."""
    article_ids = {
        *image.hero_articles.values_list("pk", flat=True),
        *image.body_articles.values_list("pk", flat=True),
    }
    # A licence end is a moment pages must not be kept past.
    invalidate(key(image), SCHEDULE, *(f"article-{pk}" for pk in article_ids))


def changed(obj) -> None:
    """For the models that invalidate on every save and delete (``DependencyKeysMixin``)."""
    {"category": category_changed, "tag": tag_changed, "author": author_changed}[
        obj._meta.model_name
    ](obj)


def consent_text_changed() -> None:
    """The newsletter box's wording is on every page that shows the box."""
    invalidate("newsletter-consent")
