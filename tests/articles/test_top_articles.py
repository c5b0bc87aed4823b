from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.template import Context, Template
from django.utils import timezone

from articles.models import Article, ArticleViewDay
from articles.services import article_save
from karriere.dependencies import invalidate
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def render_box() -> str:
    return Template("{% load top_articles %}{% top_articles %}").render(Context())


def with_views(*, total: int, recent: dict[int, int] | None = None, **fields) -> Article:
    """An article with ``total`` views in all, ``recent`` = {days ago: views} of them by day."""
    article = ArticleFactory(**fields)
    Article.objects.filter(pk=article.pk).update(view_count=total)
    today = timezone.localdate()
    ArticleViewDay.objects.bulk_create(
        ArticleViewDay(article=article, day=today - timedelta(days=ago), views=views)
        for ago, views in (recent or {}).items()
    )
    return article


def section(html: str, heading: str) -> str:
    """The part of the box under the given <h3> heading."""
    return html.split(f"<h3>{heading}</h3>", 1)[1].split("<h3>", 1)[0]


def titles(html: str) -> list[str]:
    return re.findall(r'class="top-title" href="[^"]+">([^<]+)</a>', html)


def test_recent_list_ranks_by_views_of_the_last_30_days_and_all_time_by_total():
    with_views(title="Klassiker", total=50_000, recent={31: 49_990, 2: 10})
    with_views(title="Aufsteiger", total=300, recent={0: 200, 29: 100})
    with_views(title="Solide", total=1_000, recent={5: 150})

    html = render_box()

    assert titles(section(html, "Letzte 30 Tage")) == ["Aufsteiger", "Solide", "Klassiker"]
    assert titles(section(html, "Gesamt")) == ["Klassiker", "Solide", "Aufsteiger"]


def test_box_shows_views_in_german_number_format_comments_category_and_image():
    article = with_views(title="Gehalt verhandeln", total=43_577, recent={1: 1_234})
    Article.objects.filter(pk=article.pk).update(comment_count=12)

    html = render_box()

    assert "1.234 Aufrufe · 12 Kommentare" in section(html, "Letzte 30 Tage")
    assert "43.577 Aufrufe · 12 Kommentare" in section(html, "Gesamt")
    assert article.category.name in html
    assert article.category.get_absolute_url() in html


def test_singular_forms_for_one_view_one_comment_and_one_like():
    article = with_views(total=1, recent={0: 1})
    Article.objects.filter(pk=article.pk).update(comment_count=1, like_count=1)

    likes = f'<span data-likes-for="{article.pk}">1-mal hilfreich</span>'
    assert f"1 Aufruf · 1 Kommentar · {likes}" in render_box()


def test_unpublished_and_unread_articles_are_left_out():
    with_views(title="Entwurf", total=900, recent={0: 900}, status=Article.Status.DRAFT)
    with_views(title="Geplant", total=900, published_at=timezone.now() + timedelta(days=1))
    with_views(title="Ungelesen", total=0)
    with_views(title="Gelesen", total=3, recent={0: 3})

    html = render_box()

    assert titles(html) == ["Gelesen", "Gelesen"]


def test_box_shows_the_editors_recommendations_when_nothing_was_read_yet():
    ArticleFactory(title="Elternzeit und Teilzeit: Deine Rechte", featured=True)
    ArticleFactory(title="Zeugnissprache entschlüsseln")

    html = render_box()

    assert "Empfehlungen der Redaktion" in html and "Noch keine Aufrufe" not in html
    assert titles(html) == ["Elternzeit und Teilzeit: Deine Rechte", "Zeugnissprache entschlüsseln"]


def test_box_needs_the_same_few_queries_for_ten_articles_as_for_one(
    django_assert_max_num_queries,
):
    for n in range(10):
        with_views(total=100 + n, recent={n: 10 + n})

    # One for both rankings, one for the bylines.
    with django_assert_max_num_queries(2):
        html = render_box()

    assert len(titles(html)) == 10


def test_box_is_cached_until_the_content_changes(
    django_assert_num_queries, django_capture_on_commit_callbacks
):
    article = with_views(title="Erster Stand", total=5, recent={0: 5})
    render_box()

    Article.objects.filter(pk=article.pk).update(view_count=7, title="Neuer Stand")
    with django_assert_num_queries(0):
        assert "Erster Stand" in render_box()

    with django_capture_on_commit_callbacks(execute=True):
        invalidate("top-articles")
    html = render_box()
    assert "Neuer Stand" in html
    assert "7 Aufrufe" in html


def test_home_page_shows_the_box(client):
    with_views(title="Bewerbung schreiben", total=2_500, recent={0: 25})

    html = client.get("/").content.decode()

    assert "Top-Artikel" in html
    assert "2.500 Aufrufe" in html


def test_an_article_marked_featured_joins_the_recommendations_at_once(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        for day in range(5):
            ArticleFactory(published_at=timezone.now() - timedelta(days=day + 1))
        older = ArticleFactory(
            title="Kündigungsschutz für Schwerbehinderte",
            published_at=timezone.now() - timedelta(days=90),
        )
    assert "Kündigungsschutz für Schwerbehinderte" not in render_box()  # cached, five newer

    older.featured = True
    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=older)

    assert titles(render_box())[0] == "Kündigungsschutz für Schwerbehinderte"
