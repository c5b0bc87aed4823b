"""The newsletter's workflows. Views, admin actions, tasks and commands all go through here.

Signup and the unsubscribe-link request never tell the caller what happened: whatever the state of
the address, they return nothing and the page looks the same (no enumeration).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from karriere import outbox
from newsletter import mail, tasks, tokens
from newsletter.evidence import evidence_erasure
from newsletter.models import (
    ConsentEvent,
    ConsentText,
    IpThrottle,
    Subscriber,
    SubscriberMail,
    Suppression,
    WelcomeMail,
    normalise_email,
)

# An unsubscribe link is mailed to one address at most this often.
LINK_MAIL_INTERVAL = timedelta(hours=1)
MAX_BACKOFF = timedelta(days=1)


class ConfirmState(enum.Enum):
    VALID = "valid"  # the link may be used to confirm
    CONFIRMED = "confirmed"  # this link confirmed the subscription (now or earlier)
    INVALID = "invalid"  # unknown, tampered, expired, or used by a since-unsubscribed address


def ip_throttle_allows(*, ip: str, now: datetime) -> bool:
    """Count one request from ``ip``; False once it is over the limit or in its backoff.

    Every overflow blocks the address for twice as long as the previous one (capped at a day);
    after the block a fresh window starts. A day without blocks forgets the strikes.
    """
    throttle, _ = IpThrottle.objects.select_for_update().get_or_create(
        ip_hash=tokens.ip_hash(ip), defaults={"window_start": now}
    )
    if throttle.blocked_until and throttle.blocked_until > now:
        return False
    if throttle.blocked_until and now - throttle.blocked_until > MAX_BACKOFF:
        throttle.strikes = 0
        throttle.blocked_until = None
    if now - throttle.window_start >= timedelta(minutes=settings.NEWSLETTER_IP_WINDOW_MINUTES):
        throttle.window_start, throttle.count = now, 0
    throttle.count += 1
    allowed = throttle.count <= settings.NEWSLETTER_IP_LIMIT
    if not allowed:
        throttle.strikes += 1
        backoff = timedelta(minutes=settings.NEWSLETTER_IP_BACKOFF_MINUTES)
        throttle.blocked_until = now + min(backoff * 2 ** (throttle.strikes - 1), MAX_BACKOFF)
        throttle.window_start, throttle.count = throttle.blocked_until, 0
    throttle.save()
    return allowed


def _record_web_event(
    subscriber: Subscriber, kind: str, *, now: datetime, ip: str, user_agent: str, **details
) -> None:
    """Evidence of something a person did on a page: when, from which IP, with which browser."""
    ConsentEvent.objects.create(
        subscriber=subscriber,
        kind=kind,
        created_at=now,
        channel=ConsentEvent.Channel.WEB,
        ip_address=ip or None,
        user_agent=user_agent,
        **details,
    )


@transaction.atomic
def subscription_request(
    *, email: str, consent_text: ConsentText, ip: str, user_agent: str, page: str
) -> None:
    """Record a signup and queue the confirmation mail, unless a limit says no or the address
    is already confirmed. Pending, unsubscribed and suppressed addresses get a new double
    opt-in."""
    now = timezone.now()
    if not ip_throttle_allows(ip=ip, now=now):
        return
    email = normalise_email(email)
    subscriber, _ = Subscriber.objects.select_for_update().get_or_create(
        email__iexact=email, defaults={"email": email, "requested_at": now}
    )
    if subscriber.status == Subscriber.Status.CONFIRMED:
        return
    window = timedelta(days=settings.NEWSLETTER_ADDRESS_MAIL_WINDOW_DAYS)
    recent_requests = subscriber.events.filter(
        kind=ConsentEvent.Kind.SIGNUP_REQUESTED, created_at__gt=now - window
    ).count()
    if recent_requests >= settings.NEWSLETTER_ADDRESS_MAIL_LIMIT:
        return
    subscriber.status = Subscriber.Status.PENDING
    subscriber.requested_at = now
    subscriber.save(update_fields=["status", "requested_at"])
    _record_web_event(
        subscriber,
        ConsentEvent.Kind.SIGNUP_REQUESTED,
        now=now,
        ip=ip,
        user_agent=user_agent,
        page=page[:500],
        consent_text=consent_text,
    )
    _subscriber_mail_queue(subscriber, SubscriberMail.Kind.CONFIRMATION)


def _subscriber_mail_queue(subscriber: Subscriber, kind: str) -> None:
    queued = SubscriberMail.objects.create(subscriber=subscriber, kind=kind)
    tasks.send_subscriber_mail.enqueue(queued.pk)


def _subscriber_mail_build(queued: SubscriberMail) -> EmailMessage | None:
    """The message for a claimed mail, or None if it is no longer needed. A confirmation gets a
    fresh token, made here in the worker, so it is never stored anywhere in plain text (not even
    in the task queue); it is saved with the claim."""
    subscriber = Subscriber.objects.select_for_update().get(pk=queued.subscriber_id)
    if queued.kind == SubscriberMail.Kind.UNSUBSCRIBE_LINK:
        if subscriber.status != Subscriber.Status.CONFIRMED:
            return None
        return mail.unsubscribe_link_message(subscriber=subscriber)
    if subscriber.status != Subscriber.Status.PENDING:  # confirmed or unsubscribed meanwhile
        return None
    token = tokens.new_confirm_token()
    subscriber.confirm_token_hash = tokens.hash_confirm_token(token)
    subscriber.confirm_token_expires_at = timezone.now() + Subscriber.confirm_token_lifetime()
    subscriber.confirm_token_used_at = None
    subscriber.save(
        update_fields=["confirm_token_hash", "confirm_token_expires_at", "confirm_token_used_at"]
    )
    return mail.confirmation_message(subscriber=subscriber, token=token)


def _subscriber_mail_sent(sent: SubscriberMail, message: EmailMessage) -> None:
    if sent.kind == SubscriberMail.Kind.CONFIRMATION:
        ConsentEvent.objects.create(
            subscriber_id=sent.subscriber_id,
            kind=ConsentEvent.Kind.CONFIRMATION_SENT,
            channel=ConsentEvent.Channel.MAIL,
            message_id=message.extra_headers["Message-ID"],
            template_version=mail.CONFIRMATION_TEMPLATE,
        )


def subscriber_mail_send(*, mail_id: int) -> str:
    """Send a queued mail to a subscriber at most once (claim → send → mark, karriere.outbox);
    transient failures are retried, permanent ones recorded on the mail for the admin."""
    return outbox.deliver(
        SubscriberMail,
        mail_id,
        build=_subscriber_mail_build,
        on_sent=_subscriber_mail_sent,
        retry=tasks.send_subscriber_mail,
    )


def subscriber_mails_resend(*, mails: QuerySet[SubscriberMail]) -> int:
    """The admin's "Erneut senden": queue undelivered mails again; return how many."""
    return outbox.mails_resend(mails=mails, task=tasks.send_subscriber_mail)


