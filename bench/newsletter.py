"""Newsletter sending benchmark: one issue to N generated subscribers through a local SMTP sink.

    python -m bench.newsletter            # 10,000 subscribers, 1 and 2 workers
    BENCH_SUBSCRIBERS=10000,100000 python -m bench.newsletter
    BENCH_DATABASE=karriere_x_bench BENCH_REDIS_URL=redis://127.0.0.1:6379/8 \
        BENCH_SMTP_PORT=8825 python -m bench.newsletter   # beside other checkouts

For each list size and worker count: a fresh issue is sent by real ``db_worker`` processes
(PostgreSQL, the task database queue) to an aiosmtpd server that accepts and discards every
mail. Measured: mails per second (first to last mail, and from "send" to the last), time from
"send" to the first mail, peak resident memory of each worker (VmHWM), and SQL queries of one
prepare run and of one batch (Django's query capture, in this process). The figures replace the
"Newsletter sending" section of bench/RESULTS.md; ``make bench`` keeps that section.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.run.harness import (
    PG,
    REDIS_URL,
    SECRET_KEY,
    ensure_database,
    load_average,
    log,
    machine,
)

ROOT = Path(__file__).resolve().parents[1]
# Several checkouts share one machine: each picks its own database, Redis db and SMTP port.
DATABASE = os.environ.get("BENCH_DATABASE", "karriere_bench_newsletter")
BENCH_REDIS_URL = os.environ.get("BENCH_REDIS_URL", REDIS_URL)
SMTP_PORT = int(os.environ.get("BENCH_SMTP_PORT", "0"))
BATCH_SIZE = 500
SECTION = "## Newsletter sending"
PROGRESS_EVERY_S = 60


def worker_env(smtp_port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "karriere.settings",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": SECRET_KEY,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_LOG_LEVEL": "WARNING",
        "DATABASE_URL": f"{PG}/{DATABASE}",
        "REDIS_URL": BENCH_REDIS_URL,
        "CACHE_KEY_PREFIX": f"bench-{DATABASE}",
        "SITE_URL": "https://karriere.example",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "EMAIL_USE_TLS": "false",
        "NEWSLETTER_BATCH_SIZE": str(BATCH_SIZE),
        "PYTHONPATH": str(ROOT),
    }


class Sink:
    """An SMTP server that counts and drops mails, noting the first and last arrival."""

    def __init__(self):
        self.count = 0
        self.first: float | None = None
        self.last: float | None = None
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        with self.lock:
            self.count += 1
            self.first = self.first or now
            self.last = now
        return "250 OK"


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def seed(subscribers: int) -> None:
    from django.db import connection

    from articles.models import Article, Author, Category
    from articles.services import article_save

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE newsletter_delivery, newsletter_issuearticle, newsletter_newsletterissue, "
            "newsletter_consentevent, newsletter_subscribermail, newsletter_subscriber, "
            "django_tasks_database_dbtaskresult"
        )
        # Generated in SQL: 100,000 rows take a second, not a minute.
        cursor.execute(
            "INSERT INTO newsletter_subscriber (email, status, public_id, requested_at, "
            "confirmed_at) SELECT 'leserin' || n || '@example.de', 'confirmed', "
            "gen_random_uuid(), now(), now() FROM generate_series(1, %s) AS n",
            [subscribers],
        )
    if not Article.objects.published().exists():
        # get_or_create: a run that stopped half-way may have left them behind.
        category, _ = Category.objects.get_or_create(name="Gehalt & Verhandlung", slug="gehalt")
        author, _ = Author.objects.get_or_create(name="Jürgen Groß", slug="juergen-gross")
        for n in range(5):
            article_save(
                article=Article(
                    title=f"Gehaltserhöhung verhandeln, Teil {n + 1}",
                    teaser="Wie du Weiterbildungsmöglichkeiten und Gehalt zusammen ansprichst.",
                    body="<p>Text</p>",
                    category=category,
                    status=Article.Status.PUBLISHED,
                ),
                authors=[author],
            )


def new_issue(subject: str):
    from newsletter import services
    from newsletter.models import NewsletterIssue

    issue = NewsletterIssue.objects.create(
        subject=subject,
        preheader="Drei Tipps für dein nächstes Jahresgespräch",
        intro="<p>Liebe Leserin, lieber Leser, diesmal geht’s ums Geld.</p>",
    )
    services.issue_fill_newest(issue=issue, count=5)
    return issue


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far: unlike wall time, not inflated by other
    work on a shared machine."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def send_once(subscribers: int, workers: int, smtp_port: int, sink: Sink) -> dict:
    from newsletter import services
    from newsletter.models import NewsletterIssue

    issue = new_issue(f"Bench {subscribers} × {workers}")
    processes = [
        subprocess.Popen(
            [sys.executable, "manage.py", "db_worker", "--queue-name", "*", "--no-reload"]
            + ["--interval", "0.2", "--no-startup-delay"],
            cwd=ROOT,
            env=worker_env(smtp_port),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    time.sleep(3)  # let the workers import Django and start polling, as they would be
    with sink.lock:
        sink.count, sink.first, sink.last = 0, None, None
    cpu_before = sum(cpu_seconds(p.pid) for p in processes)
    loads = [float(load_average())]
    started = time.monotonic()
    services.issue_send(issue=issue, actor="bench")
    prepared_at = None
    next_report = started + PROGRESS_EVERY_S
    try:
        while True:
            time.sleep(0.25)
            status, prepared = NewsletterIssue.objects.filter(pk=issue.pk).values_list(
                "status", "prepared"
            )[0]
            now = time.monotonic()
            if prepared and prepared_at is None:
                prepared_at = now
            if status == NewsletterIssue.Status.SENT:
                break
            if now >= next_report:
                # A run the session cannot wait for still leaves its figures in the log.
                loads.append(float(load_average()))
                log(
                    f"  {sink.count:,} of {subscribers:,} mails after {now - started:.0f} s "
                    f"({sink.count / (now - started):.1f}/s), list prepared: {prepared}, "
                    f"worker RSS MiB: {[round(peak_rss_mb(p.pid)) for p in processes]}, "
                    f"load {loads[-1]}"
                )
                next_report = now + PROGRESS_EVERY_S
            if now - started > 4 * 3600:
                raise RuntimeError("issue not sent within four hours")
        done = time.monotonic()
        loads.append(float(load_average()))
        peaks = [peak_rss_mb(p.pid) for p in processes]
        cpu = sum(cpu_seconds(p.pid) for p in processes) - cpu_before
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=60)
    figures = issue.deliveries.figures()
    assert figures["sent"] == subscribers == sink.count, (figures, sink.count)
    return {
        "subscribers": subscribers,
        "workers": workers,
        "first_mail_s": sink.first - started,
        "prepared_s": (prepared_at or done) - started,
        "total_s": done - started,
        "rate_send_to_last": subscribers / (sink.last - started),
        "rate_first_to_last": subscribers / max(sink.last - sink.first, 1e-9),
        "peak_rss_mb": max(peaks),
        "cpu_ms_per_mail": cpu * 1000 / subscribers,
        "load": (min(loads), max(loads)),
    }


def queries_per_batch() -> tuple[int, int, int]:
    """SQL of one prepare run (``PREPARE_BATCHES_PER_RUN`` batches) and of one batch of
    BATCH_SIZE recipients (mails to locmem)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext, override_settings

    from newsletter import services, tasks

    issue = new_issue("Bench queries")
    services.issue_send(issue=issue, actor="bench")
    with CaptureQueriesContext(connection) as prepare:
        batches = tasks.prepare_issue.call(issue.pk)
    with (
        override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        CaptureQueriesContext(connection) as batch,
    ):
        tasks.send_issue_batch.call(issue.pk, 0)
    services.issue_cancel(issue=issue)
    with connection.cursor() as cursor:  # its other batches' tasks are not part of the run
        cursor.execute("TRUNCATE django_tasks_database_dbtaskresult")
    return len(prepare), batches, len(batch)


