from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from comments.models import Comment, ModerationWord
from tests.comments.conftest import comment_data
from tests.factories import CommentFactory

pytestmark = pytest.mark.django_db


def test_post_without_csrf_token_is_refused(article):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(f"/kommentare/{article.pk}/", {"name": "Bot"})
    assert response.status_code == 403
    assert Comment.objects.count() == 0


def test_filled_honeypot_looks_like_success_but_stores_nothing(article, post_comment):
    response = post_comment(article, phone="+49 30 123456")
    assert response.status_code == 302
    assert Comment.objects.count() == 0


def test_form_sent_within_3_seconds_is_refused_and_the_text_kept(article, post_comment):
    response = post_comment(article, after=2, text="Schnell getippt")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Das ging sehr schnell. Bitte prüfe deinen Kommentar und sende ihn noch einmal." in html
    assert "Schnell getippt</textarea>" in html
    assert Comment.objects.count() == 0


def test_form_sent_after_3_seconds_is_accepted(article, post_comment):
    assert post_comment(article, after=3).status_code == 302


def test_form_older_than_2_hours_is_refused_and_the_text_kept(article, post_comment):
    response = post_comment(article, after=2 * 60 * 60 + 1, text="Lange überlegt")
    html = response.content.decode()
    assert "Das Formular war sehr lange geöffnet und ist abgelaufen." in html
    assert "Lange überlegt</textarea>" in html
    assert Comment.objects.count() == 0


def test_forged_timestamp_is_refused(client, article, clock):
    response = client.post(f"/kommentare/{article.pk}/", comment_data(timestamp="1700000000"))
    assert "Beim Formular ist etwas schiefgegangen." in response.content.decode()
    assert Comment.objects.count() == 0


def test_second_comment_from_the_same_ip_within_15_seconds_gets_429(article, post_comment):
    post_comment(article, after=5)
    # The second reader opens the page right away and sends 14 s after the first comment.
    response = post_comment(article, after=14, email="max@example.com", text="Noch was")
    assert response.status_code == 429
    assert "Du kommentierst zu schnell." in response.content.decode()
    assert "Noch was</textarea>" in response.content.decode()
    assert Comment.objects.count() == 1


def test_second_comment_from_the_same_ip_after_16_seconds_is_accepted(article, post_comment):
    post_comment(article, after=5)
    assert (
        post_comment(article, after=16, email="max@example.com", text="Noch was").status_code == 302
    )
    assert Comment.objects.count() == 2


def test_same_email_from_another_ip_within_15_seconds_gets_429(article, post_comment):
    post_comment(article, after=5)
    other_ip = Client(REMOTE_ADDR="203.0.113.9")
    response = post_comment(article, after=10, http=other_ip, text="Anderer Text")
    assert response.status_code == 429


def test_staff_are_exempt_from_flood_control(client, article, post_comment):
    staff = get_user_model().objects.create_user("mod", password="x", is_staff=True)
    client.force_login(staff)
    post_comment(article, after=5)
    assert post_comment(article, after=5, text="Zweiter Kommentar").status_code == 302


def test_same_text_by_the_same_email_on_the_same_article_gets_409(article, post_comment):
    post_comment(article)
    response = post_comment(article, after=60, text="  Sehr hilfreicher   Artikel, danke! ")
    assert response.status_code == 409
    assert "Diesen Kommentar hast du bereits gesendet." in response.content.decode()
    assert Comment.objects.count() == 1


def test_comment_with_one_link_is_not_held_by_the_link_rule(article, post_comment, settings):
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    CommentFactory(article=article, name="Erika Muster", email="erika@example.com")
    post_comment(article, text="Siehe https://example.org/gehalt")
    assert Comment.objects.latest("id").status == Comment.Status.APPROVED


def test_comment_with_two_links_is_held_for_moderation(article, post_comment, settings):
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    CommentFactory(article=article, name="Erika Muster", email="erika@example.com")
    post_comment(article, text="Siehe https://example.org/a und www.example.org/b")
    assert Comment.objects.latest("id").status == Comment.Status.PENDING


def test_word_on_the_moderation_list_holds_a_known_author(article, post_comment, settings):
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    CommentFactory(article=article, name="Erika Muster", email="erika@example.com")
    ModerationWord.objects.create(word="Kredit", kind=ModerationWord.Kind.MODERATE)
    post_comment(article, text="Günstige KREDITE hier")
    assert Comment.objects.latest("id").status == Comment.Status.PENDING


def test_word_on_the_block_list_in_the_name_marks_spam(article, post_comment):
    ModerationWord.objects.create(word="casino", kind=ModerationWord.Kind.BLOCK)
    response = post_comment(article, name="Best Casino")
    assert response.status_code == 302
    assert Comment.objects.get().status == Comment.Status.SPAM


def test_by_default_even_a_known_author_is_held(article, post_comment):
    CommentFactory(article=article, name="Erika Muster", email="erika@example.com")
    post_comment(article)
    assert Comment.objects.latest("id").status == Comment.Status.PENDING


def test_auto_approval_needs_name_and_email_of_an_approved_comment(article, post_comment, settings):
    settings.COMMENTS_AUTO_APPROVE_KNOWN_AUTHORS = True
    CommentFactory(article=article, name="Erika M.", email="erika@example.com")
    post_comment(article)
    assert Comment.objects.latest("id").status == Comment.Status.PENDING


def spam_checker_says_spam(*, comment):
    return "spam" if "viagra" in comment.text.lower() else None


def test_spam_checker_hook_can_mark_a_comment_as_spam(article, post_comment, settings):
    settings.COMMENTS_SPAM_CHECKER = f"{__name__}.spam_checker_says_spam"
    post_comment(article, text="Viagra billig")
    post_comment(article, after=20, email="max@example.com", text="Guter Artikel")
    statuses = list(Comment.objects.order_by("id").values_list("status", flat=True))
    assert statuses == [Comment.Status.SPAM, Comment.Status.PENDING]
