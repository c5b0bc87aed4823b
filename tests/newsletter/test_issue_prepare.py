"""Preparing an issue's list is committed batch by batch: the first mails can leave while the
rest of the list is still being prepared, a preparation taken up again carries on where it
stopped, cancelling stops it, and the recipients are those confirmed when sending began."""

from __future__ import annotations

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from newsletter import sending, services, tasks
from newsletter.models import Delivery, NewsletterIssue, Subscriber
from tests.newsletter.issue_helpers import confirmed, make_issue

pytestmark = pytest.mark.django_db


class BatchTaskWithHook:
    """The real batch task, with something happening right after batch ``at`` was queued (in
    the preparation's transaction, as a worker dying or an editor clicking would be)."""

    def __init__(self, at: int, hook, task=tasks.send_issue_batch):
        self.at, self.hook, self.task = at, hook, task

    def using(self, **options):
        return BatchTaskWithHook(self.at, self.hook, self.task.using(**options))

    def enqueue(self, issue_id: int, batch: int):
        result = self.task.enqueue(issue_id, batch)
        if batch == self.at:
            self.hook()
        return result


prepare = tasks.prepare_issue


class WorkerDied(Exception):
    pass


def worker_dies():
    raise WorkerDied


def test_batches_prepared_before_a_failure_are_kept_and_the_next_run_carries_on(
    settings, smtp_inbox, run_tasks
):
    settings.NEWSLETTER_BATCH_SIZE = 2
    addresses = [f"leserin{n}@example.de" for n in range(5)]
    confirmed(*addresses)
    issue = make_issue()
    services.issue_send(issue=issue, actor="newsletter")

    with pytest.raises(WorkerDied):
        sending.issue_prepare(
            issue_id=issue.pk, send_batch=BatchTaskWithHook(1, worker_dies), prepare=prepare
        )
    # Batch 0 was committed with its task; batch 1's transaction died with the worker.
    assert sorted(Delivery.objects.values_list("batch", flat=True)) == [0, 0]
    issue.refresh_from_db()
    assert (issue.prepared, issue.batches) == (False, 1)

    assert tasks.send_issue_batch.call(issue.pk, 0) == 2  # the first mails go out already
    assert tasks.prepare_issue.call(issue.pk) == 2  # taken up again: batches 1 and 2
    run_tasks()

    assert sorted(rcpt for (rcpt,) in smtp_inbox.recipients) == addresses  # each exactly once
    issue.refresh_from_db()
    assert issue.status == NewsletterIssue.Status.SENT
    assert sorted(Delivery.objects.values_list("batch", flat=True)) == [0, 0, 1, 1, 2]


def test_whoever_confirms_while_the_list_is_prepared_gets_the_next_issue(
    settings, smtp_inbox, run_tasks, clock
):
    settings.NEWSLETTER_BATCH_SIZE = 1
    confirmed("anna@example.de", "bernd@example.de")
    issue = make_issue()
    services.issue_send(issue=issue, actor="newsletter")
    clock.shift(30)

    def cäcilie_confirms():
        Subscriber.objects.create(
            email="caecilie.grossmann@example.de",
            status=Subscriber.Status.CONFIRMED,
            confirmed_at=timezone.now(),
        )

    sending.issue_prepare(
        issue_id=issue.pk, send_batch=BatchTaskWithHook(0, cäcilie_confirms), prepare=prepare
    )
    run_tasks()

    assert sorted(rcpt for (rcpt,) in smtp_inbox.recipients) == [
        "anna@example.de",
        "bernd@example.de",
    ]
    assert issue.deliveries.figures()["recipients"] == 2


def test_cancelling_while_the_list_is_prepared_queues_no_further_batch(
    settings, smtp_inbox, run_tasks
):
    settings.NEWSLETTER_BATCH_SIZE = 2
    confirmed(*(f"leser{n}@example.de" for n in range(6)))
    issue = make_issue()
    services.issue_send(issue=issue, actor="newsletter")

    def editor_cancels():
        services.issue_cancel(issue=issue)

    queued = sending.issue_prepare(
        issue_id=issue.pk, send_batch=BatchTaskWithHook(0, editor_cancels), prepare=prepare
    )
    run_tasks()

    assert queued == 1
    assert smtp_inbox.messages == []
    figures = issue.deliveries.figures()
    assert (figures["recipients"], figures["cancelled"]) == (2, 2)
    issue.refresh_from_db()
    assert (issue.status, issue.prepared) == (NewsletterIssue.Status.CANCELLED, False)


def test_one_worker_sends_the_first_batches_before_the_rest_of_the_list_is_prepared(
    settings, smtp_inbox, run_tasks
):
    settings.NEWSLETTER_BATCH_SIZE = 1
    count = sending.PREPARE_BATCHES_PER_RUN + 2
    addresses = [f"weiterbildung{n:02}@example.de" for n in range(count)]
    confirmed(*addresses)
    issue = make_issue()
    services.issue_send(issue=issue, actor="newsletter")

    assert tasks.prepare_issue.call(issue.pk) == sending.PREPARE_BATCHES_PER_RUN
    issue.refresh_from_db()
    assert not issue.prepared
    # The issue's figures count those without a row yet: the progress bar's total stays put.
    figures = issue.figures()
    assert (figures["recipients"], figures["waiting"]) == (count, count)
    # The queue in the worker's order: the send's own prepare task (run above by hand), the
    # prepared batches, then the preparation's next run behind them.
    queued = [task.task_path.rsplit(".", 1)[1] for task in DBTaskResult.objects.ready()]
    assert queued == ["prepare_issue"] + ["send_issue_batch"] * sending.PREPARE_BATCHES_PER_RUN + [
        "prepare_issue"
    ]

    run_tasks()
    assert [rcpt for (rcpt,) in smtp_inbox.recipients] == addresses
    issue.refresh_from_db()
    assert (issue.status, issue.prepared) == (NewsletterIssue.Status.SENT, True)
