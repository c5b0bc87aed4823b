from __future__ import annotations

import os

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = (
        "Create the admin account from DJANGO_SUPERUSER_USERNAME/PASSWORD/EMAIL "
        "(admin/admin in debug) unless it exists. Safe to run repeatedly."
    )

    def handle(self, *args, **options):
        username = os.environ.get("DJANGO_SUPERUSER_USERNAME", "").strip()
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD", "")
        email = os.environ.get("DJANGO_SUPERUSER_EMAIL", "").strip()
        if not username or not password:
            if not settings.DEBUG:
                raise CommandError(
                    "Set DJANGO_SUPERUSER_USERNAME and DJANGO_SUPERUSER_PASSWORD in production."
                )
            username, password = "admin", "admin"
        User = get_user_model()
        if User.objects.filter(username=username).exists():
            self.stdout.write(f"Admin account '{username}' exists already.")
            return
        User.objects.create_superuser(username=username, email=email or None, password=password)
        shown = f"{username} / {password}" if settings.DEBUG else username
        self.stdout.write(self.style.SUCCESS(f"Admin account created: {shown}"))
