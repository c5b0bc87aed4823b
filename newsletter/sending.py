"""The worker's side of the newsletter: sending an issue, its test mail and the welcome mail, and
the hourly purge. Called by ``tasks.py`` (and the purge command); editors start the work through
``services.py``. A function that queues follow-up work takes the task as a parameter (as
``karriere.outbox.deliver`` takes ``retry``), so this module never imports ``tasks``.

Sending never mails anyone twice: every recipient has a Delivery row (unique per issue and
subscriber), and a mail is handed to the backend only after its row was switched from
"queued"/"retry" to "sending" by one UPDATE that only one worker can win. A worker that dies
after the hand-off leaves the row "sending": nobody knows whether the mail left, so it is not
sent again and the figures call it unknown. Everything not yet claimed goes out when the work is
taken up again: a dead worker's batch task by ``karriere.taskqueue`` once its lease ran out, a
batch task that ended with an error by ``issues_resume_stalled``. The list itself is written
batch by batch (``issue_prepare``), so the first mails leave while the rest is still prepared.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import F, Max, Min, Q
from django.utils import timezone
from django_tasks.base import Task

from karriere.mailerrors import Outcome, describe, failure_outcome, retry_delay
from newsletter import issue_mail, mail, tokens
from newsletter.evidence import evidence_erasure
from newsletter.models import (
    ConsentEvent,
    Delivery,
    IpThrottle,
    NewsletterIssue,
    Subscriber,
    Suppression,
    WelcomeMail,
)

# This many temporary failures in a row mean the server is in trouble, not one mailbox: the
# batch stops and waits instead of running through its list.
SERVER_TROUBLE_STREAK = 3


def _batch_slot(start: datetime, batch: int) -> datetime:
    per_minute = settings.NEWSLETTER_MAX_PER_MINUTE
    if per_minute <= 0:
        return start
    return start + timedelta(minutes=batch * settings.NEWSLETTER_BATCH_SIZE / per_minute)


# A prepare run writes this many batches, then queues itself again behind their send tasks: one
# worker alone alternates between preparing and sending, so its first mails leave after these
# batches' rows are written, not after the whole list.
PREPARE_BATCHES_PER_RUN = 10


def issue_prepare(*, issue_id: int, send_batch: Task, prepare: Task) -> int:
    """Create a Delivery row for every recipient, one batch per transaction, and queue one
    ``send_batch`` task per batch with its rows (spread over time when
    ``NEWSLETTER_MAX_PER_MINUTE`` is set); after ``PREPARE_BATCHES_PER_RUN`` batches queue
    ``prepare`` to carry on. Returns the number of batches this run queued.

    Each batch is committed on its own, so its mails can leave while later batches are still
    being prepared, and a prepare taken up again (its worker died) carries on after the last
    committed batch (``prepared_until``). The recipients are fixed by ``started_at``
    (``recipients_since``). Cancelling takes the issue's row lock, so no batch is queued after
    it. Never more than one batch of ids in memory (keyset pagination)."""
    with transaction.atomic():
        issue = NewsletterIssue.objects.select_for_update().filter(pk=issue_id).first()
        if issue is None or issue.prepared:
            return 0
        if issue.status == NewsletterIssue.Status.SCHEDULED:
            now = timezone.now()
            if issue.scheduled_for and issue.scheduled_for > now:
                return 0  # moved later; the task queued for the new time does it
            issue.status, issue.started_at = NewsletterIssue.Status.SENDING, now
            issue.save(update_fields=["status", "started_at"])
        if issue.status != NewsletterIssue.Status.SENDING:
            return 0  # cancelled before it started
    for queued in range(PREPARE_BATCHES_PER_RUN):
        last = queued == PREPARE_BATCHES_PER_RUN - 1
        if not _prepare_next_batch(issue_id, send_batch, then=prepare if last else None):
            return queued
    return PREPARE_BATCHES_PER_RUN


@transaction.atomic
def _prepare_next_batch(issue_id: int, send_batch: Task, then: Task | None) -> bool:
    """Write and queue the next batch (and ``then``, if the list goes on); False once the list
    is done or the issue cancelled."""
    issue = (
        NewsletterIssue.objects.select_for_update()
        .filter(pk=issue_id, status=NewsletterIssue.Status.SENDING, prepared=False)
        .first()
    )
    if issue is None:
        return False
    size = settings.NEWSLETTER_BATCH_SIZE
    ids = list(
        Subscriber.objects.recipients_since(issue.started_at)
        .filter(pk__gt=issue.prepared_until)
        .order_by("pk")
        .values_list("pk", flat=True)[:size]
    )
    if ids:
        _queue_batch(issue, ids, send_batch)
        issue.prepared_until, issue.batches = ids[-1], issue.batches + 1
    issue.prepared = len(ids) < size
    issue.save(update_fields=["prepared_until", "batches", "prepared"])
    if issue.prepared:
        # Batches that ran while the list was prepared could not finish the issue.
        _finish_if_done(issue)
    elif then is not None:
        then.enqueue(issue.pk)
    return bool(ids)


def _queue_batch(issue: NewsletterIssue, subscriber_ids: list[int], send_batch: Task) -> None:
    now = timezone.now()
    slot = _batch_slot(issue.started_at, issue.batches)
    Delivery.objects.bulk_create(
        [
            Delivery(
                issue=issue,
                subscriber_id=pk,
                batch=issue.batches,
                next_attempt_at=slot,
                updated_at=now,
            )
            for pk in subscriber_ids
        ],
        ignore_conflicts=True,
    )
    task = send_batch if slot <= now else send_batch.using(run_after=slot)
    task.enqueue(issue.pk, issue.batches)


def _skip_ineligible(rows: list[Delivery], now: datetime) -> list[Delivery]:
    """Drop (and mark skipped) whoever withdrew, was erased or is suppressed by now."""
    hashes = {row.pk: tokens.address_hash(row.subscriber.email) for row in rows if row.subscriber}
    suppressed = set(
        Suppression.objects.filter(address_hash__in=hashes.values()).values_list(
            "address_hash", flat=True
        )
    )
    eligible, skipped = [], []
    for row in rows:
        ok = (
            row.subscriber is not None
            and row.subscriber.status == Subscriber.Status.CONFIRMED
            and hashes[row.pk] not in suppressed
        )
        (eligible if ok else skipped).append(row)
    if skipped:
        Delivery.objects.waiting().filter(pk__in=[row.pk for row in skipped]).update(
            status=Delivery.Status.SKIPPED, updated_at=now
        )
    return eligible


def _claim(row: Delivery, message_id: str) -> bool:
    """Take the row for this worker; False if someone else has it or it was cancelled."""
    return (
        Delivery.objects.waiting()
        .filter(pk=row.pk)
        .update(
            status=Delivery.Status.SENDING,
            attempts=F("attempts") + 1,
            message_id=message_id,
            updated_at=timezone.now(),
        )
        == 1
    )


def _record_sent(row: Delivery, issue: NewsletterIssue, message) -> None:
    now = timezone.now()
    status = getattr(message, "anymail_status", None)  # set by anymail's ESP backends
    Delivery.objects.filter(pk=row.pk).update(
        status=Delivery.Status.SENT,
        sent_at=now,
        esp_message_id=(status.message_id if status and status.message_id else "")[:255],
        error="",
        updated_at=now,
    )
    ConsentEvent.objects.create(
        subscriber_id=row.subscriber_id,
        kind=ConsentEvent.Kind.ISSUE_SENT,
        created_at=now,
        channel=ConsentEvent.Channel.MAIL,
        message_id=message.extra_headers["Message-ID"],
        template_version=f"issue {issue.pk}: {issue.subject}"[:100],
    )


# The statuses of karriere.mailerrors' outcomes: "unknown" stays "sending" (the figures count
# it as unknown), as a row a dead worker left behind does.
OUTCOME_STATUSES = {
    Outcome.UNKNOWN: Delivery.Status.SENDING,
    Outcome.RETRY: Delivery.Status.RETRY,
    Outcome.FAILED: Delivery.Status.FAILED,
}


def _record_failure(row: Delivery, error: BaseException, *, handed_over: bool) -> Outcome:
    now = timezone.now()
    attempts = row.attempts + 1  # the claim counted this try
    outcome = failure_outcome(
        error,
        handed_over=handed_over,
        may_retry=attempts < settings.NEWSLETTER_MAX_ATTEMPTS,
    )
    Delivery.objects.filter(pk=row.pk).update(
        status=OUTCOME_STATUSES[outcome],
        next_attempt_at=now + retry_delay(attempts) if outcome == Outcome.RETRY else None,
        error=describe(error)[:500],
        updated_at=now,
    )
    return outcome


# Not atomic: each claim must be committed before its mail is handed over, and each sent mail
# recorded on its own, so a crash loses at most the one mail in flight.
def issue_batch_send(*, issue_id: int, batch: int, send_batch: Task) -> int:
    """Send one batch's due deliveries; queue ``send_batch`` again for those to retry. Returns
    the number of mails handed to the backend."""
    issue = NewsletterIssue.objects.filter(pk=issue_id).first()
    if issue is None or issue.status != NewsletterIssue.Status.SENDING:
        return 0
    now = timezone.now()
    rows = list(
        Delivery.objects.waiting()
        .filter(issue=issue, batch=batch, next_attempt_at__lte=now)
        .select_related("subscriber")
        .only("pk", "attempts", "subscriber__email", "subscriber__status", "subscriber__public_id")
    )
    rendered = issue_mail.issue_render(issue) if rows else None
    connection = get_connection()
    sent = streak = 0
    # A sent mail is recorded in the same commit that claims the next one: one commit per
    # mail instead of two. A crash in between leaves the sent one "sending" (unknown).
    unrecorded = None
    try:
        for row in _skip_ineligible(rows, now):
            message_id = mail.new_message_id()
            with transaction.atomic():
                if unrecorded:
                    _record_sent(*unrecorded)
                    unrecorded = None
                claimed = _claim(row, message_id)
            if not claimed:
                continue
            message = rendered.message(
                subscriber=row.subscriber,
                unsubscribe_url=issue_mail.issue_unsubscribe_url(issue, row.subscriber),
                message_id=message_id,
            )
            try:
                # One SMTP session for the batch; opened again after a failure closed it.
                connection.open()
                connection.send_messages([message])
            except Exception as error:  # noqa: BLE001 - every failure is recorded per recipient
                handed_over = getattr(connection, "handed_over", False)  # karriere.mailbackend
                connection.close()
                outcome = _record_failure(row, error, handed_over=handed_over)
                if outcome == Outcome.UNKNOWN:
                    continue  # one mailbox's fate, not a sign of the server's trouble
                streak = streak + 1 if outcome == Outcome.RETRY else 0
                if streak >= SERVER_TROUBLE_STREAK:
                    _postpone_batch(issue, batch, timezone.now() + retry_delay(row.attempts + 1))
                    break
                continue
            streak = 0
            sent += 1
            unrecorded = (row, issue, message)
    finally:
        connection.close()
        if unrecorded:
            with transaction.atomic():
                _record_sent(*unrecorded)
    _continue_or_finish(issue, batch, send_batch)
    return sent


def _postpone_batch(issue: NewsletterIssue, batch: int, when: datetime) -> None:
    issue.deliveries.filter(batch=batch, status=Delivery.Status.QUEUED).update(next_attempt_at=when)


def _continue_or_finish(issue: NewsletterIssue, batch: int, send_batch: Task) -> None:
    left = (
        issue.deliveries.waiting()
        .filter(batch=batch)
        .aggregate(next=Min("next_attempt_at"))["next"]
    )
    if left is not None:
        send_batch.using(run_after=left).enqueue(issue.pk, batch)
    else:
        _finish_if_done(issue)


def _finish_if_done(issue: NewsletterIssue) -> None:
    # Rows left "sending" (a worker died after the hand-off) do not hold the issue open.
    if not issue.deliveries.waiting().exists():
        NewsletterIssue.objects.filter(
            pk=issue.pk, status=NewsletterIssue.Status.SENDING, prepared=True
        ).update(status=NewsletterIssue.Status.SENT, finished_at=timezone.now())


def issues_resume_stalled(*, prepare: Task, send_batch: Task, now: datetime | None = None) -> int:
    """Carry on issues whose work left the queue unfinished: a prepare or batch task that ended
    with an error (the database went away, a bug) or was given up. Queues again the prepare task
    (while the list is incomplete) and every batch with due deliveries of a sending issue
    without progress for the task lease plus ``NEWSLETTER_STALL_MINUTES``; marks it sent if
    nothing is left. Returns the number of tasks queued.

    A worker that died is not this function's case: ``karriere.taskqueue`` puts its task back
    once the lease ran out, and waiting longer than the lease leaves that to it. Should both
    ever run a batch, the claims make the second one send nothing twice.
    """
    now = now or timezone.now()
    patience = timedelta(
        seconds=settings.TASK_LEASE_SECONDS, minutes=settings.NEWSLETTER_STALL_MINUTES
    )
    stalled_before = now - patience
    queued = 0
    for issue in NewsletterIssue.objects.filter(status=NewsletterIssue.Status.SENDING):
        # Progress is any Delivery row written: prepared, claimed, sent or failed.
        last = issue.deliveries.aggregate(last=Max("updated_at"))["last"] or issue.started_at
        if last is not None and last > stalled_before:
            continue
        if not issue.prepared:
            prepare.enqueue(issue.pk)  # carries on after its last committed batch
            queued += 1
        due = (
            issue.deliveries.waiting()
            .filter(next_attempt_at__lte=now)
            .order_by("batch")
            .values_list("batch", flat=True)
            .distinct()
        )
        for batch in due:
            send_batch.enqueue(issue.pk, batch)
            queued += 1
        if not due:
            _finish_if_done(issue)
    return queued


def issue_test_mail_send(*, issue_id: int, addresses: list[str]) -> None:
    issue = NewsletterIssue.objects.get(pk=issue_id)
    messages = [issue_mail.issue_test_message(issue, to=address) for address in addresses]
    get_connection().send_messages(messages)


@transaction.atomic
def welcome_mail_send(*, subscriber_id: int) -> None:
    """The welcome mail, once per confirmation, if editors switched it on."""
    subscriber = (
        Subscriber.objects.select_for_update()
        .filter(pk=subscriber_id, status=Subscriber.Status.CONFIRMED)
        .first()
    )
    welcome = WelcomeMail.objects.filter(enabled=True).first()
    if subscriber is None or welcome is None:
        return
    already = subscriber.events.filter(
        kind=ConsentEvent.Kind.WELCOME_SENT, created_at__gte=subscriber.confirmed_at
    )
    if already.exists():
        return
    message = mail.subscriber_message(
        subscriber=subscriber, subject=welcome.subject, body=welcome.body
    )
    message.send()
    ConsentEvent.objects.create(
        subscriber=subscriber,
        kind=ConsentEvent.Kind.WELCOME_SENT,
        channel=ConsentEvent.Channel.MAIL,
        message_id=message.extra_headers["Message-ID"],
        template_version=f"welcome mail {welcome.updated_at:%Y-%m-%d %H:%M}",
    )


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
    forgotten = now - IpThrottle.MAX_BACKOFF
    IpThrottle.objects.filter(window_start__lt=forgotten).filter(
        Q(blocked_until__isnull=True) | Q(blocked_until__lt=forgotten)
    ).delete()
    return deleted.get(Subscriber._meta.label, 0)
