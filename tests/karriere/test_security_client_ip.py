"""Limits that key on the client IP cannot be dodged with a forged X-Forwarded-For."""

from __future__ import annotations

import pytest

from comments.models import Comment
from tests.comments.conftest import form_stamp
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def send_comment(client, article, clock, *, email: str, forwarded: str, **extra):
    """Open the article page, wait like a reader, send a comment with a new forged header."""
    client.get(article.get_absolute_url())
    timestamp = form_stamp(client, article)
    clock.shift(5)
    data = {"name": "Erika", "email": email, "url": "", "text": f"Von {email}", "parent": ""}
    return client.post(
        f"/kommentare/{article.pk}/",
        {**data, "phone": "", "timestamp": timestamp},
        HTTP_X_FORWARDED_FOR=forwarded,
        **extra,
    )


def test_forged_x_forwarded_for_does_not_escape_the_comment_flood_limit(client, clock):
    article = ArticleFactory()
    first = send_comment(client, article, clock, email="a@example.org", forwarded="10.0.0.1")
    second = send_comment(client, article, clock, email="b@example.org", forwarded="10.0.0.2")
    assert first.status_code == 302
    assert second.status_code == 429
    assert Comment.objects.count() == 1


def test_behind_a_trusted_proxy_the_forged_part_of_the_header_is_ignored(client, clock, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    article = ArticleFactory()
    proxy = {"REMOTE_ADDR": "10.0.0.254"}
    first = send_comment(
        client, article, clock, email="a@example.org", forwarded="1.1.1.1, 198.51.100.7", **proxy
    )
    second = send_comment(
        client, article, clock, email="b@example.org", forwarded="2.2.2.2, 198.51.100.7", **proxy
    )
    other_reader = send_comment(
        client, article, clock, email="c@example.org", forwarded="203.0.113.5", **proxy
    )
    assert [first.status_code, second.status_code, other_reader.status_code] == [302, 429, 302]
