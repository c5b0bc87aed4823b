"""Background work of the newsletter; each task is a thin wrapper around a worker-side function
(``sending.py``, or ``karriere.outbox.deliver`` with a builder from ``mail.py``). Tasks never
import ``services``: services queue tasks, not the other way round."""

from __future__ import annotations

from django_tasks import task

from karriere import outbox
from newsletter import mail, sending
from newsletter.models import SubscriberMail


@task()
def send_subscriber_mail(mail_id: int) -> str:
    """Send a queued mail to a subscriber at most once (claim → send → mark, karriere.outbox);
    transient failures are retried, permanent ones recorded on the mail for the admin."""
    return outbox.deliver(
        SubscriberMail,
        mail_id,
        build=mail.subscriber_mail_build,
        on_sent=mail.subscriber_mail_sent,
        retry=send_subscriber_mail,
    )


@task()
def purge_unconfirmed() -> int:
    return sending.subscribers_purge_unconfirmed()


@task()
def prepare_issue(issue_id: int) -> int:
    return sending.issue_prepare(
        issue_id=issue_id, send_batch=send_issue_batch, prepare=prepare_issue
    )


@task()
def send_issue_batch(issue_id: int, batch: int) -> int:
    return sending.issue_batch_send(issue_id=issue_id, batch=batch, send_batch=send_issue_batch)


@task()
def send_issue_test(issue_id: int, addresses: list[str]) -> None:
    sending.issue_test_mail_send(issue_id=issue_id, addresses=addresses)


@task()
def send_welcome_mail(subscriber_id: int) -> None:
    sending.welcome_mail_send(subscriber_id=subscriber_id)


@task()
def resume_stalled_issues() -> int:
    return sending.issues_resume_stalled(prepare=prepare_issue, send_batch=send_issue_batch)
