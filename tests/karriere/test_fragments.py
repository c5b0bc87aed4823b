"""Parts of pages cached by the dependency keys they show (karriere/fragments.py): a change
re-renders exactly the parts showing it, parts from the cache still name their keys to the page,
and a page whose parts come from the cache needs fewer queries."""

from __future__ import annotations

import ast
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from articles.services import article_save
from comments.models import Comment
from comments.services import comment_approve
from tests.factories import ArticleFactory, AuthorFactory, CommentFactory

pytestmark = pytest.mark.django_db


def page(article) -> str:
    response = Client().get(article.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def comments_of(html: str) -> str:
    return html.split('id="kommentare"')[1]


@pytest.fixture
def two_articles(django_capture_on_commit_callbacks):
    # Committed, so their own invalidations do not ride along with a test's later commit.
    with django_capture_on_commit_callbacks(execute=True):
        first = ArticleFactory(title="Gehaltserhöhung richtig verhandeln", tags=["Gehalt"])
        second = ArticleFactory(title="Weiterbildungsmöglichkeiten für Berufseinsteiger")
        CommentFactory(article=first, text="Hat mir bei der Gehaltserhöhung geholfen.")
        CommentFactory(article=second, text="Schöne Übersicht über Fortbildungen.")
    return first, second


def test_approving_a_comment_re_renders_that_articles_comments_and_no_others(
    two_articles, fragment_cache, admin_user
):
    first, second = two_articles
    page(first), page(second)  # both comment lists are now cached fragments
    # Changed behind the services' back: only a re-rendered fragment can show it.
    Comment.objects.filter(article=second).update(text="Geändert, ohne dass es jemand merkt.")
    pending = CommentFactory(article=first, status=Comment.Status.PENDING, text="Straßenfest!")

    with fragment_cache.commit():
        comment_approve(comment=pending, moderator=admin_user)

    assert "Straßenfest!" in comments_of(page(first))
    assert "Schöne Übersicht über Fortbildungen." in comments_of(page(second))


def test_without_the_fragment_cache_every_page_renders_its_parts_afresh(two_articles):
    assert settings.FRAGMENT_CACHE_ENABLED is False  # the test default
    first, _second = two_articles
    page(first)
    Comment.objects.filter(article=first).update(text="Sofort sichtbar, Größe egal.")

    assert "Sofort sichtbar, Größe egal." in comments_of(page(first))


def test_a_retitled_article_shows_its_new_title_and_body_on_its_own_page(fragment_cache):
    with fragment_cache.commit():
        article = ArticleFactory(title="Überstunden richtig abrechnen")
    assert "Überstunden richtig abrechnen" in page(article)

    article.title = "Überstunden und Zeitausgleich: ein Leitfaden"
    article.body = "<p>Arbeitszeitkonten im Überblick.</p>"
    with fragment_cache.commit():
        article_save(article=article)

    html = page(article)
    assert "Überstunden richtig abrechnen" not in html
    assert "Überstunden und Zeitausgleich: ein Leitfaden" in html.split("<h1>")[1]
    assert "Arbeitszeitkonten im Überblick." in html
    assert "Überstunden und Zeitausgleich" in html.split("</head>")[0]  # JSON-LD, Open Graph


def test_a_retitled_article_leaves_the_related_articles_of_other_pages(fragment_cache):
    with fragment_cache.commit():
        article = ArticleFactory(tags=["Vorstellungsgespräch"])
        related = ArticleFactory(
            title="Fragen im Vorstellungsgespräch", tags=["Vorstellungsgespräch"]
        )
    assert "Fragen im Vorstellungsgespräch" in page(article)

    related.title = "Rückfragen im Vorstellungsgespräch stellen"
    with fragment_cache.commit():
        article_save(article=related)

    assert "Rückfragen im Vorstellungsgespräch stellen" in page(article)


def test_a_renamed_author_is_shown_on_the_cached_article_page(fragment_cache):
    with fragment_cache.commit():
        author = AuthorFactory(name="Jürgen Weiß")
        article = ArticleFactory(authors=[author])
    assert "Jürgen Weiß" in page(article)

    author.name = "Jürgen Weißmüller"
    with fragment_cache.commit():
        author.save()

    assert "Jürgen Weißmüller" in page(article)


def test_parts_from_the_cache_still_name_everything_the_page_shows(two_articles, fragment_cache):
    first, second = two_articles
    url = first.get_absolute_url()
    rendered = Client().get(url)
    from_fragments = Client().get(url)

    keys = set(from_fragments.headers["Surrogate-Key"].split())
    assert keys == set(rendered.headers["Surrogate-Key"].split())
    author = first.authors.get()
    assert {
        f"article-{first.pk}",
        f"comments-{first.pk}",
        f"category-{first.category_id}",
        f"author-{author.pk}",
        f"tag-{first.tags.get().pk}",
        f"article-{second.pk}",  # a related article
        "nav",
        "top-articles",
        "newsletter-consent",
    } <= keys


def test_article_page_needs_fewer_queries_when_its_parts_are_cached(
    two_articles, fragment_cache, django_assert_max_num_queries
):
    first, _second = two_articles
    Client().get("/")  # the navigation and Top-Artikel data are site-wide

    with django_assert_max_num_queries(8) as cold:
        page(first)
    with django_assert_max_num_queries(1) as warm:
        page(first)  # only the article itself

    assert len(warm.captured_queries) < len(cold.captured_queries)


def test_no_part_outlives_the_next_scheduled_publication(fragment_cache, clock):
    article = ArticleFactory(tags=["Elternzeit"])
    ArticleFactory(
        title="Elternzeit und Rückkehr planen",
        tags=["Elternzeit"],
        published_at=timezone.now() + timedelta(minutes=10),
    )
    assert "Elternzeit und Rückkehr planen" not in page(article)

    clock.shift(11 * 60)

    assert "Elternzeit und Rückkehr planen" in page(article)


def test_related_cards_show_no_comment_count_list_cards_do(two_articles):
    first, second = two_articles
    related = page(first).split('id="passende-artikel"')[1].split("</section>")[0]
    assert second.title in related
    assert "article-stats" not in related
    home = Client().get("/")
    assert "article-stats" in home.content.decode()
    assert f"comments-{second.pk}" in home.headers["Surrogate-Key"].split()


def test_no_module_under_karriere_imports_an_app():
    apps = {"articles", "comments", "newsletter"}
    for path in Path(settings.BASE_DIR, "karriere").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                assert node.module.split(".")[0] not in apps, f"{path}: {node.module}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    assert alias.name.split(".")[0] not in apps, f"{path}: {alias.name}"
