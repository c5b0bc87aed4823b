from __future__ import annotations

import time

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from karriere.management.commands.run_periodic_jobs import enqueue_due_jobs, seconds_to_next_slot
from karriere.models import PeriodicJobClaim

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
    finished = DBTaskResult.objects.count()
    clock.shift(25 * 3600)
    call_command("run_periodic_jobs", "--once", verbosity=0)
    run_tasks()
    # The old rows are gone; the new run's rows (the prune itself among them) are kept. The
    # weekly licence reminder is not due again yet.
    weekly = [job for job, (_, every) in settings.PERIODIC_JOBS.items() if every > 25 * 3600]
    assert DBTaskResult.objects.count() == finished - len(weekly)


def test_two_cron_runs_in_one_interval_enqueue_each_job_once(clock, settings):
    # Without Redis every run is a fresh process with an empty in-process cache.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    first_run = time.time()
    call_command("run_periodic_jobs", "--once", verbosity=0)
    cache.clear()  # what the next process starts with
    clock.shift(60)  # cron, a minute later
    call_command("run_periodic_jobs", "--once", verbosity=0)

    # Once per slot the two runs fall into: the 30 s flush twice, hourly and daily jobs once.
    assert queued_task_paths() == sorted(
        task
        for task, interval in settings.PERIODIC_JOBS.values()
        for _slot in {first_run // interval, (first_run + 60) // interval}
    )


def test_the_slot_is_claimed_once_whoever_asks(settings):
    settings.PERIODIC_JOBS = {"purge": ("newsletter.tasks.purge_unconfirmed", 3600)}
    start = 1_800_000_000

    PeriodicJobClaim.objects.create(job="purge", slot=start // 3600)  # another host was first

    assert enqueue_due_jobs(start + 10) == []
    assert queued_task_paths() == []
    assert enqueue_due_jobs(start + 3600) == ["purge"]


def test_claims_are_pruned_a_day_after_their_slot(settings):
    settings.PERIODIC_JOBS = {"flush": ("articles.tasks.flush_view_counts", 30)}
    start = 1_800_000_000

    enqueue_due_jobs(start)
    enqueue_due_jobs(start + 30)
    enqueue_due_jobs(start + 24 * 3600 + 30)

    slots = sorted(PeriodicJobClaim.objects.values_list("slot", flat=True))
    assert slots == [start // 30 + 1, (start + 24 * 3600 + 30) // 30]


def test_the_scheduler_sleeps_until_the_next_slot_starts(settings):
    settings.PERIODIC_JOBS = {
        "flush": ("articles.tasks.flush_view_counts", 30),
        "purge": ("newsletter.tasks.purge_unconfirmed", 3600),
    }

    assert seconds_to_next_slot(1_800_000_000 + 12) == 18
    assert seconds_to_next_slot(1_800_000_000 + 3599) == 1
