from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from comments.models import Comment, ModerationWord
from tests.comments.conftest import TIMESTAMP_FIELD, comment_data, form_stamp
from tests.factories import ArticleFactory, CommentFactory

pytestmark = pytest.mark.django_db


def test_post_from_another_site_is_refused(article):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        f"/kommentare/{article.pk}/", {"name": "Bot"}, headers={"Origin": "https://boese.example"}
    )
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


# The minimum fill-in time with the page cache on: article pages are the same for every reader,
# so the form's timestamp is fetched per reader (comment-form.js) and never part of the page.

CONFIRM_TEXT = "Bitte prüfe deinen Kommentar noch einmal und sende ihn ab, um ihn zu bestätigen."


def test_a_bot_posting_at_once_from_a_cached_page_is_refused(
    article, clock, page_cache, django_assert_num_queries
):
    url = article.get_absolute_url()
    Client().get(url)  # a reader fills the page cache
    clock.shift(60)

    bot = Client()
    with django_assert_num_queries(0):  # really from the cache
        page = bot.get(url).content.decode()
    scraped = TIMESTAMP_FIELD.search(page)
    response = bot.post(
        f"/kommentare/{article.pk}/",
        comment_data(timestamp=scraped.group(1) if scraped else "", text="Billige Uhren hier"),
    )

    assert response.status_code == 200
    assert CONFIRM_TEXT in response.content.decode()
    assert Comment.objects.count() == 0


def test_cached_article_pages_carry_no_form_timestamp(
    article, clock, page_cache, django_assert_num_queries
):
    url = article.get_absolute_url()
    Client().get(url)
    with django_assert_num_queries(0):  # really from the cache
        cached = Client().get(url).content.decode()

    assert 'name="timestamp" value=""' in cached
    assert f'data-stamp-url="/kommentare/{article.pk}/stempel/"' in cached
    assert '<script src="/static/js/comment-form.js" defer></script>' in cached


def test_the_timestamp_is_issued_per_reader_and_never_cached(client, article, clock, page_cache):
    first = client.get(f"/kommentare/{article.pk}/stempel/")
    clock.shift(1)
    second = client.get(f"/kommentare/{article.pk}/stempel/")

    assert first.json()["timestamp"] != second.json()["timestamp"]
    assert "no-store" in first["Cache-Control"]
    assert not first.cookies
    assert client.head(f"/kommentare/{article.pk}/stempel/").status_code == 200


def test_a_fetched_timestamp_sent_at_once_is_too_quick(client, article, clock):
    timestamp = form_stamp(client, article)
    response = client.post(f"/kommentare/{article.pk}/", comment_data(timestamp=timestamp))

    assert "Das ging sehr schnell." in response.content.decode()
    assert Comment.objects.count() == 0


def test_no_timestamp_for_an_article_readers_cannot_see(client, clock):
    draft = ArticleFactory(status="draft")
    assert client.get(f"/kommentare/{draft.pk}/stempel/").status_code == 404


def test_without_javascript_the_form_comes_back_once_and_then_is_accepted(
    client, article, clock, page_cache
):
    client.get(article.get_absolute_url())
    text = "Meine Gehaltserhöhung kam nach der dritten Weiterbildungsmöglichkeit."

    first = client.post(f"/kommentare/{article.pk}/", comment_data(timestamp="", text=text))
    html = first.content.decode()
    assert first.status_code == 200
    assert CONFIRM_TEXT in html
    assert f"{text}</textarea>" in html
    assert Comment.objects.count() == 0

    clock.shift(5)
    timestamp = TIMESTAMP_FIELD.search(html).group(1)
    second = client.post(f"/kommentare/{article.pk}/", comment_data(timestamp=timestamp, text=text))

    assert second.status_code == 302
    assert Comment.objects.get().text == text
