from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskContext, task

from karriere import purge
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


def purge_later(keys: Sequence[str]) -> None:
    """Queue one purge of ``keys`` in every configured shared cache (nothing without one);
    ``karriere.dependencies`` calls it after each commit that invalidated keys."""
    backends = purge.configured_backends()
    if backends:
        purge_shared_caches.enqueue(
            keys=list(keys), backends=[backend.name for backend in backends]
        )


@task()
def purge_shared_caches(keys: list[str], backends: list[str], attempt: int = 1) -> list[str]:
    """Purge ``keys`` from the shared HTTP caches; a cache that failed is asked again later."""
    failed = purge.purge_keys(keys=keys, backends=backends)
    if failed and attempt < settings.PURGE_MAX_ATTEMPTS:
        # 5 s, 10 s, 20 s … : a restarting Varnish is back within seconds, an API within minutes.
        run_after = timezone.now() + timedelta(seconds=5 * 2 ** (attempt - 1))
        purge_shared_caches.using(run_after=run_after).enqueue(
            keys=keys, backends=failed, attempt=attempt + 1
        )
    return failed
