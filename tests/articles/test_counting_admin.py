from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article, ArticleViewDay
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_article_change_page_charts_the_daily_views_of_the_last_90_days(admin_client):
    article = ArticleFactory()
    today = timezone.localdate()
    ArticleViewDay.objects.bulk_create(
        [
            ArticleViewDay(article=article, day=today, views=1_500),
            ArticleViewDay(article=article, day=today - timedelta(days=89), views=20),
            ArticleViewDay(article=article, day=today - timedelta(days=90), views=999_999),
        ]
    )

    html = admin_client.get(reverse("admin:articles_article_change", args=[article.pk])).content
    html = html.decode()

    svg = html.split('<svg class="views-chart"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("<rect") == 2  # days without views draw no bar; day 91 is outside
    assert "1.500 Aufrufe" in svg
    assert "999.999" not in html
    assert "Aufrufe in den letzten 90 Tagen: 1.520 insgesamt" in html


def test_chart_of_an_unread_article_is_empty_but_there(admin_client):
    article = ArticleFactory()

    html = admin_client.get(reverse("admin:articles_article_change", args=[article.pk])).content

    assert b'<svg class="views-chart"' in html
    assert b"<rect" not in html


def test_admin_page_lists_the_most_read_articles(admin_client):
    read = ArticleFactory(title="Viel gelesen")
    Article.objects.filter(pk=read.pk).update(view_count=43_577, comment_count=4)
    ArticleViewDay.objects.create(article=read, day=timezone.localdate(), views=77)
    ArticleFactory(title="Ungelesen")

    response = admin_client.get(reverse("admin:articles_article_top"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Meistgelesene Artikel" in html
    assert "Letzte 30 Tage" in html and "Gesamt" in html
    assert html.count("Viel gelesen") == 2
    assert "43.577" in html and ">77<" in html
    assert "Ungelesen" not in html
    changelist = admin_client.get(reverse("admin:articles_article_changelist")).content.decode()
    assert reverse("admin:articles_article_top") in changelist


def test_admin_page_with_the_top_lists_is_for_staff_only(client):
    response = client.get(reverse("admin:articles_article_top"))

    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_article_change_page_charts_the_daily_likes_beside_the_views(admin_client):
    article = ArticleFactory(title="Kündigungsfrist während der Probezeit")
    today = timezone.localdate()
    ArticleViewDay.objects.create(article=article, day=today, views=40, likes=7)

    html = admin_client.get(reverse("admin:articles_article_change", args=[article.pk])).content
    html = html.decode()

    svg = html.split('<svg class="likes-chart"', 1)[1].split("</svg>", 1)[0]
    assert "7-mal hilfreich" in svg
    assert "Als hilfreich markiert in den letzten 90 Tagen: 7-mal insgesamt" in html


def test_the_article_list_has_a_sortable_likes_column(admin_client):
    ArticleFactory(title="Elternzeit und Beförderung")

    html = admin_client.get(reverse("admin:articles_article_changelist"), {"o": "7"}).content

    assert b"column-likes" in html
