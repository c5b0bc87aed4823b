""" "Hilfreich": readers mark an article helpful, counted like views (tests/articles/
test_counting.py has the store's mechanics; these go through the button's endpoint)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from articles import counting
from articles.models import ArticleViewDay
from tests.articles.conftest import BROWSER
from tests.factories import ArticleFactory


def tap(client, article, *, ip="203.0.113.7", user_agent=BROWSER, json=False, **headers):
    """The button as a browser sends it: the form's POST, or like.js's fetch asking for JSON."""
    extra = {"HTTP_SEC_FETCH_SITE": "same-origin", **headers}
    if json:
        extra["HTTP_ACCEPT"] = "application/json"
    return client.post(
        reverse("articles:like", args=[article.pk]),
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=user_agent,
        **extra,
    )


def likes_after_flush(article) -> int:
    call_command("flush_view_counts", verbosity=0)
    article.refresh_from_db()
    return article.like_count


@pytest.mark.django_db
def test_a_tap_counts_once_per_day_and_reader(client, store):
    article = ArticleFactory(title="Gehaltserhöhung verhandeln: so gelingt's")

    tap(client, article, ip="203.0.113.7")
    tap(client, article, ip="203.0.113.7")
    tap(client, article, ip="203.0.113.8")

    assert likes_after_flush(article) == 2
    assert list(ArticleViewDay.objects.filter(article=article).values_list("day", "likes")) == [
        (timezone.localdate(), 2)
    ]
    assert article.view_count == 0


@pytest.mark.django_db
def test_likes_and_views_of_the_same_reader_count_separately(client, store):
    article = ArticleFactory()
    client.post(
        reverse("articles:count_view", args=[article.pk]),
        data=b"view",
        content_type="text/plain",
        REMOTE_ADDR="203.0.113.7",
        HTTP_USER_AGENT=BROWSER,
    )

    tap(client, article, ip="203.0.113.7")

    assert likes_after_flush(article) == 1
    assert (article.view_count, article.like_count) == (1, 1)
    day = ArticleViewDay.objects.get(article=article)
    assert (day.views, day.likes) == (1, 1)


@pytest.mark.django_db
def test_bots_and_staff_are_not_counted_and_staff_are_told(client, store):
    article = ArticleFactory()
    tap(client, article, user_agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
    tap(client, article, user_agent="")
    client.force_login(get_user_model().objects.create_user("redaktion", is_staff=True))

    response = tap(client, article, json=True)

    assert likes_after_flush(article) == 0
    assert response.json()["outcome"] == "staff"
    assert "nicht gezählt" in response.json()["message"]


@pytest.mark.django_db
def test_no_cookie_is_set_and_no_ip_is_kept(client, store):
    article = ArticleFactory()

    responses = [tap(client, article, ip="198.51.100.23"), tap(client, article, json=True)]

    assert all(not response.cookies for response in responses)
    assert "198.51.100.23" not in str(list(ArticleViewDay.objects.values()))
    if store == "redis":
        keys = b" ".join(counting.get_store().client.keys("*"))
        assert b"198.51.100.23" not in keys


@pytest.mark.django_db
def test_without_javascript_the_reader_is_sent_back_to_the_articles_thank_you_note(client, store):
    article = ArticleFactory(title="Weiterbildungsmöglichkeiten für Berufseinsteiger")

    first = tap(client, article)
    second = tap(client, article)

    assert first.status_code == 303
    assert first["Location"] == f"{article.get_absolute_url()}#hilfreich-danke"
    assert second["Location"] == f"{article.get_absolute_url()}#hilfreich-schon-markiert"
    page = client.get(first["Location"]).content.decode()
    assert 'id="hilfreich-danke"' in page
    assert "Danke! Du fandest diesen Artikel hilfreich." in page
    assert "Du hast diesen Artikel heute schon als hilfreich markiert." in page


@pytest.mark.django_db
def test_with_javascript_the_answer_carries_the_new_count(client, store):
    article = ArticleFactory()
    tap(client, article, ip="203.0.113.8")

    counted = tap(client, article, json=True)
    repeat = tap(client, article, json=True)

    assert counted.json() == {
        "outcome": "counted",
        "message": "Danke! Du fandest diesen Artikel hilfreich.",
        "likes": 2,
        "label": "2-mal hilfreich",
    }
    assert repeat.json()["outcome"] == "repeat"
    assert repeat.json()["likes"] == 2


@pytest.mark.django_db
def test_a_cross_origin_post_is_refused_with_the_german_page(client, store):
    article = ArticleFactory()

    from_elsewhere = tap(client, article, HTTP_SEC_FETCH_SITE="cross-site")
    old_browser = tap(
        client, article, HTTP_SEC_FETCH_SITE=None, HTTP_ORIGIN="https://boese.example"
    )

    for response in (from_elsewhere, old_browser):
        assert response.status_code == 403
        assert "Dieses Formular kam von einer anderen Website" in response.content.decode()
    assert likes_after_flush(article) == 0


@pytest.mark.django_db
def test_only_post_and_only_published_articles(client, store):
    draft = ArticleFactory(status="draft", published_at=None)

    assert client.get(reverse("articles:like", args=[draft.pk])).status_code == 405
    assert tap(client, draft).status_code == 404


@pytest.mark.django_db
def test_the_numbers_show_on_the_article_its_cards_and_the_top_articles(client, store):
    article = ArticleFactory(title="Überstunden richtig abrechnen")
    for n in range(3):
        tap(client, article, ip=f"203.0.113.{n}")
    likes_after_flush(article)
    client.post(
        reverse("articles:count_view", args=[article.pk]),
        data=b"view",
        content_type="text/plain",
        HTTP_USER_AGENT=BROWSER,
    )
    call_command("flush_view_counts", verbosity=0)

    article_page = client.get(article.get_absolute_url()).content.decode()
    home = client.get("/").content.decode()

    likes = f'<span data-likes-for="{article.pk}">3-mal hilfreich</span>'
    stats = f"1 Aufruf · 0 Kommentare · {likes}"
    assert stats in article_page  # the byline
    assert stats in home  # the card
    top_articles = article_page.split('class="top-articles"')[1]
    assert stats in top_articles


@pytest.mark.django_db
def test_cached_pages_show_new_likes_when_they_expire_like_view_counts(client, page_cache):
    # Likes, like views, do not invalidate pages per tap: a cached page shows the count it was
    # rendered with until it expires (PAGECACHE_TIMEOUT, s-maxage).
    article = ArticleFactory()
    url = article.get_absolute_url()
    assert "0-mal hilfreich" in client.get(url).content.decode()

    tap(client, article)
    likes_after_flush(article)

    assert "0-mal hilfreich" in client.get(url).content.decode()
    cache.clear()  # the entry has expired
    assert "1-mal hilfreich" in client.get(url).content.decode()
