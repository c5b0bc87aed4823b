from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core import mail
from django.db import transaction
from django.test import Client
from django_tasks_db.models import DBTaskResult

from comments.models import Comment
from comments.services import (
    comment_approve,
    comment_delete,
    comment_mark_spam,
    comment_restore,
    comment_submit,
    comment_trash,
)
from karriere.dependencies import invalidate, version_token
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"


@pytest.fixture
def superuser(client):
    user = get_user_model().objects.create_superuser("chefin", "chefin@example.com", "x")
    client.force_login(user)
    return user


def submit(article, **overrides):
    data = {"name": "Erika", "email": "erika@example.com", "text": "Guter Artikel", **overrides}
    return comment_submit(article=article, **data)


def comment_count(article) -> int:
    article.refresh_from_db()
    return article.comment_count


def run_action(client, action: str, *comments):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


def test_approving_records_who_and_when_counts_the_comment_and_invalidates_only_its_comments(
    article, superuser, clock, django_capture_on_commit_callbacks
):
    comment = submit(article)
    with django_capture_on_commit_callbacks(execute=True):
        invalidate("setup")  # what creating the article invalidates, as if committed
    version = version_token(f"comments-{article.pk}")
    elsewhere = version_token(
        f"article-{article.pk}", "home", "nav", "feeds", f"category-{article.category_id}"
    )
    with django_capture_on_commit_callbacks(execute=True):
        comment = comment_approve(comment=comment, moderator=superuser)
        assert version_token(f"comments-{article.pk}") == version  # not before the commit
    assert (comment.status, comment.approved_by, comment.approved_at) == (
        Comment.Status.APPROVED,
        superuser,
        comment.created_at,
    )
    assert comment_count(article) == 1
    assert version_token(f"comments-{article.pk}") != version
    # Its page and the lists showing its count name comments-<id>; nothing else renders again
    # (not even the article's other parts).
    assert (
        version_token(
            f"article-{article.pk}", "home", "nav", "feeds", f"category-{article.category_id}"
        )
        == elsewhere
    )


def test_spam_trash_and_restore_keep_the_count_and_remember_the_previous_status(article, superuser):
    comment = comment_approve(comment=submit(article), moderator=superuser)
    comment = comment_mark_spam(comment=comment)
    assert (comment.status, comment.previous_status) == ("spam", "approved")
    assert comment_count(article) == 0
    comment = comment_restore(comment=comment, moderator=superuser)
    assert comment.status == "approved"
    assert comment_count(article) == 1
    comment = comment_trash(comment=comment)
    assert comment_count(article) == 0
    assert comment_restore(comment=comment, moderator=superuser).status == "approved"
    assert comment_count(article) == 1


def test_restore_leaves_comments_outside_spam_and_trash_alone(article, superuser):
    comment = comment_approve(comment=submit(article), moderator=superuser)
    assert comment.previous_status == "pending"
    assert comment_restore(comment=comment, moderator=superuser).status == "approved"
    assert comment_count(article) == 1


def test_approving_twice_counts_once(article, superuser):
    comment = submit(article)
    comment_approve(comment=comment, moderator=superuser)
    comment_approve(comment=comment, moderator=superuser)
    assert comment_count(article) == 1


def test_deleting_an_approved_comment_lowers_the_count_and_keeps_its_replies(article, superuser):
    parent = comment_approve(comment=submit(article), moderator=superuser)
    reply = comment_approve(
        comment=submit(article, email="max@example.com", parent=parent), moderator=superuser
    )
    comment_delete(comment=parent)
    reply.refresh_from_db()
    assert reply.parent is None
    assert comment_count(article) == 1


def test_admin_list_shows_the_moderation_columns_and_filters_by_status(client, article, superuser):
    CommentFactory(article=article, text="Wartet noch", status="pending", ip_address="203.0.113.5")
    CommentFactory(article=article, text="Schon da", status="approved")
    html = client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    assert "Wartet noch" in html and "Schon da" not in html
    assert "203.0.113.5" in html
    assert article.title in html


