"""The comment list is a cached fragment (karriere/fragments.py) only where it is the same for
every reader: never with a reader's own pending comment."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_readers_own_pending_comment_stays_out_of_the_shared_comment_list(
    article, post_comment, client, fragment_cache
):
    Client().get(article.get_absolute_url())  # the shared comment list is cached now
    response = post_comment(article, text="Meine Meinung zur Überstundenregelung.")
    assert response.status_code == 302

    own = client.get(article.get_absolute_url()).content.decode()
    others = Client().get(article.get_absolute_url()).content.decode()

    assert "Überstundenregelung" in own
    assert "Überstundenregelung" not in others
