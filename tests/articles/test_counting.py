from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import redis
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.db.backends.utils import CursorWrapper
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from redis.exceptions import LockNotOwnedError

from articles import counting
from articles.models import Article, ArticleViewDay
from articles.tasks import flush_view_counts
from tests.articles.conftest import BROWSER
from tests.factories import ArticleFactory

BERLIN = ZoneInfo("Europe/Berlin")
LOCK = counting.RedisStore.LOCK


@pytest.fixture
def redis_store(settings):
    if not settings.REDIS_URL:
        pytest.skip("the Redis store needs REDIS_URL")
    settings.VIEW_COUNT_REDIS_URL = settings.REDIS_URL
    return counting.get_store()


def beacon(client, article, *, ip="203.0.113.7", user_agent=BROWSER, **extra):
    return client.post(
        reverse("articles:count_view", args=[article.pk]),
        data=b"view",
        content_type="text/plain",
        REMOTE_ADDR=ip,
        HTTP_USER_AGENT=user_agent,
        HTTP_SEC_FETCH_SITE="same-origin",
        **extra,
    )


def views_after_flush(article) -> int:
    call_command("flush_view_counts", verbosity=0)
    article.refresh_from_db()
    return article.view_count


def daily_views(article) -> dict[date, int]:
    return dict(ArticleViewDay.objects.filter(article=article).values_list("day", "views"))


@pytest.mark.django_db
def test_a_readers_beacon_is_answered_with_204_and_counted(client, store):
    article = ArticleFactory()

    response = beacon(client, article)

    assert response.status_code == 204
    assert views_after_flush(article) == 1
    assert daily_views(article) == {timezone.localdate(): 1}


@pytest.mark.django_db
def test_the_embedded_store_counts_without_a_flush(client, settings):
    settings.VIEW_COUNT_REDIS_URL = ""
    article = ArticleFactory()

    beacon(client, article)

    article.refresh_from_db()
    assert article.view_count == 1


@pytest.mark.django_db
def test_the_redis_store_writes_nothing_to_the_database_before_the_flush(client, redis_store):
    article = ArticleFactory()

    beacon(client, article)

    article.refresh_from_db()
    assert article.view_count == 0
    assert views_after_flush(article) == 1


@pytest.mark.django_db
def test_the_same_visitor_counts_once_but_other_visitors_and_articles_count(client, store):
    article, other_article = ArticleFactory(), ArticleFactory()

    beacon(client, article, ip="203.0.113.7")
    beacon(client, article, ip="203.0.113.7")
    beacon(client, article, ip="203.0.113.8")
    beacon(client, article, ip="203.0.113.7", user_agent=BROWSER + " Edg/128.0")
    beacon(client, other_article, ip="203.0.113.7")

    assert views_after_flush(article) == 3
    assert views_after_flush(other_article) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "user_agent",
    [
        "",
        "   ",
        "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
        "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0)",
        "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 HeadlessChrome/124.0 Safari/537.36",
        "curl/8.5.0",
        "python-requests/2.32.3",
        "Mozilla/5.0 (compatible; GPTBot/1.2; +https://openai.com/gptbot)",
    ],
)
def test_bots_are_not_counted(client, store, user_agent):
    article = ArticleFactory()

    assert beacon(client, article, user_agent=user_agent).status_code == 204

    assert views_after_flush(article) == 0


@pytest.mark.django_db
def test_staff_are_not_counted(client, store):
    article = ArticleFactory()
    client.force_login(get_user_model().objects.create_user("redaktion", is_staff=True))

    beacon(client, article)

    assert views_after_flush(article) == 0


