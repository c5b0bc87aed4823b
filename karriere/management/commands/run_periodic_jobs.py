from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string


def enqueue_due_jobs(now: float | None = None) -> list[str]:
    """Enqueue every periodic job whose interval slot has not been claimed yet.

    The slot claim lives in the shared cache, so two schedulers (or a scheduler and cron)
    never enqueue the same job twice in one interval.
    """
    now = time.time() if now is None else now
    enqueued = []
    for name, (task_path, interval) in settings.PERIODIC_JOBS.items():
        slot = int(now // interval)
        if cache.add(f"karriere:periodic:{name}:{slot}", 1, timeout=interval * 2):
            import_string(task_path).enqueue()
            enqueued.append(name)
    return enqueued


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
            time.sleep(1)
