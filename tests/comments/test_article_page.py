from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from articles.services import article_save
from comments.models import Comment
from comments.services import comment_approve
from tests.comments.conftest import comment_data, form_stamp
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def section(response) -> str:
    html = response.content.decode()
    start = html.index('<section class="comments"')
    return html[start : html.index("</section>", start)]


def test_approved_comments_are_shown_oldest_first_with_name_german_date_and_count(client, article):
    CommentFactory(
        article=article, name="Zweite", created_at=article.published_at + timedelta(hours=3)
    )
    CommentFactory(
        article=article, name="Erste", created_at=article.published_at + timedelta(hours=1)
    )
    html = section(client.get(article.get_absolute_url()))
    assert "2 Kommentare" in html
    assert html.index("Erste") < html.index("Zweite")
    assert "1. März 2026 um 11:00 Uhr" in html


def test_comment_text_is_escaped_and_keeps_its_line_breaks(client, article):
    CommentFactory(article=article, text="<script>alert(1)</script>\nZweite Zeile")
    html = section(client.get(article.get_absolute_url()))
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>Zweite Zeile" in html


def test_name_links_to_the_website_with_nofollow_ugc(client, article):
    CommentFactory(article=article, name="Erika", url="https://erika.example/")
    html = section(client.get(article.get_absolute_url()))
    assert '<a href="https://erika.example/" rel="nofollow ugc">Erika</a>' in html


def test_a_javascript_website_that_reached_the_database_is_never_a_link(client, article):
    CommentFactory(article=article, name="Mallory", url="javascript:alert(1)")
    html = section(client.get(article.get_absolute_url()))
    assert "javascript:" not in html
    assert "Mallory" in html


def test_pending_spam_and_trashed_comments_are_invisible_and_not_counted(client, article):
    CommentFactory(article=article, text="Sichtbar")
    for status in ("pending", "spam", "trash"):
        CommentFactory(article=article, text=f"Unsichtbar {status}", status=status)
    html = section(client.get(article.get_absolute_url()))
    assert "Sichtbar" in html
    assert "Unsichtbar" not in html
    assert "1 Kommentar" in html


def test_author_sees_their_own_pending_comment_marked_and_nobody_else_does(
    client, article, post_comment
):
    response = post_comment(article, text="Mein wartender Kommentar")
    own = section(client.get(response["Location"]))
    assert "Mein wartender Kommentar" in own
    assert "Dein Kommentar wartet auf Freischaltung." in own
    assert "0 Kommentare" in own
    assert "Mein wartender Kommentar" not in section(Client().get(article.get_absolute_url()))


def test_own_pending_comment_is_hidden_again_after_the_cookie_expires(
    client, article, post_comment, clock, settings
):
    response = post_comment(article, text="Mein wartender Kommentar")
    clock.shift(settings.COMMENTS_PENDING_COOKIE_MAX_AGE + 1)
    assert "Mein wartender Kommentar" not in section(client.get(response["Location"]))


def test_forged_pending_cookie_shows_nothing(client, article):
    CommentFactory(article=article, text="Fremder Kommentar", status="pending")
    client.cookies["karriere_eigene_kommentare"] = "[1]"
    assert "Fremder Kommentar" not in section(client.get(article.get_absolute_url()))


def test_reply_link_preselects_the_parent_and_replies_are_shown_under_it(
    client, article, post_comment
):
    parent = CommentFactory(article=article, name="Erika")
    html = section(client.get(article.get_absolute_url()))
    assert f'href="?antwort={parent.pk}#kommentar-formular"' in html
    page = section(client.get(f"{article.get_absolute_url()}?antwort={parent.pk}"))
    assert "Deine Antwort an Erika" in page
    assert f'name="parent" value="{parent.pk}"' in page

    post_comment(article, parent=str(parent.pk), text="Meine Antwort")
    reply = Comment.objects.get(parent=parent)
    comment_approve(comment=reply, moderator=None)
    html = section(client.get(article.get_absolute_url()))
    replies = html[html.index('<ol class="comment-replies">') :]
    assert "Meine Antwort" in replies
    # One level only: a reply has no reply link of its own.
    assert f"?antwort={reply.pk}" not in html


def test_closed_article_shows_the_note_and_refuses_posts_with_403(client, article, clock):
    timestamp = form_stamp(client, article)  # the reader starts typing while comments are open
    article.comments_open = False
    article_save(article=article)
    html = section(client.get(article.get_absolute_url()))
    assert "Kommentare sind geschlossen." in html
    assert "<form" not in html

    clock.shift(10)
    response = client.post(f"/kommentare/{article.pk}/", comment_data(timestamp=timestamp))
    assert response.status_code == 403
    assert "Kommentare sind geschlossen." in response.content.decode()
    assert Comment.objects.count() == 0


def test_comments_close_automatically_after_the_configured_days(client, settings, clock):
    settings.COMMENTS_CLOSE_AFTER_DAYS = 14
    young = ArticleFactory(published_at=timezone.now() - timedelta(days=13))
    old = ArticleFactory(published_at=timezone.now() - timedelta(days=15))
    assert "Kommentare sind geschlossen." not in section(client.get(young.get_absolute_url()))
    assert "Kommentare sind geschlossen." in section(client.get(old.get_absolute_url()))


def test_article_page_queries_stay_the_same_with_200_approved_comments(client, article):
    # Logged in, so no page cache answers; the first request fills the sidebar caches.
    client.force_login(get_user_model().objects.create_user("leserin"))
    client.get(article.get_absolute_url())

    def count_queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(article.get_absolute_url()).status_code == 200
        return len(captured)

    first = CommentFactory(article=article)
    with_one = count_queries()
    for parent in [first, *CommentFactory.create_batch(99, article=article)]:
        CommentFactory(article=article, parent=parent)
    assert count_queries() == with_one
    assert "200 Kommentare" in section(client.get(article.get_absolute_url()))
