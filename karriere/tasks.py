from __future__ import annotations

from django.core.management import call_command
from django_tasks import task


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
