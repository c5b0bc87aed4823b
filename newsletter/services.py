"""The newsletter's workflows as readers and editors start them: signup, confirmation,
unsubscribe, erasure, composing and sending an issue. Views, admin actions and commands go through
here; what runs in the worker is in ``sending.py``, ``mail.py`` and ``issue_mail.py``, which
never import this module (tasks.py sits between them).

Signup and the unsubscribe-link request never tell the caller what happened: whatever the state of
the address, they return nothing and the page looks the same (no enumeration).
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from articles.models import Article
from karriere import outbox
from newsletter import tasks, tokens
from newsletter.evidence import evidence_erasure
from newsletter.models import (
    ConsentEvent,
    ConsentText,
    Delivery,
    IpThrottle,
    IssueArticle,
    NewsletterIssue,
    Subscriber,
    SubscriberMail,
    Suppression,
    WelcomeMail,
    normalise_email,
)

# An unsubscribe link is mailed to one address at most this often.
LINK_MAIL_INTERVAL = timedelta(hours=1)


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
    if throttle.blocked_until and now - throttle.blocked_until > IpThrottle.MAX_BACKOFF:
        throttle.strikes = 0
        throttle.blocked_until = None
    if now - throttle.window_start >= timedelta(minutes=settings.NEWSLETTER_IP_WINDOW_MINUTES):
        throttle.window_start, throttle.count = now, 0
    throttle.count += 1
    allowed = throttle.count <= settings.NEWSLETTER_IP_LIMIT
    if not allowed:
        throttle.strikes += 1
        backoff = timedelta(minutes=settings.NEWSLETTER_IP_BACKOFF_MINUTES)
        throttle.blocked_until = now + min(
            backoff * 2 ** (throttle.strikes - 1), IpThrottle.MAX_BACKOFF
        )
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


class IssueStateError(Exception):
    """The issue is not in a state that allows this (e.g. sending a sent issue again)."""


@transaction.atomic
def issue_fill_newest(*, issue: NewsletterIssue, count: int) -> int:
    """Append the newest ``count`` articles published since the last issue went out (that are
    not in this issue yet); return how many were added."""
    if not issue.is_editable:
        raise IssueStateError("Only a draft can be changed.")
    articles = Article.objects.published().exclude(pk__in=issue.items.values("article_id"))
    since = NewsletterIssue.objects.exclude(pk=issue.pk).last_sent_at()
    if since is not None:
        articles = articles.filter(published_at__gt=since)
    newest = list(articles.order_by("-published_at", "-pk")[:count])
    last = issue.items.aggregate(last=Max("position"))["last"] or 0
    IssueArticle.objects.bulk_create(
        IssueArticle(issue=issue, article=article, position=last + index)
        for index, article in enumerate(newest, start=1)
    )
    return len(newest)


@transaction.atomic
def issue_send(*, issue: NewsletterIssue, actor: str, when: datetime | None = None) -> None:
    """Send now, or at ``when`` (status "scheduled"). An issue is sent at most once."""
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.status != NewsletterIssue.Status.DRAFT:
        raise IssueStateError("Only a draft can be sent.")
    now = timezone.now()
    issue.send_requested_by = actor[:150]
    if when is not None and when > now:
        issue.status = NewsletterIssue.Status.SCHEDULED
        issue.scheduled_for = when
        tasks.prepare_issue.using(run_after=when).enqueue(issue.pk)
    else:
        issue.status = NewsletterIssue.Status.SENDING
        issue.started_at = now
        tasks.prepare_issue.enqueue(issue.pk)
    issue.save(update_fields=["status", "scheduled_for", "started_at", "send_requested_by"])


@transaction.atomic
def issue_cancel(*, issue: NewsletterIssue) -> int:
    """Stop what has not gone out; return how many deliveries were cancelled."""
    issue = NewsletterIssue.objects.select_for_update().get(pk=issue.pk)
    if issue.status not in (NewsletterIssue.Status.SCHEDULED, NewsletterIssue.Status.SENDING):
        raise IssueStateError("Only a scheduled or sending issue can be cancelled.")
    now = timezone.now()
    issue.status = NewsletterIssue.Status.CANCELLED
    issue.finished_at = now
    issue.save(update_fields=["status", "finished_at"])
    # A running batch claims rows by their status, so it stops at the next recipient.
    return issue.deliveries.waiting().update(status=Delivery.Status.CANCELLED, updated_at=now)


def issue_test_send(*, issue: NewsletterIssue, addresses: list[str]) -> None:
    tasks.send_issue_test.enqueue(issue.pk, addresses)


def delivery_unsubscribed(*, issue_id: int, public_id: uuid.UUID) -> None:
    """Count an unsubscribe that came through this issue's link in its figures."""
    Delivery.objects.filter(
        issue_id=issue_id, subscriber__public_id=public_id, unsubscribed_at__isnull=True
    ).update(unsubscribed_at=timezone.now())
