"""Background work of the articles; each task is a thin wrapper around a worker-side function."""

from __future__ import annotations

from django_tasks import task

from articles import counting, mail


@task()
def flush_view_counts() -> int:
    """Move the view counts collected in Redis to the database (no-op without Redis)."""
    return counting.flush_views()


@task()
def mail_expiring_image_licences() -> int:
    """The weekly mail to the Redaktion about image licences ending within 30 days."""
    return mail.image_licence_reminder_send()


@task()
def notify_review_requested(review_request_id: int) -> None:
    mail.review_request_notify(review_request_id=review_request_id)
