"""Background work of the newsletter; each task is a thin wrapper around a service."""

from __future__ import annotations

from django_tasks import task

from newsletter import services


@task()
def send_subscriber_mail(mail_id: int) -> str:
    return services.subscriber_mail_send(mail_id=mail_id)


@task()
def purge_unconfirmed() -> int:
    return services.subscribers_purge_unconfirmed()
