from __future__ import annotations

from django_tasks import task

from articles import counting
from articles.services import image_licence_reminder_send


@task()
def flush_view_counts() -> int:
    """Move the view counts collected in Redis to the database (no-op without Redis)."""
    return counting.flush_views()


@task()
def mail_expiring_image_licences() -> int:
    """The weekly mail to the Redaktion about image licences ending within 30 days."""
    return image_licence_reminder_send()
