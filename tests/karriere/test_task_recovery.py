"""A task whose worker died is taken up again once its lease has run out."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from karriere.taskqueue import tasks_recover_expired
from karriere.tasks import prune_task_results, recover_expired_tasks

pytestmark = pytest.mark.django_db


def claimed_by_a_worker_that_dies(worker_id: str = "verstorben") -> DBTaskResult:
    # The state a killed worker leaves: claimed (RUNNING, started), never finished.
    # tests/karriere/test_worker_crash.py kills real workers.
    row = DBTaskResult.objects.get(id=prune_task_results.enqueue().id)
    row.claim(worker_id)
    return row


def status_of(row: DBTaskResult) -> str:
    row.refresh_from_db()
    return row.status


def test_a_running_task_is_left_alone_until_its_lease_runs_out(settings, clock):
    settings.TASK_LEASE_SECONDS = 600
    row = claimed_by_a_worker_that_dies()

    clock.shift(599)
    assert tasks_recover_expired() == 0
    assert status_of(row) == "RUNNING"

    clock.shift(2)
    assert tasks_recover_expired() == 1
    assert status_of(row) == "READY"


def test_the_periodic_job_hands_the_task_to_the_next_worker(settings, clock, run_tasks):
    settings.TASK_LEASE_SECONDS = 600
    row = claimed_by_a_worker_that_dies()
    clock.shift(601)
    recover_expired_tasks.enqueue()

    run_tasks()

    assert status_of(row) == "SUCCESSFUL"
    assert len(row.worker_ids) == 2  # the dead worker and the one that finished it


def test_a_task_that_keeps_killing_its_workers_is_given_up(settings, clock):
    settings.TASK_LEASE_SECONDS = 600
    settings.TASK_MAX_RUNS = 3
    row = claimed_by_a_worker_that_dies("erster")
    for worker in ("zweiter", "dritter"):
        clock.shift(601)
        tasks_recover_expired()
        row.refresh_from_db()
        row.claim(worker)

    clock.shift(601)
    assert tasks_recover_expired() == 0
    assert status_of(row) == "FAILED"
    assert "3 workers died" in row.traceback


def test_the_scheduler_looks_for_expired_leases_well_within_a_lease(settings):
    task_path, interval = settings.PERIODIC_JOBS["recover_expired_tasks"]
    assert task_path == "karriere.tasks.recover_expired_tasks"
    assert interval <= settings.TASK_LEASE_SECONDS / 5