def report(rows: list[dict], queries: dict, load: tuple[str, str], pending: list[str]) -> str:
    lines = [
        SECTION,
        "",
        f"- Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; {os.cpu_count()} cores; "
        f"load average (1 min) at start / now: {load[0]} / {load[1]}",
        f"- Machine: {machine()}",
        f"- `python -m bench.newsletter`: real `db_worker` processes (PostgreSQL queue, polling "
        f"every 0.2 s), batches of {BATCH_SIZE}, SMTP to a local aiosmtpd sink in the bench "
        "process (no TLS); the issue has 5 article cards, HTML with inlined CSS and text.",
        "- Send → first mail: from the confirmed send until the sink has the first mail; the "
        "list is prepared one batch per transaction, so this does not wait for the whole list "
        "(send → list prepared). Worker CPU: user + system time of all workers from send to "
        "done, divided by the mails (PostgreSQL's share and the SMTP sink's are not in it); on "
        "a shared machine it is the steadier figure. Load: 1-minute load average sampled "
        "every minute of the run (min–max).",
        "",
        "| Subscribers | Workers | send → first mail s | send → list prepared s | send → done s "
        "| mails/s (send → last) | mails/s (first → last) | worker CPU ms per mail "
        "| peak worker RSS MiB | load during run |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        lines.append(
            f"| {row['subscribers']:,} | {row['workers']} | {row['first_mail_s']:.2f} "
            f"| {row['prepared_s']:.1f} | {row['total_s']:.1f} | {row['rate_send_to_last']:.0f} "
            f"| {row['rate_first_to_last']:.0f} | {row['cpu_ms_per_mail']:.1f} "
            f"| {row['peak_rss_mb']:.0f} |".replace(",", " ")
            + f" {row['load'][0]:.1f}–{row['load'][1]:.1f} |"
        )
    if pending:
        lines += ["", f"Still running when this was written: {', '.join(pending)}."]
    lines += [
        "",
        "| Subscribers | one prepare run: SQL queries (batches) | one batch of "
        f"{BATCH_SIZE}: SQL queries | per recipient |",
        "|---:|---:|---:|---:|",
    ]
    for subscribers, (prepare, batches, batch) in queries.items():
        lines.append(
            f"| {subscribers:,} | {prepare} ({batches}) | {batch} "
            f"| {batch / BATCH_SIZE:.2f} |".replace(",", " ")
        )
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    results = ROOT / "bench" / "RESULTS.md"
    current = results.read_text() if results.exists() else ""
    kept = current.split(SECTION)[0].rstrip()
    results.write_text(f"{kept}\n\n{text}" if kept else text)


