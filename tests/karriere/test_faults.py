"""The reader site when Redis or the database is away: real connections to a closed port, no
mocks. README, "When Redis or the database is down"."""

from __future__ import annotations

import json
import socket
from contextlib import contextmanager

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django_tasks_db.models import DBTaskResult

from newsletter.models import ConsentText, Subscriber
from tests.articles.test_counting import beacon
from tests.factories import ArticleFactory
from tests.newsletter.conftest import signup_data
from tests.newsletter.test_signup import ALMOST_DONE

MAINTENANCE = "Wartung – gleich wieder da"


def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """Cache and view counters on a Redis that refuses connections, page cache on."""
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.CACHES = {
        "default": {
            "BACKEND": "karriere.cache.RedisCache",
            "LOCATION": url,
            "OPTIONS": settings.REDIS_CLIENT_OPTIONS,
        }
    }
    settings.VIEW_COUNT_REDIS_URL = url
    settings.PAGECACHE_ENABLED = True
    return url


@contextmanager
def database_unreachable(tmp_path):
    """Point the connection where no database answers: a closed port (PostgreSQL) or a file in
    a folder that does not exist (SQLite)."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = str(tmp_path / "weg" / "karriere.sqlite3")
    else:
        connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.update(saved)


# --- Redis down -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_render_uncached_while_redis_is_down(client, redis_down):
    article = ArticleFactory(title="Gehaltserhöhung verhandeln: So klappt’s")

    for _ in range(2):
        home = client.get("/")
        page = client.get(article.get_absolute_url())
        assert home.status_code == 200
        assert page.status_code == 200
        assert "Gehaltserhöhung verhandeln" in page.content.decode()


@pytest.mark.django_db
def test_the_beacon_answers_204_and_drops_the_view_while_redis_is_down(client, redis_down):
    article = ArticleFactory()

    assert beacon(client, article).status_code == 204

    article.refresh_from_db()
    assert article.view_count == 0


@pytest.mark.django_db
def test_a_newsletter_signup_succeeds_visibly_while_redis_is_down(client, redis_down):
    data = signup_data(ConsentText.objects.current(), email="juergen.weiss@example.de")

    response = client.post("/newsletter/", data, HTTP_USER_AGENT="Testbrowser/1.0")

    assert response.status_code == 200
    assert ALMOST_DONE in response.content.decode()
    assert Subscriber.objects.filter(email="juergen.weiss@example.de").exists()
    assert DBTaskResult.objects.count() == 1  # the confirmation mail, for the worker


@pytest.mark.django_db
def test_health_check_reports_redis_down_as_degraded_with_200(client, redis_down):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "degraded",
        "database": "ok",
        "cache": "unavailable",
        "view_counter": "unavailable",
        "view_counter_store": "redis",
    }


def test_after_a_failure_the_cache_leaves_redis_alone_for_a_moment(redis_down):
    port = int(redis_down.rsplit(":", 1)[1].split("/")[0])
    assert cache.get("gehalt", "verpasst") == "verpasst"  # refused: a miss
    # Something now listens on the port but never answers: a hanging Redis. Within the pause
    # the cache does not even connect, so no request waits for the timeout.
    with socket.socket() as hanging:
        hanging.bind(("127.0.0.1", port))
        hanging.listen()
        hanging.settimeout(0)
        assert cache.get("gehalt", "verpasst") == "verpasst"
        with pytest.raises(BlockingIOError):
            hanging.accept()


# --- database down ----------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_database_down_serves_cached_pages_and_a_german_503_for_the_rest(settings, tmp_path):
    settings.PAGECACHE_ENABLED = True
    cached = ArticleFactory(title="Weiterbildungsmöglichkeiten für Berufseinsteiger")
    uncached = ArticleFactory(title="Bewerbungsgespräch: Fragen über Fragen")
    reader = Client(raise_request_exception=False)
    assert reader.get(cached.get_absolute_url()).status_code == 200  # now in the page cache

    with database_unreachable(tmp_path):
        from_cache = reader.get(cached.get_absolute_url())
        not_cached = reader.get(uncached.get_absolute_url())
        cache.clear()
        # The 404 page's navigation, no longer cached, needs the database: an error outside
        # the view, which Django hands to handler500.
        unknown = reader.get("/gibt-es-nicht/")

    assert from_cache.status_code == 200
    assert "Weiterbildungsmöglichkeiten" in from_cache.content.decode()
    for response in (not_cached, unknown):
        assert response.status_code == 503
        assert response["Retry-After"] == "30"
        assert "no-store" in response["Cache-Control"]
        html = response.content.decode()
        assert '<html lang="de">' in html
        assert MAINTENANCE in html
        assert "Fragen über Fragen" not in html


@pytest.mark.django_db(transaction=True)
def test_database_down_makes_the_health_check_answer_503(client, tmp_path):
    with database_unreachable(tmp_path):
        response = client.get("/healthz")

    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["database"] == "unavailable"