def _confirm_state(subscriber: Subscriber | None) -> ConfirmState:
    if subscriber is None:
        return ConfirmState.INVALID
    token_state = subscriber.confirm_token_state(timezone.now())
    if token_state == "valid" and subscriber.status == Subscriber.Status.PENDING:
        return ConfirmState.VALID
    if token_state == "used" and subscriber.status == Subscriber.Status.CONFIRMED:
        return ConfirmState.CONFIRMED
    return ConfirmState.INVALID


def confirm_token_check(*, token: str) -> tuple[ConfirmState, Subscriber | None]:
    """What the confirmation link would do, without doing it (for GET)."""
    subscriber = Subscriber.objects.filter(
        confirm_token_hash=tokens.hash_confirm_token(token)
    ).first()
    return _confirm_state(subscriber), subscriber


@transaction.atomic
def subscription_confirm(
    *, token: str, ip: str, user_agent: str
) -> tuple[ConfirmState, Subscriber | None]:
    subscriber = (
        Subscriber.objects.select_for_update()
        .filter(confirm_token_hash=tokens.hash_confirm_token(token))
        .first()
    )
    state = _confirm_state(subscriber)
    if state is not ConfirmState.VALID:
        return state, subscriber
    now = timezone.now()
    subscriber.status = Subscriber.Status.CONFIRMED
    subscriber.confirmed_at = now
    subscriber.confirm_token_used_at = now
    subscriber.save(update_fields=["status", "confirmed_at", "confirm_token_used_at"])
    _record_web_event(
        subscriber, ConsentEvent.Kind.CONFIRMED, now=now, ip=ip, user_agent=user_agent
    )
    # A fresh double opt-in lifts an earlier unsubscribe or erasure.
    Suppression.objects.filter(address_hash=tokens.address_hash(subscriber.email)).delete()
    if WelcomeMail.objects.filter(enabled=True).exists():
        tasks.send_welcome_mail.enqueue(subscriber.pk)
    return ConfirmState.CONFIRMED, subscriber


