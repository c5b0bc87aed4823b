from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import time_machine

from tests.factories import ArticleFactory

TIMESTAMP_FIELD = re.compile(r'name="timestamp" value="([^"]+)"')


@pytest.fixture
def clock():
    with time_machine.travel(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller


@pytest.fixture
def run_tasks(run_tasks, monkeypatch):
    # The worker closes "old" connections before each task; on PostgreSQL that closes the
    # connection holding the test's transaction. Within a test the connection stays.
    monkeypatch.setattr(
        "django_tasks_db.management.commands.db_worker.close_old_connections", lambda: None
    )
    return run_tasks


@pytest.fixture
def article(db, clock):
    return ArticleFactory(title="Gehalt verhandeln", slug="gehalt-verhandeln")


def comment_data(**overrides) -> dict:
    return {
        "name": "Erika Muster",
        "email": "erika@example.com",
        "url": "",
        "text": "Sehr hilfreicher Artikel, danke!",
        "parent": "",
        "phone": "",
        **overrides,
    }


@pytest.fixture
def post_comment(client, clock):
    """Open the article page like a reader, wait `after` seconds, then send the form."""

    def post(article, after: float = 10, http=None, **fields):
        http = http or client
        page = http.get(article.get_absolute_url()).content.decode()
        timestamp = TIMESTAMP_FIELD.search(page).group(1)
        clock.shift(after)
        return http.post(f"/kommentare/{article.pk}/", comment_data(timestamp=timestamp, **fields))

    return post