@pytest.mark.django_db
def test_logged_in_readers_who_are_not_staff_are_counted(client, store):
    article = ArticleFactory()
    client.force_login(get_user_model().objects.create_user("leserin"))

    beacon(client, article)

    assert views_after_flush(article) == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    "unpublished",
    [
        {"status": Article.Status.DRAFT, "published_at": None},
        {"status": Article.Status.REVIEW, "published_at": None},
        {"published_at": timezone.now() + timedelta(days=2)},
    ],
    ids=["draft", "review", "scheduled"],
)
def test_unpublished_articles_are_not_counted(client, store, unpublished):
    article = ArticleFactory(**unpublished)

    beacon(client, article)

    assert views_after_flush(article) == 0
    assert daily_views(article) == {}


@pytest.mark.django_db
def test_a_beacon_for_an_article_that_does_not_exist_is_ignored(client, store):
    article = ArticleFactory()
    missing = Article(pk=article.pk + 1000)

    assert beacon(client, missing).status_code == 204
    assert (
        client.post("/zaehler/99999999999999999999999/", b"view", "text/plain").status_code == 204
    )

    assert views_after_flush(article) == 0
    assert not ArticleViewDay.objects.exists()


@pytest.mark.django_db
def test_the_endpoint_accepts_only_post(client, store):
    article = ArticleFactory()
    url = reverse("articles:count_view", args=[article.pk])

    assert client.get(url).status_code == 405

    assert views_after_flush(article) == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "content_type", "extra"),
    [
        (b"view", "application/x-www-form-urlencoded", {}),
        (b"", "text/plain", {}),
        (b"views", "text/plain", {}),
        (b"view", "text/plain", {"HTTP_SEC_FETCH_SITE": "cross-site"}),
        (b"view", "text/plain", {"HTTP_SEC_FETCH_SITE": "same-site"}),
    ],
    ids=["form-post", "empty-body", "other-body", "cross-site", "same-site-subdomain"],
)
def test_requests_that_are_not_our_beacon_are_not_counted(client, store, body, content_type, extra):
    article = ArticleFactory()

    response = client.post(
        reverse("articles:count_view", args=[article.pk]),
        data=body,
        content_type=content_type,
        HTTP_USER_AGENT=BROWSER,
        **({"HTTP_SEC_FETCH_SITE": "same-origin"} | extra),
    )

    assert response.status_code == 204
    assert views_after_flush(article) == 0


@pytest.mark.django_db
def test_browsers_without_fetch_metadata_are_counted(client, store):
    article = ArticleFactory()

    client.post(
        reverse("articles:count_view", args=[article.pk]),
        data=b"view",
        content_type="text/plain",
        HTTP_USER_AGENT=BROWSER,
    )

    assert views_after_flush(article) == 1


@pytest.mark.django_db
def test_neither_cookie_nor_ip_is_kept(client, store, settings):
    article = ArticleFactory()

    response = beacon(client, article, ip="198.51.100.23")

    assert not response.cookies
    if store == "redis":
        keys = b" ".join(counting.get_store().client.keys("*"))
        assert b"198.51.100.23" not in keys
        assert keys.count(counting.SEEN_PREFIX.encode()) == 1


@pytest.mark.django_db
def test_a_visitor_counts_again_once_the_dedupe_window_has_passed(client, settings):
    # The embedded store on the in-process cache: Redis expires keys by its own clock, which
    # time_machine cannot move (its TTL is checked below instead). 23:30 so the window spans
    # midnight, where the hash key rotates.
    settings.VIEW_COUNT_REDIS_URL = ""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    article = ArticleFactory(published_at=datetime(2025, 1, 1, tzinfo=BERLIN))
    first_view = datetime(2025, 3, 10, 23, 30, tzinfo=BERLIN)

    with time_machine.travel(first_view, tick=False) as traveller:
        beacon(client, article)
        traveller.move_to(first_view + timedelta(minutes=40))
        beacon(client, article)
        traveller.move_to(first_view + timedelta(hours=24, seconds=-1))
        beacon(client, article)
        assert views_after_flush(article) == 1

        traveller.move_to(first_view + timedelta(hours=24, seconds=1))
        beacon(client, article)
        assert views_after_flush(article) == 2