@transaction.atomic
def subscription_unsubscribe(*, public_id: uuid.UUID, channel: str) -> None:
    """Unsubscribe at once; repeating it (or an erased subscriber's old link) changes nothing."""
    subscriber = Subscriber.objects.select_for_update().filter(public_id=public_id).first()
    if subscriber is None or subscriber.status == Subscriber.Status.UNSUBSCRIBED:
        return
    now = timezone.now()
    subscriber.status = Subscriber.Status.UNSUBSCRIBED
    subscriber.unsubscribed_at = now
    subscriber.save(update_fields=["status", "unsubscribed_at"])
    ConsentEvent.objects.create(
        subscriber=subscriber, kind=ConsentEvent.Kind.UNSUBSCRIBED, created_at=now, channel=channel
    )
    Suppression.objects.get_or_create(
        address_hash=tokens.address_hash(subscriber.email),
        defaults={"reason": Suppression.Reason.UNSUBSCRIBED, "created_at": now},
    )


@transaction.atomic
def unsubscribe_link_request(*, email: str, ip: str) -> None:
    """Mail a confirmed subscriber their unsubscribe link (the "Abmelden" page)."""
    now = timezone.now()
    if not ip_throttle_allows(ip=ip, now=now):
        return
    subscriber = (
        Subscriber.objects.select_for_update()
        .for_address(normalise_email(email))
        .filter(status=Subscriber.Status.CONFIRMED)
        .first()
    )
    if subscriber is None:
        return
    if subscriber.link_mail_sent_at and now - subscriber.link_mail_sent_at < LINK_MAIL_INTERVAL:
        return
    subscriber.link_mail_sent_at = now
    subscriber.save(update_fields=["link_mail_sent_at"])
    _subscriber_mail_queue(subscriber, SubscriberMail.Kind.UNSUBSCRIBE_LINK)


@transaction.atomic
def subscriber_erase(*, subscriber: Subscriber, actor: str) -> None:
    """Right to erasure: delete the address and its evidence, keep only the suppression hash
    (so the address is never mailed again) and an "erased" event that names nobody."""
    address_hash = tokens.address_hash(subscriber.email)
    Suppression.objects.update_or_create(
        address_hash=address_hash, defaults={"reason": Suppression.Reason.ERASED}
    )
    ConsentEvent.objects.create(
        kind=ConsentEvent.Kind.ERASED,
        channel=ConsentEvent.Channel.ADMIN,
        address_hash=address_hash,
        actor=actor[:150],
    )
    with evidence_erasure():
        subscriber.delete()


@transaction.atomic
def subscribers_purge_unconfirmed(*, now: datetime | None = None) -> int:
    """Delete signups left unconfirmed for ``NEWSLETTER_UNCONFIRMED_DAYS``; return how many.

    A former subscriber who asked to come back but did not confirm is not deleted (their old
    consent evidence must stay): they simply return to "unsubscribed".
    """
    now = now or timezone.now()
    cutoff = now - timedelta(days=settings.NEWSLETTER_UNCONFIRMED_DAYS)
    stale = Subscriber.objects.unconfirmed_since(cutoff)
    stale.filter(confirmed_at__isnull=False).update(
        status=Subscriber.Status.UNSUBSCRIBED, confirm_token_hash=None
    )
    # Signups never confirmed: their request and mail events go with them (storage limitation).
    with evidence_erasure():
        _, deleted = stale.filter(confirmed_at__isnull=True).delete()
    IpThrottle.objects.filter(window_start__lt=now - MAX_BACKOFF).filter(
        Q(blocked_until__isnull=True) | Q(blocked_until__lt=now - MAX_BACKOFF)
    ).delete()
    return deleted.get(Subscriber._meta.label, 0)
