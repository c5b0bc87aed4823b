"""The moderators' mail about a held comment, sent by the worker (comments/tasks.py)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from comments.models import Comment, ModeratorMail
from karriere.outbox import automatic_message

# The role that moderates comments (karriere/roles.py); its members get the moderator mail.
MODERATION_GROUP = "Moderation"


def moderator_recipients() -> list[str]:
    """Who gets the "awaits approval" mail: the members of the Moderation group (active, with
    an address) and the addresses in ``COMMENTS_MODERATOR_EMAILS``."""
    members = (
        get_user_model()
        .objects.filter(groups__name=MODERATION_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return sorted({*settings.COMMENTS_MODERATOR_EMAILS, *members})


def moderator_message(notification: ModeratorMail) -> EmailMessage | None:
    """The "awaits approval" mail, or None when the comment was handled meanwhile or there is
    nobody to tell (built inside the outbox's claim)."""
    comment = Comment.objects.select_related("article").get(pk=notification.comment_id)
    # Handled before the mail went out (or nobody to tell): no need to disturb anyone.
    recipients = moderator_recipients()
    if comment.status != Comment.Status.PENDING or not recipients:
        return None
    admin_url = settings.SITE_URL + reverse("admin:comments_comment_change", args=[comment.pk])
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "comments/moderator_notification.txt", {"comment": comment, "admin_url": admin_url}
        )
        subject = gettext("New comment awaits approval: %(title)s") % {
            "title": comment.article.title
        }
    return automatic_message(subject=subject, body=body, to=recipients)
