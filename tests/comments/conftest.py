from __future__ import annotations

import re

import pytest

from tests.factories import ArticleFactory

TIMESTAMP_FIELD = re.compile(r'name="timestamp" value="([^"]+)"')


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
