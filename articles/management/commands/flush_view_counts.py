from __future__ import annotations

import logging
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from articles import counting

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Move the view counts collected in Redis to the database. With --loop it keeps "
        "flushing every VIEW_COUNT_FLUSH_SECONDS (or the given seconds) until stopped."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--loop",
            nargs="?",
            type=int,
            const=0,
            default=None,
            metavar="SECONDS",
            help="Flush repeatedly; the interval defaults to VIEW_COUNT_FLUSH_SECONDS.",
        )

    def handle(self, *args, loop: int | None = None, **options):
        interval = loop or settings.VIEW_COUNT_FLUSH_SECONDS
        while True:
            if loop is None:
                self.stdout.write(f"{counting.flush_views()} views written")
                return
            try:
                if written := counting.flush_views():
                    self.stdout.write(f"{written} views written")
            except Exception:
                # Keep looping through a database or Redis outage: the counts stay in Redis
                # and the next flush takes them.
                logger.exception("Flushing view counts failed")
            time.sleep(interval)
