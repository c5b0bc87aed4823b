"""The editorial team's mails, sent by the worker (articles/tasks.py), never in a request."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from articles.models import Image, ImageLicenceReminder, ReviewRequest
from karriere.outbox import automatic_message

# The role that reviews and publishes (karriere/roles.py); it gets the review mails.
EDITORIAL_GROUP = "Redaktion"


def review_request_notify(*, review_request_id: int) -> None:
    """Mail the editorial team (members of the Redaktion group) about an article awaiting
    review, at most once per request."""
    with transaction.atomic():
        request = (
            ReviewRequest.objects.select_for_update(of=("self",))
            .select_related("article", "requested_by")
            .filter(pk=review_request_id, notified_at__isnull=True)
            .first()
        )
        if request is None:
            return
        recipients = list(
            get_user_model()
            .objects.filter(groups__name=EDITORIAL_GROUP, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
            .distinct()
        )
        if recipients:
            admin_url = settings.SITE_URL + reverse(
                "admin:articles_article_change", args=[request.article_id]
            )
            body = render_to_string(
                "articles/review_request_mail.txt", {"request": request, "admin_url": admin_url}
            )
            subject = gettext("Please review: %(title)s") % {"title": request.article.title}
            send_mail(subject, body, None, recipients)
        # Marked in the same transaction, so a retried task does not send a second mail.
        request.notified_at = timezone.now()
        request.save(update_fields=["notified_at"])


def _licence_reminder_content() -> tuple[list[Image], list[str]]:
    """The images whose licence ends within 30 days, and who is told about them (the Redaktion
    and ``ARTICLES_IMAGE_LICENCE_EMAILS``)."""
    images = list(Image.objects.expiring(days=30).with_usage().order_by("licence_until", "title"))
    members = (
        get_user_model()
        .objects.filter(groups__name=EDITORIAL_GROUP, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return images, sorted({*members, *settings.ARTICLES_IMAGE_LICENCE_EMAILS})


def licence_reminder_of_the_week() -> ImageLicenceReminder | None:
    """This week's reminder, queued when there is something to report and someone to tell;
    None otherwise. The row is unique per week, so the mail goes out once a week at most."""
    images, recipients = _licence_reminder_content()
    if not images or not recipients:
        return None
    today = timezone.localdate()
    reminder, _ = ImageLicenceReminder.objects.get_or_create(
        week=today - timedelta(days=today.weekday())
    )
    return reminder


def licence_reminder_message(reminder: ImageLicenceReminder) -> EmailMessage | None:
    """The reminder mail listing the ending licences, or None when nothing is left to report
    (built inside the outbox's claim)."""
    images, recipients = _licence_reminder_content()
    if not images or not recipients:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "articles/mail/licence_reminder.txt",
            {
                "images": images,
                "admin_url": settings.SITE_URL
                + reverse("admin:articles_image_changelist")
                + "?lizenz=endet",
                "site_url": settings.SITE_URL,
            },
        )
        subject = ngettext(
            "Image licences: %(count)d licence ends within 30 days",
            "Image licences: %(count)d licences end within 30 days",
            len(images),
        ) % {"count": len(images)}
    return automatic_message(subject=subject, body=body, to=recipients)
