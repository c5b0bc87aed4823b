"""Feed readers, crawlers and browsers that already have a page get 304 Not Modified, with the
page cache on (production) and off."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone
from django.utils.http import http_date

from articles.models import Article
from articles.services import article_save
from karriere.dependencies import VERSION_PREFIX
from karriere.pagecache import _cache_key
from tests.factories import ArticleFactory, AuthorFactory, CategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(params=[True, False], ids=["pagecache-on", "pagecache-off"])
def pagecache(request, settings):
    settings.PAGECACHE_ENABLED = request.param
    return request.param


@pytest.fixture
def article():
    category = CategoryFactory(name="Gehalt & Verhandlung", slug="gehalt-verhandlung")
    return ArticleFactory(
        title="Gehaltserhöhung: So verhandelst du größer",
        category=category,
        authors=[AuthorFactory(name="Jürgen Weiß", slug="juergen-weiss")],
        tags=["Gehaltsverhandlung"],
    )


def reader_urls(article: Article) -> list[str]:
    return [
        "/",
        article.get_absolute_url(),
        article.category.get_absolute_url(),
        "/thema/gehaltsverhandlung/",
        "/autor/juergen-weiss/",
        "/suche/?q=Gehaltserhöhung",
        "/feed/",
        "/feed/atom/",
        f"/kategorie/{article.category.slug}/feed/",
        "/sitemap.xml",
        "/sitemap-articles.xml",
    ]


def test_every_reader_page_feed_and_sitemap_answers_304_to_its_etag(pagecache, article):
    for url in reader_urls(article):
        first = Client().get(url)
        assert first.status_code == 200, url
        etag = first.headers["ETag"]

        again = Client().get(url, headers={"If-None-Match": etag})

        assert again.status_code == 304, url
        assert again.content == b""
        assert again.headers["ETag"] == etag


def test_a_change_readers_must_see_gives_the_full_page_again(
    pagecache, article, client, django_capture_on_commit_callbacks
):
    etag = client.get(article.get_absolute_url()).headers["ETag"]

    article.title = "Gehaltserhöhung: Weiterbildungsmöglichkeiten zählen"
    with django_capture_on_commit_callbacks(execute=True):
        article_save(article=article)
    response = client.get(article.get_absolute_url(), headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "Weiterbildungsmöglichkeiten zählen" in response.content.decode()
    assert response.headers["ETag"] != etag


def test_a_scheduled_article_going_live_changes_the_etag(clock, clock_cache, pagecache, article):
    ArticleFactory(title="Bald: Kündigungsfrist", published_at=timezone.now() + timedelta(60))
    etag = Client().get("/").headers["ETag"]

    assert Client().get("/", headers={"If-None-Match": etag}).status_code == 304
    clock.shift(timedelta(days=60, seconds=1))
    response = Client().get("/", headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "Bald: Kündigungsfrist" in response.content.decode()


def test_feed_answers_if_modified_since_with_its_last_modified(pagecache, article):
    last_modified = Client().get("/feed/").headers["Last-Modified"]

    assert Client().get("/feed/", headers={"If-Modified-Since": last_modified}).status_code == 304
    older = http_date((article.updated_at - timedelta(hours=1)).timestamp())
    assert Client().get("/feed/", headers={"If-Modified-Since": older}).status_code == 200


def test_logged_in_editor_always_gets_the_full_page(pagecache, article, admin_client):
    etag = Client().get(article.get_absolute_url()).headers["ETag"]

    response = admin_client.get(article.get_absolute_url(), headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert "ETag" not in response.headers


def test_a_page_cached_before_dependency_keys_existed_is_rendered_afresh(settings, article, rf):
    settings.PAGECACHE_ENABLED = True
    url = article.get_absolute_url()
    Client().get(url)
    request = rf.get(url)
    request.LANGUAGE_CODE = "de"
    key = _cache_key(request, {})
    entry = cache.get(key)
    old_entry = {"content": b"alt", "headers": entry["headers"], "version": 1, "etag": 'W/"1-0"'}
    cache.set(key, old_entry)  # as the previous release stored pages

    response = Client().get(url)

    assert response.status_code == 200
    assert response.content != b"alt"
    assert response.headers["ETag"] != 'W/"1-0"'


def test_an_etag_does_not_come_back_when_the_cache_loses_a_version(pagecache, article):
    etag = Client().get(article.get_absolute_url()).headers["ETag"]

    # The in-process cache restarted, or Redis evicted it.
    cache.delete(f"{VERSION_PREFIX}article-{article.pk}")
    response = Client().get(article.get_absolute_url(), headers={"If-None-Match": etag})

    assert response.status_code == 200
    assert response.headers["ETag"] != etag
