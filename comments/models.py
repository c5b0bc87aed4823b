from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles.models import Article
from karriere.outbox import OutgoingMail


def comments_open(article: Article) -> bool:
    """Whether readers may comment on the article now (its flag and the optional age limit)."""
    if not article.comments_open:
        return False
    closes_at = comments_close_at(article)
    return closes_at is None or timezone.now() < closes_at


def comments_close_at(article: Article) -> datetime | None:
    """When the age limit (``COMMENTS_CLOSE_AFTER_DAYS``) closes the comments, if it does."""
    days = settings.COMMENTS_CLOSE_AFTER_DAYS
    if days and article.published_at:
        return article.published_at + timedelta(days=days)
    return None


def text_fingerprint(text: str) -> str:
    # Whitespace differences do not make a resubmitted comment new.
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


class CommentQuerySet(models.QuerySet):
    def for_article_page(self, article: Article, own_pending_ids: list[int]) -> CommentQuerySet:
        """Approved comments plus the reader's own pending ones, oldest first, in one query."""
        return (
            self.filter(article=article)
            .filter(
                Q(status=Comment.Status.APPROVED)
                | Q(pk__in=own_pending_ids, status=Comment.Status.PENDING)
            )
            # Never load e-mail, IP or user agent into the public page.
            .only(
                "id",
                "article_id",
                "parent_id",
                "name",
                "url",
                "text",
                "status",
                "created_at",
                "staff_reply",
            )
            .order_by("created_at", "id")
        )

    def pending(self) -> CommentQuerySet:
        return self.filter(status=Comment.Status.PENDING)

    def erase_client_data(self, *, older_than_days: int | None = None) -> int:
        """Erase IP address and user agent of comments older than the retention period
        (``COMMENTS_CLIENT_DATA_RETENTION_DAYS`` unless given); return how many changed."""
        if older_than_days is None:
            older_than_days = settings.COMMENTS_CLIENT_DATA_RETENTION_DAYS
        cutoff = timezone.now() - timedelta(days=older_than_days)
        return (
            self.filter(created_at__lt=cutoff)
            .exclude(ip_address__isnull=True, user_agent="")
            .update(ip_address=None, user_agent="")
        )


class Comment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        SPAM = "spam", _("Spam")
        TRASH = "trash", _("Trash")

    article = models.ForeignKey(
        Article, verbose_name=_("article"), on_delete=models.CASCADE, related_name="comments"
    )
    # SET_NULL: deleting a comment turns its replies into top-level comments, so the approved
    # count stays equal to what the page shows.
    parent = models.ForeignKey(
        "self",
        verbose_name=_("reply to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="replies",
    )
    name = models.CharField(_("name"), max_length=80)
    # Blank only after the author's data has been anonymised.
    email = models.EmailField(_("e-mail"), max_length=254, blank=True)
    url = models.URLField(_("website"), max_length=200, blank=True)
    text = models.TextField(_("comment"), max_length=5000)
    text_fingerprint = models.CharField(max_length=64, editable=False)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    previous_status = models.CharField(
        _("previous status"), max_length=10, choices=Status.choices, blank=True, editable=False
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now, db_index=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True, editable=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Kept only for abuse handling; erased after COMMENTS_CLIENT_DATA_RETENTION_DAYS.
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    # Written by the magazine from the admin; the site marks it "Redaktion".
    staff_reply = models.BooleanField(
        _("reply by the editorial team"), default=False, editable=False
    )

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        permissions = [
            ("export_comment_data", _("Can export and anonymise the comments of an e-mail address"))
        ]
        indexes = [
            models.Index(fields=["article", "status", "created_at"], name="comment_article_status"),
            models.Index(fields=["status", "-created_at"], name="comment_status_created"),
        ]
        constraints = [
            # Duplicate detection: the same text by the same e-mail on the same article.
            models.UniqueConstraint(
                fields=["article", "email", "text_fingerprint"],
                condition=~Q(email=""),
                name="comment_unique_text_per_author",
            ),
        ]

    def __str__(self):
        return f"{self.name}: {self.excerpt}"

    def save(self, *args, **kwargs):
        self.text_fingerprint = text_fingerprint(self.text)
        super().save(*args, **kwargs)

    @property
    def excerpt(self) -> str:
        text = " ".join(self.text.split())
        return text if len(text) <= 80 else text[:79] + "…"

    @property
    def safe_url(self) -> str:
        # Only web links become href values, whatever reached the database.
        return self.url if self.url.lower().startswith(("http://", "https://")) else ""

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING


class ModerationWord(models.Model):
    class Kind(models.TextChoices):
        MODERATE = "moderate", _("Hold for moderation")
        BLOCK = "block", _("Mark as spam")

    word = models.CharField(
        _("word"),
        max_length=100,
        help_text=_(
            "Matched case-insensitively anywhere in the name, e-mail, website and text "
            "(also inside longer words)."
        ),
    )
    kind = models.CharField(_("list"), max_length=10, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "word"]
        verbose_name = _("moderation word")
        verbose_name_plural = _("moderation words")
        constraints = [
            models.UniqueConstraint(fields=["word", "kind"], name="moderation_word_unique"),
        ]

    def __str__(self):
        return self.word


class ModeratorMail(OutgoingMail):
    """The "awaits approval" mail about one held comment, claimed before it is sent (never
    twice, see karriere.outbox). Undelivered ones are listed in the admin for the moderators."""

    comment = models.OneToOneField(
        Comment,
        verbose_name=_("comment"),
        on_delete=models.CASCADE,
        related_name="moderator_mail",
    )

    class Meta(OutgoingMail.Meta):
        verbose_name = _("moderator notification")
        verbose_name_plural = _("moderator notifications")

    def __str__(self):
        return str(self.comment)
