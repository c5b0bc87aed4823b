from __future__ import annotations

from django.core.management.base import BaseCommand

from articles import counting


class Command(BaseCommand):
    help = (
        "Move the view and like counts collected in Redis to the database, once. The scheduler "
        "(run_periodic_jobs) enqueues the same flush every VIEW_COUNT_FLUSH_SECONDS."
    )

    def handle(self, *args, **options):
        self.stdout.write(f"{counting.flush_views()} views and likes written")