@pytest.mark.django_db
def test_redis_forgets_a_visitor_after_the_dedupe_window(client, redis_store, settings):
    settings.VIEW_COUNT_DEDUPE_SECONDS = 3600
    article = ArticleFactory()

    beacon(client, article)

    (seen_key,) = redis_store.client.keys(counting.SEEN_PREFIX + "*")
    assert 3590 <= redis_store.client.ttl(seen_key) <= 3600


@pytest.mark.django_db
def test_views_count_on_the_day_in_berlin_not_in_utc(client, store):
    article = ArticleFactory(published_at=datetime(2025, 1, 1, tzinfo=BERLIN))

    # 22:59:59 UTC on 10 March is 23:59:59 in Berlin (CET, UTC+1): still 10 March.
    with time_machine.travel(datetime(2025, 3, 10, 22, 59, 59, tzinfo=ZoneInfo("UTC"))):
        beacon(client, article, ip="203.0.113.1")
    with time_machine.travel(datetime(2025, 3, 10, 23, 0, 0, tzinfo=ZoneInfo("UTC"))):
        beacon(client, article, ip="203.0.113.2")
        beacon(client, article, ip="203.0.113.3")
        assert views_after_flush(article) == 3

    assert daily_views(article) == {date(2025, 3, 10): 1, date(2025, 3, 11): 2}


@pytest.mark.django_db
def test_flush_adds_to_existing_days_and_running_totals(client, redis_store):
    article = ArticleFactory()
    Article.objects.filter(pk=article.pk).update(view_count=1000)
    ArticleViewDay.objects.create(article=article, day=timezone.localdate(), views=40)

    for n in range(3):
        beacon(client, article, ip=f"203.0.113.{n}")

    assert views_after_flush(article) == 1003
    assert daily_views(article) == {timezone.localdate(): 43}


@pytest.mark.django_db
def test_the_flush_task_moves_counts_to_the_database(client, redis_store):
    article = ArticleFactory()
    beacon(client, article)

    assert flush_view_counts.call() == 1

    article.refresh_from_db()
    assert article.view_count == 1


def _fail_on_view_day_writes(monkeypatch):
    real_execute = CursorWrapper.execute

    def execute(self, sql, params=None):
        if ArticleViewDay._meta.db_table in sql and sql.lstrip().upper().startswith("INSERT"):
            raise ConnectionError("database went away mid-flush")
        return real_execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", execute)


# transaction=True: each flush must commit (or roll back) for real, as in production.
@pytest.mark.django_db(transaction=True)
def test_a_flush_that_dies_before_its_commit_loses_nothing(client, redis_store, monkeypatch):
    article = ArticleFactory()
    beacon(client, article, ip="203.0.113.1")
    beacon(client, article, ip="203.0.113.2")

    with monkeypatch.context() as patched:
        _fail_on_view_day_writes(patched)
        with pytest.raises(ConnectionError):
            call_command("flush_view_counts", verbosity=0)
    article.refresh_from_db()
    assert article.view_count == 0

    beacon(client, article, ip="203.0.113.3")  # arrives while the failed batch waits
    assert views_after_flush(article) == 2  # the failed batch first
    assert views_after_flush(article) == 3
    assert views_after_flush(article) == 3
    assert daily_views(article) == {timezone.localdate(): 3}


