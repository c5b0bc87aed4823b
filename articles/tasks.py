"""Background work of the articles; each task is a thin wrapper around a worker-side function."""

from __future__ import annotations

from django_tasks import task

from articles import counting, mail
from articles.models import ImageLicenceReminder
from karriere import outbox


@task()
def flush_view_counts() -> int:
    """Move the view and like counts collected in Redis to the database (no-op without Redis)."""
    return counting.flush_views()


@task()
def mail_expiring_image_licences() -> str:
    """The weekly mail to the Redaktion about image licences ending within 30 days."""
    reminder = mail.licence_reminder_of_the_week()
    if reminder is None:
        return "nothing to report"
    return send_licence_reminder.call(reminder.pk)


@task()
def send_licence_reminder(reminder_id: int) -> str:
    """Deliver the week's reminder at most once (claim → send → mark, karriere.outbox)."""
    return outbox.deliver(
        ImageLicenceReminder,
        reminder_id,
        build=mail.licence_reminder_message,
        retry=send_licence_reminder,
    )


@task()
def notify_review_requested(review_request_id: int) -> None:
    mail.review_request_notify(review_request_id=review_request_id)
