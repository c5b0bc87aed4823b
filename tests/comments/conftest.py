from __future__ import annotations

import re

import pytest

from tests.factories import ArticleFactory

TIMESTAMP_FIELD = re.compile(r'name="timestamp" value="([^"]+)"')


def form_stamp(http, article) -> str:
    """The form's timestamp as comment-form.js fetches it when the reader starts typing."""
    return http.get(f"/kommentare/{article.pk}/stempel/").json()["timestamp"]


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
    """Open the article page like a reader, start on the form (its script fetches the
    timestamp), wait `after` seconds, then send it."""

    def post(article, after: float = 10, http=None, **fields):
        http = http or client
        assert http.get(article.get_absolute_url()).status_code == 200
        timestamp = form_stamp(http, article)
        clock.shift(after)
        return http.post(f"/kommentare/{article.pk}/", comment_data(timestamp=timestamp, **fields))

    return post
