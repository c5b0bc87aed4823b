"""Moderating one comment at a time from the list, replying as the magazine, and who gets the
"awaits approval" mail."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail

from comments.models import Comment
from comments.services import comment_submit
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/comments/comment/"


@pytest.fixture
def moderator(client):
    user = User.objects.create_user(
        "julia", "julia.becker@example.org", "x", is_staff=True, first_name="Julia",
        last_name="Becker",
    )  # fmt: skip
    user.groups.add(Group.objects.get(name="Moderation"))
    client.force_login(user)
    return user


def test_each_row_offers_the_buttons_its_status_allows(client, article, moderator):
    pending = CommentFactory(article=article, status="pending", text="Wartet auf Freigabe")
    spam = CommentFactory(article=article, status="spam", text="Billige Uhren")
    html = client.get(CHANGELIST).content.decode()
    assert f"/admin/comments/comment/{pending.pk}/moderate/approve/" in html
    assert f"/admin/comments/comment/{pending.pk}/reply/" in html
    assert f"/admin/comments/comment/{spam.pk}/moderate/restore/" in html
    assert f"/admin/comments/comment/{spam.pk}/moderate/approve/" not in html
    assert 'id="comment-row-action"' in html  # the buttons' own form, outside the bulk form


def test_approving_one_row_counts_it_and_returns_to_the_filtered_list(client, article, moderator):
    comment = CommentFactory(article=article, status="pending", text="Sehr hilfreich!")
    back = f"{CHANGELIST}?status__exact=pending"
    response = client.post(f"{CHANGELIST}{comment.pk}/moderate/approve/", {"next": back})
    assert response.status_code == 302 and response["Location"] == back
    comment.refresh_from_db()
    article.refresh_from_db()
    assert comment.status == Comment.Status.APPROVED and comment.approved_by == moderator
    assert article.comment_count == 1


def test_row_actions_never_redirect_to_another_host(client, article, moderator):
    comment = CommentFactory(article=article, status="pending")
    response = client.post(
        f"{CHANGELIST}{comment.pk}/moderate/spam/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == CHANGELIST
    comment.refresh_from_db()
    assert comment.status == Comment.Status.SPAM


def test_row_actions_only_by_post_and_only_known_ones(client, article, moderator):
    comment = CommentFactory(article=article, status="pending")
    assert client.get(f"{CHANGELIST}{comment.pk}/moderate/approve/").status_code == 405
    assert client.post(f"{CHANGELIST}{comment.pk}/moderate/delete/").status_code == 403
    comment.refresh_from_db()
    assert comment.status == Comment.Status.PENDING


def test_a_staff_reply_is_published_and_marked_redaktion_on_the_site(client, article, moderator):
    question = CommentFactory(
        article=article, status="pending", name="Jörg", text="Gilt das auch für Teilzeit?"
    )
    response = client.post(
        f"{CHANGELIST}{question.pk}/reply/",
        {"text": "Ja, die Gehaltserhöhung gilt anteilig auch in Teilzeit."},
        follow=True,
    )
    assert "Deine Antwort an Jörg ist online." in response.content.decode()
    reply = Comment.objects.get(staff_reply=True)
    question.refresh_from_db()
    assert (reply.status, reply.parent, reply.name) == ("approved", question, "Julia Becker")
    assert question.status == Comment.Status.APPROVED  # approved with its answer
    client.logout()
    page = client.get(article.get_absolute_url()).content.decode()
    assert "Ja, die Gehaltserhöhung gilt anteilig" in page
    assert '<span class="comment-badge">Redaktion</span>' in page


def test_an_empty_reply_is_refused_in_german_and_nothing_is_stored(client, article, moderator):
    question = CommentFactory(article=article, status="approved")
    response = client.post(f"{CHANGELIST}{question.pk}/reply/", {"text": "  "})
    assert response.status_code == 200
    assert "Dieses Feld ist zwingend erforderlich." in response.content.decode()
    assert not Comment.objects.filter(staff_reply=True).exists()


def test_members_of_the_moderation_group_get_the_mail_once(article, settings, run_tasks):
    settings.COMMENTS_MODERATOR_EMAILS = []
    moderation = Group.objects.get(name="Moderation")
    for name in ("julia", "tom"):
        User.objects.create_user(name, f"{name}@example.org", "x").groups.add(moderation)
    User.objects.create_user("weg", "weg@example.org", "x", is_active=False).groups.add(moderation)
    User.objects.create_user("redakteur", "redaktion@example.org", "x")
    comment_submit(article=article, name="Ömer", email="oemer@example.org", text="Frage?")
    run_tasks()
    run_tasks()
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["julia@example.org", "tom@example.org"]
