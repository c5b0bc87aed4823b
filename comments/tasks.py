from __future__ import annotations

from django_tasks import task

# The services are imported inside the tasks: services imports this module to enqueue them.


@task()
def send_moderator_mail(mail_id: int) -> str:
    from comments.services import moderator_mail_send

    return moderator_mail_send(mail_id=mail_id)


@task()
def erase_comment_client_data() -> int:
    from comments.services import comment_client_data_erase

    return comment_client_data_erase()
