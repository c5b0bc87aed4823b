"""Mails that reach a person: each is a row that is claimed before the SMTP handoff.

``deliver`` runs claim → send → mark:

1. open the SMTP connection (a failure here is certain not to have sent anything);
2. claim: lock the row, build the message, set it ``sending`` and commit;
3. hand the message to the server;
4. mark it ``sent`` (or schedule a retry / record the permanent failure).

A worker that dies between 2 and 4 leaves the row ``sending``. Nobody can know whether the
server took the mail, so when the task is taken up again (after its lease, see
``karriere.taskqueue``) the row becomes ``unknown`` instead of being sent a second time: at most
once, and a person decides in the admin whether to send it again ("Erneut senden").
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.message import make_msgid
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks.base import Task

from karriere.mailerrors import Outcome, describe, failure_outcome, retry_delay

logger = logging.getLogger(__name__)


class MailState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENDING = "sending", _("Being sent")
    RETRYING = "retrying", _("Will be retried")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    UNKNOWN = "unknown", _("Delivery unknown")
    CANCELLED = "cancelled", _("No longer needed")


UNDELIVERED = [MailState.FAILED, MailState.UNKNOWN]
OUTCOME_STATES = {
    Outcome.UNKNOWN: MailState.UNKNOWN,
    Outcome.RETRY: MailState.RETRYING,
    Outcome.FAILED: MailState.FAILED,
}


class OutgoingMailQuerySet(models.QuerySet):
    def undelivered(self) -> OutgoingMailQuerySet:
        """Failed for good or unclear: these wait for a person ("Erneut senden")."""
        return self.filter(state__in=UNDELIVERED)


class ClaimedMail(models.Model):
    """What every mail to a person records, claimed before its hand-off: the outbox's single
    mails (``OutgoingMail``) and the newsletter's deliveries. Their states and limits differ
    (README, *Architecture*); the failure rule is ``karriere.mailerrors.failure_outcome``."""

    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    message_id = models.CharField(_("Message-ID"), max_length=255, blank=True)

    class Meta:
        abstract = True


class OutgoingMail(ClaimedMail):
    state = models.CharField(
        _("delivery"), max_length=10, choices=MailState.choices, default=MailState.QUEUED
    )
    # Start of the retry window (reset when someone sends it again from the admin).
    queued_at = models.DateTimeField(_("queued"), default=timezone.now)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    objects = OutgoingMailQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["-queued_at", "-pk"]
        permissions = [("resend_mail", _("Can send undelivered mails again"))]
        indexes = [models.Index(fields=["state"])]


M = TypeVar("M", bound=OutgoingMail)


def automatic_message(
    *, subject: str, body: str, to: list[str], from_email: str | None = None, headers=None
) -> EmailMessage:
    """A mail no person wrote: marked as such (RFC 3834, so auto-responders stay quiet) and with
    a Message-ID on the site's own domain."""
    domain = urlsplit(settings.SITE_URL).hostname or "localhost"
    return EmailMessage(
        subject=subject,
        body=body,
        from_email=from_email,
        to=to,
        headers={
            "Message-ID": make_msgid(domain=domain),
            "Auto-Submitted": "auto-generated",
            **(headers or {}),
        },
    )


def _record_failure(
    model: type[M],
    pk: int,
    exc: BaseException,
    *,
    retry: Task,
    claimed_attempt: int | None,
    handed_over: bool = False,
) -> str:
    now = timezone.now()
    with transaction.atomic():
        mail = model.objects.select_for_update().filter(pk=pk).first()
        if mail is None:
            return "gone"
        if claimed_attempt is None:
            # Failed before the claim (no connection): nothing left, so count the try here.
            if mail.state not in (MailState.QUEUED, MailState.RETRYING):
                return mail.state
            mail.attempts += 1
            mail.last_attempt_at = now
        elif mail.attempts != claimed_attempt:
            return mail.state  # sent again from the admin meanwhile: that run decides
        mail.last_error = describe(exc)
        next_attempt = now + retry_delay(mail.attempts)
        outcome = failure_outcome(
            exc,
            handed_over=handed_over,
            may_retry=next_attempt <= mail.queued_at + timedelta(hours=settings.MAIL_RETRY_HOURS),
        )
        mail.state = OUTCOME_STATES[outcome]
        mail.next_attempt_at = next_attempt if outcome == Outcome.RETRY else None
        if outcome == Outcome.RETRY:
            retry.using(run_after=next_attempt).enqueue(pk)
        mail.save()
    logger.warning("%s %s: %s (%s)", model.__name__, pk, mail.last_error, mail.state)
    return mail.state


