"""The editorial team's mails, sent by the worker (articles/tasks.py), never in a request."""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
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


@transaction.atomic
def image_licence_reminder_send(*, today: date | None = None) -> int:
    """Mail the Redaktion the images whose licence ends within 30 days, once per week.

    Returns how many images the mail listed (0: nothing to report, no one to tell, or this
    week's mail went out already). The week's row is claimed in the same transaction as the
    mail is sent, so a retried or doubled task never sends it twice.
    """
    today = today or timezone.localdate()
    images = list(Image.objects.expiring(days=30).with_usage().order_by("licence_until", "title"))
    recipients = sorted(
        set(
            get_user_model()
            .objects.filter(groups__name=EDITORIAL_GROUP, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        | set(settings.ARTICLES_IMAGE_LICENCE_EMAILS)
    )
    if not images or not recipients:
        return 0
    week = today - timedelta(days=today.weekday())
    _, claimed = ImageLicenceReminder.objects.get_or_create(week=week)
    if not claimed:
        return 0
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
    automatic_message(subject=subject, body=body, to=recipients).send()
    return len(images)
