from __future__ import annotations

from django_tasks import task

from articles import counting


@task()
def flush_view_counts() -> int:
    """Move the view counts collected in Redis to the database (no-op without Redis)."""
    return counting.flush_views()
