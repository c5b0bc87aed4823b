from __future__ import annotations

import asyncio
import email
import email.policy
import socket
import threading
from datetime import UTC, datetime

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    # SQLite's in-memory test database fails a second writer at once ("table is locked");
    # a file database waits like the embedded default does, so concurrency tests run on both.
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session", autouse=True)
def _flush_may_erase_consent_evidence():
    """Transactional tests (live server, real workers) end with a flush. On SQLite that is a
    DELETE, which the consent-evidence trigger refuses outside the erasure path (PostgreSQL
    truncates, which no row trigger sees): the flush is an erasure of everything."""
    from django.db import connection

    if connection.vendor != "sqlite":
        yield
        return
    DatabaseOperations = type(connection.ops)
    original = DatabaseOperations.execute_sql_flush

    def execute_sql_flush(self, sql_list):
        self.connection.consent_evidence_erasure = True
        try:
            original(self, sql_list)
        finally:
            self.connection.consent_evidence_erasure = False

    DatabaseOperations.execute_sql_flush = execute_sql_flush
    yield
    DatabaseOperations.execute_sql_flush = original


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    # Fast hashing, plain static files (no manifest needed), uploads in a throwaway folder.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    # As in a clean checkout: WhiteNoise indexes STATIC_ROOT whenever a test client loads the
    # middleware, 1.4 s per client once `collectstatic` has filled it (5,000 files), which
    # made the 200-visitor test take five minutes instead of twenty seconds on a used checkout.
    settings.STATIC_ROOT = tmp_path / "collected-static"
    settings.SECURE_SSL_REDIRECT = False
    # Saving content invalidates cached pages when the transaction commits, which a test's
    # transaction never does: the page cache is on only where a test turns it on (the
    # `page_cache` fixture, tests/karriere/test_pagecache.py).
    # The same for fragments of pages (karriere/fragments.py): the `fragment_cache` fixture.
    settings.PAGECACHE_ENABLED = False
    settings.FRAGMENT_CACHE_ENABLED = False


@pytest.fixture
def page_cache(settings, django_capture_on_commit_callbacks):
    """The page cache and the fragment cache switched on, as in production, and
    ``page_cache.commit()``: a context in which on-commit work (the content-version bump) runs,
    as when the transaction commits.

    A test of anything readers see on cached pages must use it: with the cache off (the test
    default) such a test passes whatever the invalidation does.
    """
    settings.PAGECACHE_ENABLED = True
    settings.FRAGMENT_CACHE_ENABLED = True

    class PageCache:
        @staticmethod
        def commit():
            return django_capture_on_commit_callbacks(execute=True)

    return PageCache()


@pytest.fixture
def fragment_cache(settings, django_capture_on_commit_callbacks):
    """Only the fragment cache switched on (pages render on every request), with
    ``fragment_cache.commit()`` as for ``page_cache``."""
    settings.FRAGMENT_CACHE_ENABLED = True

    class FragmentCache:
        @staticmethod
        def commit():
            return django_capture_on_commit_callbacks(execute=True)

    return FragmentCache()


@pytest.fixture(autouse=True)
def _no_invalidations_left_over():
    """Keys invalidated in an earlier test's transaction (rolled back, never committed) would be
    applied with this test's first commit (karriere/dependencies.py): drop them."""
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        batch = getattr(connection, "karriere_dependency_batch", None)
        if batch is not None:
            batch.keys.clear()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import caches

    # Every cache: a fragment kept in process memory must not outlive the test's data.
    for each in caches.all():
        each.clear()
    yield
    for each in caches.all():
        each.clear()


@pytest.fixture
def clock():
    """Frozen time that tests move on with ``clock.shift(seconds)``."""
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def clock_cache(settings):
    """An in-process cache, emptied, for tests that move the clock: Redis would expire entries
    in real time. (Locmem caches share their storage by location across tests.)"""
    from django.core.cache import cache

    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    cache.clear()
    yield cache
    cache.clear()


@pytest.fixture
def run_tasks(db, monkeypatch):
    """Run every queued background task, as the worker would, and return how many ran."""
    # The worker drops connections whose autocommit differs from the settings; inside a test's
    # transaction that would close the PostgreSQL connection (SQLite in memory ignores it).
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )

    def run() -> int:
        from django_tasks_db.models import DBTaskResult

        before = DBTaskResult.objects.ready().count()
        call_command(
            "db_worker",
            "--batch",
            "--no-startup-delay",
            "--no-reload",
            "--queue-name",
            "*",
            verbosity=0,
        )
        return before

    return run


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []
        # Scripted trouble: the next answers to DATA (e.g. "451 …"), and addresses whose RCPT
        # is refused with the given answer (e.g. "550 …").
        self.data_replies: list[str] = []
        self.refused: dict[str, str] = {}
        self.port = free_port()
        self.controller: Controller | None = None
        self.running = False

    def start(self) -> None:
        """Serve (again) on the same port; a test may ``stop()`` the server and start it."""
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        self.running = True

    def stop(self) -> None:
        self.controller.stop()
        self.running = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refused:
            return self.refused[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.data_replies:
            return self.data_replies.pop(0)
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


class StallingInbox:
    """Receives the whole mail, then does not answer: the worker waits for the "250" after the
    handoff, the moment whose outcome nobody can know."""

    def __init__(self):
        self.messages = []
        self.reached = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)
        self.reached.set()
        for _ in range(3600):
            if self.release.is_set():
                break
            await asyncio.sleep(0.05)
        return "250 Message accepted for delivery"


def free_port() -> int:
    """A port nothing listens on (until someone binds it): connecting is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    """A real SMTP server (aiosmtpd) on localhost that Django's SMTP backend sends to."""
    inbox = Inbox()
    inbox.start()
    settings.EMAIL_BACKEND = "karriere.mailbackend.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = inbox.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "abmelden@karriere.example"
    yield inbox
    if inbox.running:
        inbox.stop()
