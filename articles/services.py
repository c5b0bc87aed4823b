from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import ngettext

from articles.models import (
    Article,
    Author,
    Image,
    ImageLicenceReminder,
    Tag,
    TaggedArticle,
    TagRedirect,
    unique_slug,
)
from karriere.outbox import automatic_message


@transaction.atomic
def article_publish(*, article: Article) -> Article:
    """Publish now, or keep a planned future date (then it goes live by itself)."""
    article.status = Article.Status.PUBLISHED
    if article.published_at is None:
        article.published_at = timezone.now()
    article.save()
    return article


@transaction.atomic
def article_unpublish(*, article: Article) -> Article:
    """Take the article off the site; it goes back to draft and keeps its date."""
    article.status = Article.Status.DRAFT
    article.save()
    return article


@transaction.atomic
def author_for_user(*, user: AbstractBaseUser) -> Author:
    """The user's byline profile, created on first use (as editorial staff)."""
    author = Author.objects.filter(user=user).first()
    if author is None:
        name = user.get_full_name().strip() or user.get_username()
        author = Author.objects.create(
            user=user, name=name, slug=unique_slug(Author, name), kind=Author.Kind.STAFF
        )
    return author


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
            .objects.filter(groups__name="Redaktion", is_active=True)
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


@transaction.atomic
def tag_merge(*, tags: list[Tag], name: str) -> Tag:
    """Merge ``tags`` into the tag called ``name`` (existing or new): their articles get that
    tag, the others are deleted and their addresses redirect to it."""
    target = Tag.objects.filter(name__iexact=name).order_by("pk").first()
    if target is None:
        target = Tag.objects.create(name=name)
    for tag in tags:
        if tag.pk == target.pk:
            continue
        tagged = TaggedArticle.objects.filter(tag=tag).exclude(
            content_object__in=TaggedArticle.objects.filter(tag=target).values("content_object")
        )
        tagged.update(tag=target)
        TagRedirect.objects.filter(tag=tag).update(tag=target)
        TagRedirect.objects.update_or_create(old_slug=tag.slug, defaults={"tag": target})
        tag.delete()
    return target