def main() -> None:
    # PostgreSQL must be up (make bench starts it); no wrk, no Redis needed here.
    sizes = [int(s) for s in os.environ.get("BENCH_SUBSCRIBERS", "10000").split(",") if s]
    worker_counts = [int(s) for s in os.environ.get("BENCH_WORKERS", "1,2").split(",") if s]
    ensure_database(DATABASE, None)
    env = worker_env(0)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update({k: v for k, v in env.items() if k not in ("EMAIL_HOST", "EMAIL_PORT")})
    import django

    django.setup()
    from aiosmtpd.controller import Controller

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=SMTP_PORT or free_port())
    controller.start()
    load_start = load_average()
    runs = [(size, workers) for size in sizes for workers in worker_counts]
    rows, queries = [], {}
    try:
        for size, workers in runs:
            if size not in queries:
                log(f"seeding {size:,} confirmed subscribers")
                seed(size)
                queries[size] = queries_per_batch()
            log(f"sending to {size:,} with {workers} worker(s), load {load_average()}")
            rows.append(send_once(size, workers, controller.port, sink))
            log(str(rows[-1]))
            # Written after every run: a session that ends early keeps what finished.
            pending = [f"{s:,} × {w} worker(s)" for s, w in runs[len(rows) :]]
            write_section(report(rows, queries, (load_start, load_average()), pending))
    finally:
        controller.stop()
    print("\n" + (ROOT / "bench" / "RESULTS.md").read_text().split(SECTION)[1])


if __name__ == "__main__":
    main()