def deliver(
    model: type[M],
    pk: int,
    *,
    build: Callable[[M], EmailMessage | None],
    retry: Task,
    on_sent: Callable[[M, EmailMessage], None] | None = None,
) -> str:
    """Send the mail ``pk`` at most once; return its new state.

    ``build`` runs inside the claim's transaction with the row locked and returns the message,
    or None when it is no longer needed (the subscriber confirmed, the comment was handled).
    ``on_sent`` runs in the transaction that marks it sent. ``retry`` is the task to enqueue
    again (with the row's pk) after a transient failure.
    """
    if not model.objects.filter(pk=pk, state__in=[MailState.QUEUED, MailState.RETRYING]).exists():
        # Nothing to send (done, handled, deleted), unless a dead worker left it "sending".
        return _settle_abandoned(model, pk)
    connection = get_connection(fail_silently=False)
    try:
        try:
            connection.open()
        except Exception as exc:
            return _record_failure(model, pk, exc, retry=retry, claimed_attempt=None)

        with transaction.atomic():
            mail = model.objects.select_for_update().filter(pk=pk).first()
            if mail is None or mail.state not in (MailState.QUEUED, MailState.RETRYING):
                return _settle_abandoned(model, pk)
            message = build(mail)
            mail.last_attempt_at = timezone.now()
            mail.next_attempt_at = None
            if message is None:
                mail.state = MailState.CANCELLED
                mail.save()
                return mail.state
            mail.state = MailState.SENDING
            mail.attempts += 1
            mail.message_id = message.extra_headers.get("Message-ID", "")
            mail.save()
        attempt = mail.attempts

        try:
            connection.send_messages([message])
        except Exception as exc:
            return _record_failure(
                model,
                pk,
                exc,
                retry=retry,
                claimed_attempt=attempt,
                handed_over=getattr(connection, "handed_over", False),
            )

        with transaction.atomic():
            mail = model.objects.select_for_update().filter(pk=pk, attempts=attempt).first()
            if mail is None:
                return "gone"
            # Also over "unknown": this worker outlived its lease but did finish the handoff.
            mail.state = MailState.SENT
            mail.sent_at = timezone.now()
            mail.last_error = ""
            mail.save()
            if on_sent is not None:
                on_sent(mail, message)
        return mail.state
    finally:
        connection.close()


def _settle_abandoned(model: type[M], pk: int) -> str:
    with transaction.atomic():
        mail = model.objects.select_for_update().filter(pk=pk).first()
        if mail is None:
            return "gone"
        if mail.state == MailState.SENDING:
            # Claimed by a worker that died before it could mark the result (this task was
            # taken up again after its lease): the server may have the mail, so never resend.
            mail.state = MailState.UNKNOWN
            with translation.override(settings.LANGUAGE_CODE):
                mail.last_error = str(
                    _("The worker stopped while handing the mail to the mail server.")
                )
            mail.save()
            logger.warning("%s %s: delivery unknown after a worker died", model.__name__, pk)
        return mail.state


@transaction.atomic
def mails_resend(*, mails: models.QuerySet, task: Task) -> int:
    """Queue undelivered mails once more (admin "Erneut senden"); already queued or sent ones are
    left alone, so a double click sends nothing twice."""
    chosen = list(mails.values_list("pk", flat=True))
    pks = list(
        mails.model.objects.select_for_update()
        .filter(pk__in=chosen)
        .undelivered()
        .values_list("pk", flat=True)
    )
    mails.model.objects.filter(pk__in=pks).update(
        state=MailState.QUEUED, attempts=0, queued_at=timezone.now(), next_attempt_at=None
    )
    for pk in pks:
        task.enqueue(pk)
    return len(pks)
