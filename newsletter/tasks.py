"""Background work of the newsletter; each task is a thin wrapper around a service."""

from __future__ import annotations

from django_tasks import task

from newsletter import services


@task()
def send_confirmation_mail(subscriber_id: int) -> None:
    services.confirmation_mail_send(subscriber_id=subscriber_id)


@task()
def send_unsubscribe_link_mail(subscriber_id: int) -> None:
    services.unsubscribe_link_mail_send(subscriber_id=subscriber_id)


@task()
def purge_unconfirmed() -> int:
    return services.subscribers_purge_unconfirmed()
