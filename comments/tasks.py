"""Background work of the comments; each task is a thin wrapper around a worker-side function."""

from __future__ import annotations

from django_tasks import task

from comments import mail
from comments.models import Comment, ModeratorMail
from karriere import outbox


@task()
def send_moderator_mail(mail_id: int) -> str:
    """Mail the moderators about a held comment at most once (claim → send → mark,
    karriere.outbox); transient failures are retried, permanent ones recorded for the admin."""
    return outbox.deliver(
        ModeratorMail, mail_id, build=mail.moderator_message, retry=send_moderator_mail
    )


@task()
def erase_comment_client_data() -> int:
    return Comment.objects.erase_client_data()
