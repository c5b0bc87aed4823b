from __future__ import annotations

from django.core.management import call_command
from django_tasks import TaskContext, task

from karriere.taskqueue import tasks_recover_expired


@task()
def prune_task_results() -> None:
    """Delete finished task rows (a day after success, two weeks after failure to debug them)."""
    call_command(
        "prune_db_task_results",
        "--queue-name=*",
        "--min-age-days=1",
        "--failed-min-age-days=14",
        verbosity=0,
    )


@task(takes_context=True)
def recover_expired_tasks(context: TaskContext) -> int:
    # Not this run itself: with a very short lease it would re-queue itself.
    return tasks_recover_expired(exclude_id=str(context.task_result.id))
