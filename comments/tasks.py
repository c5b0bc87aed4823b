from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import task

from comments.models import Comment


@task()
def notify_moderators(comment_id: int) -> None:
    """Mail the moderators about a comment awaiting approval, at most once per comment."""
    with transaction.atomic():
        comment = (
            Comment.objects.select_for_update()
            .select_related("article")
            .filter(pk=comment_id, moderators_notified_at__isnull=True)
            .first()
        )
        # Imported here: services imports this module to enqueue notify_moderators.
        from comments.services import moderator_recipients

        recipients = moderator_recipients()
        if comment is None or not recipients:
            return
        admin_url = settings.SITE_URL + reverse("admin:comments_comment_change", args=[comment.pk])
        body = render_to_string(
            "comments/moderator_notification.txt", {"comment": comment, "admin_url": admin_url}
        )
        subject = gettext("New comment awaits approval: %(title)s") % {
            "title": comment.article.title
        }
        send_mail(subject, body, None, recipients)
        # Marked in the same transaction, so a retried task does not send a second mail.
        comment.moderators_notified_at = timezone.now()
        comment.save(update_fields=["moderators_notified_at"])


@task()
def erase_comment_client_data() -> int:
    # Imported here: services imports this module to enqueue notify_moderators.
    from comments.services import comment_client_data_erase

    return comment_client_data_erase()