def test_admin_bulk_actions_approve_spam_trash_and_restore(client, article, superuser):
    first, second = submit(article), submit(article, email="max@example.com")
    run_action(client, "approve", first, second)
    assert comment_count(article) == 2
    run_action(client, "mark_spam", first)
    run_action(client, "trash", second)
    assert [c.status for c in Comment.objects.order_by("id")] == ["spam", "trash"]
    assert comment_count(article) == 0
    third = submit(article, email="eva@example.com")
    response = run_action(client, "restore", first, second, third)
    assert "2 Kommentare wiederhergestellt." in response.content.decode()
    assert comment_count(article) == 2


def test_admin_actions_need_the_change_permission(client, article):
    viewer = get_user_model().objects.create_user("leser", password="x", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_comment"))
    client.force_login(viewer)
    comment = submit(article)
    assert 'value="approve"' not in client.get(CHANGELIST).content.decode()
    run_action(client, "approve", comment)
    comment.refresh_from_db()
    assert comment.status == "pending"


def test_admin_index_shows_the_pending_count(client, article, superuser):
    CommentFactory.create_batch(3, article=article, status="pending")
    CommentFactory(article=article, status="approved")
    html = client.get("/admin/").content.decode()
    assert "3 Kommentare warten auf Freigabe" in html
    assert f'href="{CHANGELIST}?status__exact=pending"' in html
    # Django's own index is still there.
    assert 'id="content-main"' in html


def test_held_comment_notifies_the_moderators_exactly_once(article, settings, run_tasks):
    settings.COMMENTS_MODERATOR_EMAILS = ["moderation@example.com"]
    comment = submit(article, text="Bitte freigeben")
    run_tasks()
    run_tasks()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["moderation@example.com"]
    assert message.subject == f"Neuer Kommentar wartet auf Freigabe: {article.title}"
    assert "Bitte freigeben" in message.body
    assert f"/admin/comments/comment/{comment.pk}/change/" in message.body


def test_spam_and_approving_send_no_notification(article, settings, run_tasks, superuser):
    settings.COMMENTS_MODERATOR_EMAILS = ["moderation@example.com"]
    comment_mark_spam(comment=submit(article))
    run_tasks()
    mail.outbox.clear()
    comment_approve(comment=Comment.objects.get(), moderator=superuser)
    run_tasks()
    assert mail.outbox == []


def test_notification_task_is_queued_in_the_comments_transaction(article, settings):
    settings.COMMENTS_MODERATOR_EMAILS = ["moderation@example.com"]
    with pytest.raises(RuntimeError), transaction.atomic():
        submit(article)
        raise RuntimeError("the request failed after the comment was stored")
    assert Comment.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def test_moderator_can_edit_a_comment_text_in_the_admin_but_not_its_status(
    client, article, superuser
):
    comment = CommentFactory(article=article, text="Tippfehlr")
    url = f"{CHANGELIST}{comment.pk}/change/"
    assert client.get(url).status_code == 200
    data = {"name": comment.name, "email": comment.email, "url": "", "text": "Tippfehler"}
    response = client.post(url, {**data, "status": "spam"})
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.text, comment.status) == ("Tippfehler", "approved")


def test_editing_an_approved_comment_in_the_admin_updates_the_cached_article_page(
    client, article, superuser, page_cache, django_assert_num_queries
):
    comment = CommentFactory(article=article, text="Gehaltserhöhung mit Tippfehlr")
    reader = Client()
    reader.get(article.get_absolute_url())
    with django_assert_num_queries(0):  # really from the cache
        cached = reader.get(article.get_absolute_url()).content.decode()
    assert "Gehaltserhöhung mit Tippfehlr" in cached

    with page_cache.commit():
        response = client.post(
            f"{CHANGELIST}{comment.pk}/change/",
            {
                "name": comment.name,
                "email": comment.email,
                "url": "",
                "text": "Gehaltserhöhung ohne Tippfehler",
                "_save": "Sichern",
            },
        )
    assert response.status_code == 302

    page = reader.get(article.get_absolute_url()).content.decode()
    assert "Gehaltserhöhung ohne Tippfehler" in page
    assert "Tippfehlr" not in page
