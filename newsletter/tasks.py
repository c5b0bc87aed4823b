"""Background work of the newsletter; each task is a thin wrapper around a service."""

from __future__ import annotations

from django_tasks import task

from newsletter import sending, services


@task()
def send_subscriber_mail(mail_id: int) -> str:
    return services.subscriber_mail_send(mail_id=mail_id)


@task()
def purge_unconfirmed() -> int:
    return services.subscribers_purge_unconfirmed()


@task()
def prepare_issue(issue_id: int) -> int:
    return sending.issue_prepare(issue_id=issue_id)


@task()
def send_issue_batch(issue_id: int, batch: int) -> int:
    return sending.issue_batch_send(issue_id=issue_id, batch=batch)


@task()
def send_issue_test(issue_id: int, addresses: list[str]) -> None:
    sending.issue_test_mail_send(issue_id=issue_id, addresses=addresses)


@task()
def send_welcome_mail(subscriber_id: int) -> None:
    sending.welcome_mail_send(subscriber_id=subscriber_id)


@task()
def resume_stalled_issues() -> int:
    return sending.issues_resume_stalled()
