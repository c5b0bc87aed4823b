from __future__ import annotations

from django.core.management.base import BaseCommand

from newsletter.sending import subscribers_purge_unconfirmed


class Command(BaseCommand):
    help = (
        "Delete newsletter signups left unconfirmed for NEWSLETTER_UNCONFIRMED_DAYS days. "
        "Run it daily (cron or the worker's schedule)."
    )

    def handle(self, *args, **options):
        deleted = subscribers_purge_unconfirmed()
        self.stdout.write(f"Deleted {deleted} unconfirmed newsletter signup(s).")
