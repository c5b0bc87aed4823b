from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand

from comments.models import Comment


class Command(BaseCommand):
    help = (
        "Erase IP address and user agent of comments older than "
        "COMMENTS_CLIENT_DATA_RETENTION_DAYS (run daily)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help=f"Retention in days (default: {settings.COMMENTS_CLIENT_DATA_RETENTION_DAYS}).",
        )

    def handle(self, *args, days=None, **options):
        count = Comment.objects.erase_client_data(older_than_days=days)
        self.stdout.write(f"Erased IP address and user agent of {count} comment(s).")
