from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from karriere.management.commands.run_periodic_jobs import enqueue_due_jobs

pytestmark = pytest.mark.django_db


def queued_task_paths() -> list[str]:
    return sorted(DBTaskResult.objects.values_list("task_path", flat=True))


def test_every_periodic_job_is_enqueued_once_per_interval(settings):
    settings.PERIODIC_JOBS = {
        "flush": ("articles.tasks.flush_view_counts", 30),
        "purge": ("newsletter.tasks.purge_unconfirmed", 3600),
    }
    start = 1_800_000_000  # the start of a 30 s and of a 3600 s slot

    assert sorted(enqueue_due_jobs(start)) == ["flush", "purge"]
    assert enqueue_due_jobs(start + 29) == []
    assert enqueue_due_jobs(start + 30) == ["flush"]
    assert queued_task_paths() == [
        "articles.tasks.flush_view_counts",
        "articles.tasks.flush_view_counts",
        "newsletter.tasks.purge_unconfirmed",
    ]


def test_configured_jobs_run_in_the_worker(run_tasks, settings):
    call_command("run_periodic_jobs", "--once", verbosity=0)
    assert len(queued_task_paths()) == len(settings.PERIODIC_JOBS)
    run_tasks()
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"SUCCESSFUL"}


def test_pruning_deletes_task_rows_a_day_after_they_finished(run_tasks, clock, settings):
    call_command("run_periodic_jobs", "--once", verbosity=0)
    run_tasks()
    assert DBTaskResult.objects.count() == len(settings.PERIODIC_JOBS)
    clock.shift(25 * 3600)
    call_command("run_periodic_jobs", "--once", verbosity=0)
    run_tasks()
    # The old rows are gone; the new run's rows (the prune itself among them) are kept. The
    # weekly licence reminder is not due again yet.
    due_again = [job for job, (_, every) in settings.PERIODIC_JOBS.items() if every <= 25 * 3600]
    assert DBTaskResult.objects.count() == len(due_again)