@pytest.mark.django_db(transaction=True)
def test_a_flush_that_dies_after_its_commit_does_not_count_twice(client, redis_store, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("exactly-once after a commit needs PostgreSQL's transaction status")
    article = ArticleFactory()
    beacon(client, article)

    def die(*keys):
        raise redis.ConnectionError("Redis went away after the commit")

    with monkeypatch.context() as patched:
        patched.setattr(redis_store.client, "delete", die)
        with pytest.raises(redis.ConnectionError):
            call_command("flush_view_counts", verbosity=0)
    article.refresh_from_db()
    assert article.view_count == 1

    assert views_after_flush(article) == 1
    assert not redis_store.client.exists(redis_store.PROCESSING)


def _during_view_day_writes(monkeypatch, action):
    """Run ``action(n)`` before the n-th upsert of daily views (n = 1, 2, ...)."""
    real_execute = CursorWrapper.execute
    writes = []

    def execute(self, sql, params=None):
        if ArticleViewDay._meta.db_table in sql and sql.lstrip().upper().startswith("INSERT"):
            writes.append(sql)
            action(len(writes))
        return real_execute(self, sql, params)

    monkeypatch.setattr(CursorWrapper, "execute", execute)


@pytest.mark.django_db(transaction=True)
def test_a_flush_holds_its_lock_as_a_short_lease_that_a_killed_flusher_cannot_keep(
    client, redis_store, settings, monkeypatch
):
    # Whatever the flusher holds while it writes is what a flusher killed at that moment
    # leaves behind: it must run out within the lease, so the next flush comes within a minute.
    settings.VIEW_COUNT_FLUSH_LEASE_SECONDS = 30
    article = ArticleFactory()
    beacon(client, article)
    seen_ttl = []

    with monkeypatch.context() as patched:
        _during_view_day_writes(patched, lambda n: seen_ttl.append(redis_store.client.pttl(LOCK)))
        assert views_after_flush(article) == 1

    assert len(seen_ttl) == 1
    assert 0 < seen_ttl[0] <= 30_000
    assert not redis_store.client.exists(LOCK)  # released after the flush


@pytest.mark.django_db(transaction=True)
def test_the_flusher_renews_its_lease_while_it_writes(client, redis_store, monkeypatch):
    monkeypatch.setattr(counting, "BATCH_ROWS", 1)  # one statement per article
    articles = [ArticleFactory() for _ in range(3)]
    for article in articles:
        beacon(client, article)
    seen_ttl = {}

    def watch(n):
        if n == 1:
            redis_store.client.pexpire(LOCK, 2_000)  # the lease is nearly used up
        seen_ttl[n] = redis_store.client.pttl(LOCK)

    with monkeypatch.context() as patched:
        _during_view_day_writes(patched, watch)
        call_command("flush_view_counts", verbosity=0)

    assert seen_ttl[1] <= 2_000
    assert seen_ttl[2] > 2_000  # renewed after the first statement
    for article in articles:
        article.refresh_from_db()
        assert article.view_count == 1


@pytest.mark.django_db(transaction=True)
def test_a_flusher_that_lost_its_lease_rolls_back_and_loses_nothing(
    client, redis_store, monkeypatch
):
    monkeypatch.setattr(counting, "BATCH_ROWS", 1)
    articles = [ArticleFactory() for _ in range(2)]
    for article in articles:
        beacon(client, article)

    def lease_runs_out(n):
        if n == 1:
            # The flusher stalled past its lease and another flusher took the lock.
            redis_store.client.set(LOCK, b"another-flusher")

    with monkeypatch.context() as patched:
        _during_view_day_writes(patched, lease_runs_out)
        with pytest.raises(LockNotOwnedError):
            call_command("flush_view_counts", verbosity=0)
    assert redis_store.client.get(LOCK) == b"another-flusher"  # not freed by the loser
    assert [views_after_flush(article) for article in articles] == [0, 0]

    redis_store.client.delete(LOCK)  # the other flusher's lease ends
    assert [views_after_flush(article) for article in articles] == [1, 1]
    assert [views_after_flush(article) for article in articles] == [1, 1]


def _wait_for(condition, what: str, seconds: float = 60) -> None:
    """Wait for something another process or Redis does (not a fixed sleep)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.05)


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_a_flusher_killed_mid_write_holds_up_the_next_flush_only_for_its_lease(
    client, redis_store, settings
):
    article = ArticleFactory()
    for n in range(3):
        beacon(client, article, ip=f"203.0.113.{n}")
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "VIEW_COUNT_FLUSH_LEASE_SECONDS": "3",
    }

    # The row lock (PostgreSQL) or write lock (SQLite) this test holds stops the flusher in the
    # middle of its write, after it took the batch and the flush lock; there it is killed.
    with transaction.atomic():
        Article.objects.select_for_update().get(pk=article.pk)
        flusher = subprocess.Popen(
            [sys.executable, "manage.py", "flush_view_counts"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # It holds the lock and the batch, and on PostgreSQL has noted its transaction id.
        keys = [LOCK, counting.RedisStore.PROCESSING]
        if connection.vendor == "postgresql":
            keys.append(counting.RedisStore.PROCESSING_XID)
        try:
            _wait_for(lambda: redis_store.client.exists(*keys) == len(keys), "the flusher's write")
        finally:
            flusher.send_signal(signal.SIGKILL)
            flusher.wait()
    if connection.vendor == "postgresql":
        # The killed flusher's transaction ends once PostgreSQL notices its client is gone.
        xid = redis_store.client.get(counting.RedisStore.PROCESSING_XID)

        def ended() -> bool:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_xact_status(%s::xid8)", [xid.decode()])
                return cursor.fetchone()[0] != "in progress"

        _wait_for(ended, "the killed flusher's transaction ends")

    # Its lock runs out with its lease (not after five minutes), then the next flush writes the
    # batch once.
    _wait_for(lambda: not redis_store.client.exists(LOCK), "the dead flusher's lease runs out")
    assert views_after_flush(article) == 3
    assert views_after_flush(article) == 3
    assert daily_views(article) == {timezone.localdate(): 3}


def _beacon_from_own_visitor(article: Article, visitor: int) -> int:
    try:
        return beacon(
            Client(), article, ip=f"10.0.{visitor // 250}.{visitor % 250 + 1}"
        ).status_code
    finally:
        connections.close_all()


def _send_concurrently(article: Article, visitors: range) -> list[int]:
    # 32 clients keep the 200 requests in flight, each thread with its own DB connection;
    # more would exceed PostgreSQL's connection limit in the embedded store.
    with ThreadPoolExecutor(max_workers=32) as pool:
        return list(pool.map(lambda visitor: _beacon_from_own_visitor(article, visitor), visitors))


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_visitors_count_exactly_200_and_their_repeats_nothing(store):
    article = ArticleFactory()

    assert _send_concurrently(article, range(200)) == [204] * 200
    assert views_after_flush(article) == 200

    assert _send_concurrently(article, range(200)) == [204] * 200
    assert views_after_flush(article) == 200
    assert daily_views(article) == {timezone.localdate(): 200}


def _beacon_over_http(url: str, visitor: int) -> int:
    request = urllib.request.Request(
        url,
        data=b"view",
        method="POST",
        headers={
            "Content-Type": "text/plain",
            "User-Agent": f"{BROWSER} Leser/{visitor}",  # a visitor of their own
            "Sec-Fetch-Site": "same-origin",
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError as error:  # refused or reset: a lost view
        return repr(error)


@pytest.mark.django_db(transaction=True)
def test_200_concurrent_beacons_through_the_threaded_server_count_exactly_200(
    live_server, settings
):
    # The embedded default as `make run` serves it: a threaded WSGI server (runserver's
    # class), one database connection per request thread, SQLite in the SQLite run.
    settings.VIEW_COUNT_REDIS_URL = ""
    article = ArticleFactory(title="Überstunden richtig abrechnen")
    url = live_server.url + reverse("articles:count_view", args=[article.pk])

    for _round in range(2):  # the second round: the same visitors again, counting nothing
        with ThreadPoolExecutor(max_workers=32) as pool:
            statuses = list(pool.map(lambda visitor: _beacon_over_http(url, visitor), range(200)))
        assert statuses == [204] * 200
        article.refresh_from_db()
        assert article.view_count == 200

    assert daily_views(article) == {timezone.localdate(): 200}
