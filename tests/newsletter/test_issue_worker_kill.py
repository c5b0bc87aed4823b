"""A real worker process killed with SIGKILL in the middle of an issue: once the periodic
recovery job has put its task back (karriere.taskqueue; the second worker runs with a lease of
0 s) the rest goes out, nobody gets the issue twice and nobody is skipped."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from karriere.tasks import recover_expired_tasks
from newsletter import services, tasks
from newsletter.models import Delivery, NewsletterIssue
from tests.conftest import Inbox
from tests.newsletter.issue_helpers import confirmed, make_issue

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
HOLD_AT = 7  # the mail that is in the SMTP server's hands when the worker dies


class HoldingInbox(Inbox):
    """Accepts mails, but keeps the client waiting for the answer to mail number HOLD_AT."""

    def __init__(self):
        super().__init__()
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.messages) == HOLD_AT:
            self.holding.set()
            while not self.release.is_set():  # wait inside the server, not in the test
                await asyncio.sleep(0.05)
        return answer


def database_url() -> str:
    db = django_settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{db['NAME']}"
    host = f"{db['USER']}@{db['HOST']}:{db['PORT'] or 5432}"
    return f"postgres://{host}/{db['NAME']}"


def start_worker(inbox: Inbox, *, batch: bool = True, **settings: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(inbox.port),
        "EMAIL_USE_TLS": "false",
        "NEWSLETTER_BATCH_SIZE": "5",
        **settings,
    }
    return subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay"]
        + ["--queue-name", "*", "--interval", "0.1"]
        + (["--batch"] if batch else []),
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


@pytest.fixture
def holding_inbox():
    inbox = HoldingInbox()
    inbox.start()
    yield inbox
    inbox.release.set()
    inbox.stop()


def test_worker_killed_mid_issue_resumes_without_sending_anyone_twice(holding_inbox):
    addresses = [f"leser{n:02}@example.de" for n in range(12)]
    confirmed(*addresses)
    issue = make_issue()
    services.issue_send(issue=issue, actor="newsletter")

    first = start_worker(holding_inbox)
    try:
        assert holding_inbox.holding.wait(timeout=120), first.stderr.read().decode()[-2000:]
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    holding_inbox.release.set()
    assert first.returncode == -signal.SIGKILL

    # The scheduler's job finds the dead worker's batch task past its lease and puts it back.
    recover_expired_tasks.enqueue()
    second = start_worker(holding_inbox, TASK_LEASE_SECONDS="0")
    _, errors = second.communicate(timeout=180)
    assert second.returncode == 0, errors.decode()[-2000:]

    received = [rcpt for (rcpt,) in holding_inbox.recipients]
    assert sorted(received) == addresses  # everybody, each exactly once
    figures = issue.deliveries.figures()
    assert (figures["sent"], figures["unknown"], figures["waiting"]) == (11, 1, 0)
    unknown = Delivery.objects.get(status=Delivery.Status.SENDING)
    assert unknown.subscriber.email == holding_inbox.recipients[HOLD_AT - 1][0]
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT


class SecondWorkerInbox(Inbox):
    """While the first worker waits for the answer to its first mail, a second worker runs the
    same batch to the end (a duplicated task, or a second worker host)."""

    def __init__(self, issue_id: int):
        super().__init__()
        self.issue_id = issue_id
        self.second_sent: int | None = None

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if self.second_sent is None:
            self.second_sent = 0
            loop = asyncio.get_running_loop()
            self.second_sent = await loop.run_in_executor(None, self._second_worker)
        return answer

    def _second_worker(self) -> int:
        from django.db import connection

        try:
            return tasks.send_issue_batch.call(self.issue_id, 0)
        finally:
            connection.close()


def test_two_workers_on_the_same_batch_never_mail_anyone_twice(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = "127.0.0.1", False, 30
    addresses = [f"leserin{n}@example.de" for n in range(5)]
    confirmed(*addresses)
    issue = make_issue()
    services.issue_send(issue=issue, actor="newsletter")
    tasks.prepare_issue.call(issue.pk)
    inbox = SecondWorkerInbox(issue.pk)
    inbox.start()
    settings.EMAIL_PORT = inbox.port
    try:
        first_sent = tasks.send_issue_batch.call(issue.pk, 0)
    finally:
        inbox.stop()

    assert (first_sent, inbox.second_sent) == (1, 4)
    assert sorted(rcpt for (rcpt,) in inbox.recipients) == addresses


@pytest.mark.skipif(
    django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="holds one prepare step with a row lock, which needs PostgreSQL's row locking",
)
def test_worker_killed_while_preparing_the_list_first_mails_already_out_rest_follows():
    from django.db import connection

    inbox = Inbox()
    inbox.start()
    addresses = [f"gehaltsverhandlung{n:02}@example.de" for n in range(30)]
    subscribers = confirmed(*addresses)
    issue = make_issue()
    services.issue_send(issue=issue, actor="newsletter")
    # Another transaction holds a row for the 18th subscriber: the preparation's insert of
    # batch 3 waits for it, after batches 0–2 (batches of 5) are committed.
    blocker = connection.copy()
    blocker.connect()
    blocker.set_autocommit(False)
    with blocker.cursor() as cursor:
        cursor.execute(
            "INSERT INTO newsletter_delivery (issue_id, subscriber_id, batch, status, attempts, "
            "message_id, esp_message_id, error, updated_at) "
            "VALUES (%s, %s, 99, 'cancelled', 0, '', '', '', now())",
            [issue.pk, subscribers[17].pk],
        )
    preparing = start_worker(inbox)
    sending = other = None
    try:
        wait_for(lambda: NewsletterIssue.objects.get(pk=issue.pk).batches == 3, preparing)
        # A second worker sends the prepared batches while the list is still being prepared.
        sending = start_worker(inbox, batch=False)
        wait_for(lambda: len(inbox.messages) == 15, sending)
        assert not NewsletterIssue.objects.get(pk=issue.pk).prepared

        preparing.send_signal(signal.SIGKILL)
        preparing.wait(timeout=30)
        blocker.rollback()
        sending.send_signal(signal.SIGTERM)  # idle now: it stops after its current poll
        sending.wait(timeout=60)
        # The scheduler's job puts the dead worker's prepare task back; it carries on at batch 3.
        recover_expired_tasks.enqueue()
        other = start_worker(inbox, TASK_LEASE_SECONDS="0")
        _, errors = other.communicate(timeout=180)
        assert other.returncode == 0, errors.decode()[-2000:]
    finally:
        for worker in (preparing, sending, other):
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGKILL)
                worker.wait(timeout=30)
        blocker.close()
        inbox.stop()

    assert sorted(rcpt for (rcpt,) in inbox.recipients) == addresses  # each exactly once
    figures = issue.deliveries.figures()
    assert (figures["sent"], figures["unknown"], figures["waiting"]) == (30, 0, 0)
    assert sorted(set(Delivery.objects.values_list("batch", flat=True))) == [0, 1, 2, 3, 4, 5]
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT


def wait_for(condition, worker: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if worker.poll() is not None:
            raise AssertionError(worker.stderr.read().decode()[-2000:])
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
