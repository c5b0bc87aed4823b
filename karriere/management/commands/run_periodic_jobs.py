from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import IntegrityError, transaction
from django.utils.module_loading import import_string

from karriere.models import PeriodicJobClaim

# Claims are kept this long after their slot, so a scheduler running late (a slow cron
# start, a host whose clock is behind) still finds the slot taken.
CLAIM_RETENTION_SECONDS = 24 * 3600


def enqueue_due_jobs(now: float | None = None) -> list[str]:
    """Enqueue every periodic job whose interval slot has not been claimed yet.

    The claim is a row in the database, inserted in the same transaction as the task, so two
    schedulers (or a scheduler and cron, or two cron runs) never enqueue the same job twice in
    one interval, and a failed enqueue leaves the slot free.
    """
    now = time.time() if now is None else now
    enqueued = []
    for name, (task_path, interval) in settings.PERIODIC_JOBS.items():
        slot = int(now // interval)
        try:
            with transaction.atomic():
                PeriodicJobClaim.objects.create(job=name, slot=slot)
                import_string(task_path).enqueue()
        except IntegrityError:
            continue  # claimed already
        enqueued.append(name)
        oldest_kept = int((now - max(interval, CLAIM_RETENTION_SECONDS)) // interval)
        PeriodicJobClaim.objects.filter(job=name, slot__lt=oldest_kept).delete()
    return enqueued


def seconds_to_next_slot(now: float) -> float:
    intervals = [interval for _task, interval in settings.PERIODIC_JOBS.values()]
    return min((interval - now % interval for interval in intervals), default=60.0)


class Command(BaseCommand):
    help = (
        "Enqueue the periodic background jobs (settings.PERIODIC_JOBS) for the task worker. "
        "Runs forever; with --once it enqueues what is due and exits (for cron)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Enqueue due jobs and exit.")

    def handle(self, *args, once: bool = False, **options):
        while True:
            for name in enqueue_due_jobs():
                self.stdout.write(f"enqueued {name}")
            if once:
                return
            # Sleep until the next slot starts instead of asking the database every second.
            time.sleep(seconds_to_next_slot(time.time()) + 0.01)
