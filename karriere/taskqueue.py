"""Taking up tasks whose worker died.

django-tasks-db marks a task RUNNING when a worker claims it and never looks at it again: a
worker killed mid-task (``kill -9``, OOM, a lost host) leaves it RUNNING forever. A claim is
therefore a lease of ``TASK_LEASE_SECONDS``: a RUNNING row older than that is put back in the
queue for any worker (the restarted one or another). Tasks must tolerate running again: the
periodic ones are idempotent, and mails are claimed rows (``karriere.outbox``) that are never
sent twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


@transaction.atomic
def tasks_recover_expired(*, now: datetime | None = None, exclude_id: str | None = None) -> int:
    """Re-queue RUNNING tasks whose lease ran out; return how many.

    A task whose workers died ``TASK_MAX_RUNS`` times is marked failed instead (it may be the
    task that kills them).
    """
    now = now or timezone.now()
    expired = (
        DBTaskResult.objects.running()
        .filter(started_at__lt=now - timedelta(seconds=settings.TASK_LEASE_SECONDS))
        .order_by()
    )
    if exclude_id is not None:
        expired = expired.exclude(id=exclude_id)
    recovered = 0
    for row in expired.select_for_update(skip_locked=True):
        if len(row.worker_ids) >= settings.TASK_MAX_RUNS:
            row.set_failed(
                RuntimeError(f"Gave up after {len(row.worker_ids)} workers died running it.")
            )
        else:
            # Same row, same id: the result stays where callers look for it.
            row.status = TaskResultStatus.READY
            row.save(update_fields=["status"])
            recovered += 1
        logger.warning(
            "Task %s (%s) outlived its lease on worker %s: %s",
            row.id,
            row.task_path,
            row.worker_ids[-1:],
            row.status,
        )
    return recovered
