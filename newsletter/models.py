from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from ckeditor.fields import RichTextField
from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from articles import invalidation
from articles.models import Article
from articles.text import sanitize_body
from karriere.outbox import ClaimedMail, OutgoingMail

# Split by topic (README, *Architecture*); imported here so `newsletter.models` names them all.
from newsletter.signup import IpThrottle, WelcomeMail, normalise_email  # noqa: F401


class ImmutableRecordError(Exception):
    """Raised on an attempt to change evidence that must stay as it was recorded."""


class ConsentTextQuerySet(models.QuerySet):
    def current(self) -> ConsentText | None:
        """The version the signup form shows: always the newest."""
        return self.order_by("-version").first()


class ConsentText(models.Model):
    """The wording a subscriber agreed to. Editors add versions; a used version never changes."""

    version = models.PositiveIntegerField(_("version"), unique=True, editable=False)
    text = models.TextField(
        _("consent text"),
        help_text=_("Shown next to the unticked checkbox of every signup form."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = ConsentTextQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")

    def __str__(self):
        return _("Version %(version)s") % {"version": self.version}

    def save(self, *args, **kwargs):
        if self.is_used:
            stored = ConsentText.objects.get(pk=self.pk)
            if stored.text != self.text:
                raise ImmutableRecordError(f"Consent text version {self.version} is in use.")
        if self.version is None:
            latest = ConsentText.objects.aggregate(models.Max("version"))["version__max"]
            self.version = (latest or 0) + 1
        super().save(*args, **kwargs)
        # The signup box sits on cached pages; they must show the new wording once it is
        # committed (a page rendered before the commit would be cached as the new version).
        invalidation.consent_text_changed()

    def delete(self, *args, **kwargs):
        if self.is_used:
            raise ImmutableRecordError(f"Consent text version {self.version} is in use.")
        return super().delete(*args, **kwargs)

    @property
    def is_used(self) -> bool:
        return self.pk is not None and self.events.exists()


class SubscriberQuerySet(models.QuerySet):
    def for_address(self, email: str) -> SubscriberQuerySet:
        return self.filter(email__iexact=email)

    def confirmed(self) -> SubscriberQuerySet:
        """Who gets an issue: the number the editor confirms, the list the worker streams."""
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def recipients_since(self, started_at: datetime) -> SubscriberQuerySet:
        """An issue's recipients: confirmed when its sending began. The list is prepared in
        steps while sending already runs; whoever confirms meanwhile gets the next issue, so
        the set does not depend on how far the preparation had got."""
        return self.confirmed().filter(confirmed_at__lte=started_at)

    def unconfirmed_since(self, cutoff: datetime) -> SubscriberQuerySet:
        return self.filter(status=Subscriber.Status.PENDING, requested_at__lt=cutoff)

    def status_counts(self) -> dict[str, int]:
        counts = dict(self.values_list("status").annotate(n=models.Count("pk")).order_by())
        return {status: counts.get(status, 0) for status in Subscriber.Status.values}


class Subscriber(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")

    email = models.EmailField(_("e-mail address"), max_length=254)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PENDING
    )
    # Random, unguessable id that the signed unsubscribe token carries (never the address).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_at = models.DateTimeField(_("last signup request"), default=timezone.now)
    confirmed_at = models.DateTimeField(_("confirmed"), null=True, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed"), null=True, blank=True)
    # Only a SHA-256 of the confirmation token is stored; the token itself exists in the mail.
    confirm_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    confirm_token_expires_at = models.DateTimeField(null=True, blank=True)
    confirm_token_used_at = models.DateTimeField(null=True, blank=True)
    link_mail_sent_at = models.DateTimeField(_("last unsubscribe link mail"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ["-requested_at"]
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="newsletter_subscriber_email_ci_unique"),
        ]
        indexes = [models.Index(fields=["status", "requested_at"])]
        permissions = [
            ("export_subscriber", _("Can export confirmed subscribers as CSV")),
            ("erase_subscriber", _("Can erase subscribers (right to erasure)")),
        ]

    def __str__(self):
        return self.email

    def confirm_token_state(self, now: datetime) -> str:
        if self.confirm_token_used_at is not None:
            return "used"
        if self.confirm_token_expires_at is None or self.confirm_token_expires_at <= now:
            return "expired"
        return "valid"

    @staticmethod
    def confirm_token_lifetime() -> timedelta:
        return timedelta(hours=settings.NEWSLETTER_CONFIRM_TOKEN_HOURS)


class SubscriberMail(OutgoingMail):
    """One mail to one subscriber, claimed before it is sent (never twice, see karriere.outbox).
    Undelivered ones are listed in the admin for the Newsletter role to send again."""

    class Kind(models.TextChoices):
        CONFIRMATION = "confirmation", _("Confirmation request")
        UNSUBSCRIBE_LINK = "unsubscribe_link", _("Unsubscribe link")

    subscriber = models.ForeignKey(
        Subscriber, verbose_name=_("subscriber"), on_delete=models.CASCADE, related_name="mails"
    )
    kind = models.CharField(_("mail"), max_length=20, choices=Kind.choices)

    class Meta(OutgoingMail.Meta):
        verbose_name = _("mail to a subscriber")
        verbose_name_plural = _("mails to subscribers")

    def __str__(self):
        return f"{self.get_kind_display()} → {self.subscriber}"


class ConsentEventQuerySet(models.QuerySet):
    # Evidence is append-only: bulk edits and deletes are refused here and, for every other way
    # in (raw SQL, _base_manager), by database triggers (newsletter/evidence.py). Erasing a
    # subscriber removes its events through the deletion collector inside evidence_erasure().
    def update(self, **kwargs):
        raise ImmutableRecordError("Consent events cannot be changed.")

    def delete(self):
        raise ImmutableRecordError("Consent events cannot be deleted.")


class ConsentEvent(models.Model):
    class Kind(models.TextChoices):
        SIGNUP_REQUESTED = "signup_requested", _("Signup requested")
        CONFIRMATION_SENT = "confirmation_sent", _("Confirmation mail sent")
        CONFIRMED = "confirmed", _("Confirmed")
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        ERASED = "erased", _("Erased")
        ISSUE_SENT = "issue_sent", _("Newsletter issue sent")
        WELCOME_SENT = "welcome_sent", _("Welcome mail sent")

    class Channel(models.TextChoices):
        WEB = "web", _("Web page")
        ONE_CLICK = "one_click", _("One-click unsubscribe (mail client)")
        MAIL = "mail", _("E-mail")
        ADMIN = "admin", _("Admin")
        ESP = "esp", _("E-mail service report (bounce, complaint)")

    # Null only for "erased": the subscriber is gone, the event keeps the suppression hash.
    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="events",
    )
    kind = models.CharField(_("event"), max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    page = models.CharField(_("page"), max_length=500, blank=True)
    consent_text = models.ForeignKey(
        ConsentText,
        verbose_name=_("consent text"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)
    template_version = models.CharField(_("mail template"), max_length=100, blank=True)
    address_hash = models.CharField(_("address hash"), max_length=64, blank=True)
    actor = models.CharField(_("done by"), max_length=150, blank=True)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("consent event")
        verbose_name_plural = _("consent events")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(subscriber__isnull=False) | models.Q(kind="erased"),
                name="newsletter_consentevent_subscriber_unless_erased",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.created_at:%Y-%m-%d %H:%M})"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ImmutableRecordError("Consent events cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ImmutableRecordError("Consent events cannot be deleted.")


class Suppression(models.Model):
    """Addresses that must get no newsletter, stored only as a keyed hash (see services)."""

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        ERASED = "erased", _("Erased")
        BOUNCED = "bounced", _("Hard bounce")
        COMPLAINED = "complained", _("Spam complaint")

    address_hash = models.CharField(_("address hash"), max_length=64, unique=True)
    reason = models.CharField(_("reason"), max_length=20, choices=Reason.choices)
    created_at = models.DateTimeField(_("since"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppression list")

    def __str__(self):
        return self.address_hash[:12]


class NewsletterIssueQuerySet(models.QuerySet):
    def archived(self) -> NewsletterIssueQuerySet:
        """Issues the public archive shows: every issue whose sending has begun (its mails
        link their web version), newest first."""
        return self.filter(started_at__isnull=False).order_by("-started_at", "-pk")

    def last_sent_at(self) -> datetime | None:
        return self.archived().values_list("started_at", flat=True).first()


class NewsletterIssue(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    subject = models.CharField(_("subject"), max_length=200)
    preheader = models.CharField(
        _("preheader"),
        max_length=200,
        blank=True,
        help_text=_("Short line that mail programs show after the subject in the inbox."),
    )
    intro = RichTextField(_("introduction"), blank=True)
    closing = RichTextField(_("closing text"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT, editable=False
    )
    scheduled_for = models.DateTimeField(_("scheduled for"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed"), auto_now=True)
    send_requested_by = models.CharField(_("sent by"), max_length=150, blank=True)
    started_at = models.DateTimeField(_("sending started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("sending finished"), null=True, blank=True)
    # True once a Delivery row exists for every recipient (the prepare task ran to the end).
    prepared = models.BooleanField(default=False, editable=False)
    # The prepare task's progress, committed with each batch: the last subscriber id that has
    # a Delivery row and the number of batches queued, so a prepare taken up again carries on.
    prepared_until = models.PositiveBigIntegerField(default=0, editable=False)
    batches = models.PositiveIntegerField(default=0, editable=False)

    objects = NewsletterIssueQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("newsletter issue")
        verbose_name_plural = _("newsletter issues")
        permissions = [("send_newsletterissue", _("Can send newsletter issues"))]

    def __str__(self):
        return self.subject

    def save(self, *args, **kwargs):
        self.intro = sanitize_body(self.intro or "")
        self.closing = sanitize_body(self.closing or "")
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("newsletter:issue", kwargs={"pk": self.pk})

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    def figures(self) -> dict[str, int]:
        """The deliveries' figures; while the list is still being prepared, the recipients who
        have no row yet count as recipients waiting (the progress bar's total stays put)."""
        figures = self.deliveries.figures()
        if self.status == self.Status.SENDING and not self.prepared:
            rest = (
                Subscriber.objects.recipients_since(self.started_at)
                .filter(pk__gt=self.prepared_until)
                .count()
            )
            figures["recipients"] += rest
            figures["waiting"] += rest
        return figures

    def ordered_articles(self) -> list[Article]:
        items = self.items.select_related("article__category", "article__hero_image").order_by(
            "position", "pk"
        )
        return [item.article for item in items]


def published_articles() -> models.Q:
    # Only what readers can open may go into an issue (the autocomplete honours this too).
    return models.Q(status=Article.Status.PUBLISHED, published_at__lte=timezone.now())


class IssueArticle(models.Model):
    issue = models.ForeignKey(
        NewsletterIssue, verbose_name=_("issue"), on_delete=models.CASCADE, related_name="items"
    )
    article = models.ForeignKey(
        Article,
        verbose_name=_("article"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to=published_articles,
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("article in the issue")
        verbose_name_plural = _("articles in the issue")
        constraints = [
            models.UniqueConstraint(fields=["issue", "article"], name="newsletter_issue_article"),
        ]

    def __str__(self):
        return str(self.article)


class DeliveryQuerySet(models.QuerySet):
    def waiting(self) -> DeliveryQuerySet:
        """Not yet handed to the backend: what a worker may claim and cancelling stops."""
        return self.filter(status__in=[Delivery.Status.QUEUED, Delivery.Status.RETRY])

    def figures(self) -> dict[str, int]:
        """How far an issue got, in one query (the issue page and the progress bar)."""
        S = Delivery.Status
        count = models.Count("pk")
        return self.aggregate(
            recipients=count,
            sent=models.Count("pk", filter=models.Q(status__in=[S.SENT, S.BOUNCED, S.COMPLAINED])),
            waiting=models.Count("pk", filter=models.Q(status__in=[S.QUEUED, S.RETRY])),
            unknown=models.Count("pk", filter=models.Q(status=S.SENDING)),
            failed=models.Count("pk", filter=models.Q(status=S.FAILED)),
            skipped=models.Count("pk", filter=models.Q(status=S.SKIPPED)),
            cancelled=models.Count("pk", filter=models.Q(status=S.CANCELLED)),
            bounced=models.Count("pk", filter=models.Q(status=S.BOUNCED)),
            complained=models.Count("pk", filter=models.Q(status=S.COMPLAINED)),
            unsubscribed=models.Count("pk", filter=models.Q(unsubscribed_at__isnull=False)),
        )


class Delivery(ClaimedMail):
    """One recipient of one issue. The row is claimed (status "sending") before the mail is
    handed to the backend, so no retry, second worker or restart mails anyone twice."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        SENDING = "sending", _("Handed over, outcome unknown")
        RETRY = "retry", _("Temporary failure, retry planned")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (unsubscribed or suppressed)")
        CANCELLED = "cancelled", _("Cancelled")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Spam complaint")

    issue = models.ForeignKey(
        NewsletterIssue,
        verbose_name=_("issue"),
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    # Erasing a subscriber keeps the issue's figures: the row stays without the person.
    subscriber = models.ForeignKey(
        Subscriber,
        verbose_name=_("subscriber"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="deliveries",
    )
    batch = models.PositiveIntegerField(_("batch"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.QUEUED
    )
    # Looked up by the e-mail services' webhooks.
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True, db_index=True)
    esp_message_id = models.CharField(
        _("message id of the e-mail service"), max_length=255, blank=True, db_index=True
    )
    error = models.CharField(_("reason"), max_length=500, blank=True)
    unsubscribed_at = models.DateTimeField(_("unsubscribed via this issue"), null=True, blank=True)
    updated_at = models.DateTimeField(_("changed"), default=timezone.now)

    objects = DeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["issue", "subscriber"], name="newsletter_delivery_once_per_subscriber"
            ),
        ]
        indexes = [models.Index(fields=["issue", "batch", "status"])]

    def __str__(self):
        return f"{self.issue_id}/{self.subscriber_id}"
