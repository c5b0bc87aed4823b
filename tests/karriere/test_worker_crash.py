"""Real `manage.py db_worker` processes killed with SIGKILL in the middle of sending a mail.

A second worker takes the task up once its lease has run out (here the second worker runs with
a lease of 0 s; the length of the lease is tested in test_task_recovery.py). A mail is sent at
most once: killed before the SMTP handoff it goes out exactly once; killed during the handoff it
is marked "Zustellung unklar" for a person to resend, never sent again by itself.
Runs on the suite's database: a SQLite file or PostgreSQL.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.db import connection
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from karriere.tasks import recover_expired_tasks
from newsletter.models import ConsentText, SubscriberMail
from newsletter.services import subscriber_mails_resend, subscription_request
from tests.conftest import StallingInbox, free_port

# Generous bound for a loaded 2-core machine; the tests wait for events, not for time.
STARTUP_BOUND = 180
ADDRESS = "weiterbildung@example.de"


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    password = f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else ""
    return f"postgres://{quote(db['USER'])}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


class Worker:
    """`manage.py db_worker` in its own process, on the test database."""

    def __init__(self, tmp_path: Path, name: str, *, smtp_port: int, batch: bool, **env: str):
        self.log = tmp_path / f"{name}.log"
        args = ["--batch"] if batch else ["--interval", "0.1"]
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"]
            + ["--no-startup-delay", "--worker-id", name, *args],
            cwd=settings.BASE_DIR,
            env={
                **os.environ,
                "DATABASE_URL": database_url(),
                "DJANGO_CONN_MAX_AGE": "0",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(smtp_port),
                "EMAIL_USE_TLS": "false",
                "EMAIL_TIMEOUT": "600",  # the stalled server must not time out before the kill
                **env,
            },
            stdout=self.log.open("w"),
            stderr=subprocess.STDOUT,
        )

    def kill(self) -> None:
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=STARTUP_BOUND)

    def finish(self) -> None:
        """Wait for a --batch worker to run out of tasks."""
        assert self.process.wait(timeout=STARTUP_BOUND) == 0, self.log.read_text()


@pytest.fixture
def workers(tmp_path):
    started: list[Worker] = []

    def start(name: str, **kwargs) -> Worker:
        started.append(Worker(tmp_path, name, **kwargs))
        return started[-1]

    yield start
    for worker in started:
        worker.kill()


class SilentServer:
    """Accepts the TCP connection and never greets: the worker waits inside connection.open(),
    before it claims the mail."""

    def __init__(self):
        self.socket = socket.create_server(("127.0.0.1", 0))
        self.socket.settimeout(STARTUP_BOUND)
        self.port = self.socket.getsockname()[1]

    def wait_for_client(self) -> socket.socket:
        client, _ = self.socket.accept()
        return client


def sign_up() -> None:
    subscription_request(
        email=ADDRESS,
        consent_text=ConsentText.objects.current(),
        ip="203.0.113.9",
        user_agent="Testbrowser/1.0",
        page="/weiterbildung/",
    )


def mail_task() -> DBTaskResult:
    return DBTaskResult.objects.get(task_path="newsletter.tasks.send_subscriber_mail")


def run_the_recovery_job(workers, name: str, smtp_port: int, **env: str) -> None:
    """What the scheduler does every minute: queue the recovery job; a second worker runs it,
    then whatever task it freed."""
    recover_expired_tasks.enqueue()
    workers(name, smtp_port=smtp_port, batch=True, **env).finish()


def take_up_with_a_second_worker(workers, smtp_port: int) -> None:
    run_the_recovery_job(workers, "zweiter", smtp_port, TASK_LEASE_SECONDS="0")


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_before_the_smtp_handoff_leaves_a_mail_that_goes_out_exactly_once(
    workers, smtp_inbox
):
    sign_up()
    silent = SilentServer()
    first = workers("erster", smtp_port=silent.port, batch=False)
    client = silent.wait_for_client()
    first.kill()
    client.close()

    assert mail_task().status == "RUNNING"  # what a dead worker leaves behind
    assert SubscriberMail.objects.get().state == "queued"  # not claimed: nothing went out

    # Within the lease (the default 10 minutes) the task is left alone.
    run_the_recovery_job(workers, "geduldig", smtp_inbox.port)
    assert mail_task().status == "RUNNING"
    assert smtp_inbox.messages == []

    take_up_with_a_second_worker(workers, smtp_inbox.port)

    assert len(smtp_inbox.messages) == 1
    assert smtp_inbox.recipients == [[ADDRESS]]
    assert SubscriberMail.objects.get().state == "sent"
    task = mail_task()
    assert (task.status, task.worker_ids) == ("SUCCESSFUL", ["erster", "zweiter"])


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_during_the_smtp_handoff_never_sends_twice_and_asks_a_person(
    workers, smtp_inbox, run_tasks, admin_client
):
    sign_up()
    stalling = StallingInbox()
    server = Controller(stalling, hostname="127.0.0.1", port=free_port())
    server.start()
    try:
        first = workers("erster", smtp_port=server.port, batch=False)
        assert stalling.reached.wait(STARTUP_BOUND), first.log.read_text()
        first.kill()
    finally:
        stalling.release.set()
        server.stop()
    assert SubscriberMail.objects.get().state == "sending"
    assert len(stalling.messages) == 1  # the server may well deliver it

    take_up_with_a_second_worker(workers, smtp_inbox.port)

    mail = SubscriberMail.objects.get()
    assert mail.state == "unknown"
    assert smtp_inbox.messages == []  # not sent a second time
    assert mail_task().status == "SUCCESSFUL"
    listing = admin_client.get(
        reverse("admin:newsletter_subscribermail_changelist"), {"zustellung": "nicht-zugestellt"}
    ).content.decode()
    assert "Zustellung unklar" in listing and "an den Mailserver übergab" in listing

    # A person asks the reader, or simply sends it again: it goes out once more.
    assert subscriber_mails_resend(mails=SubscriberMail.objects.all()) == 1
    run_tasks()
    assert len(smtp_inbox.messages) == 1
    assert SubscriberMail.objects.get().state == "sent"
