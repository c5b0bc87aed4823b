from __future__ import annotations

import pytest

from articles.services import article_save
from comments.models import Comment
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db


def test_article_page_shows_the_comment_form_with_labels_limits_and_required_note(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'action="/kommentare/{article.pk}/#kommentar-formular"' in html
    assert "Erforderliche Felder sind mit * markiert." in html
    assert "wird nicht veröffentlicht" in html
    assert '<label for="id_name">Name' in html
    assert 'name="name" autocomplete="name" maxlength="80" required id="id_name"' in html
    assert 'name="email" autocomplete="email" maxlength="254" required' in html
    assert 'name="url" autocomplete="url" maxlength="200" id="id_url"' in html
    assert 'maxlength="5000" required id="id_text"' in html
    # Shared page: no per-reader token (the post is checked by its origin instead).
    assert "csrfmiddlewaretoken" not in html


def test_valid_comment_redirects_to_its_anchor_and_awaits_approval(client, article, post_comment):
    response = post_comment(article)
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"{article.get_absolute_url()}#kommentar-{comment.pk}"
    assert comment.status == Comment.Status.PENDING
    assert comment.ip_address == "127.0.0.1"
    page = client.get(response["Location"]).content.decode()
    assert "Danke! Dein Kommentar wartet auf Freischaltung und erscheint, sobald" in page


def test_missing_fields_get_german_messages_and_the_typed_values_are_kept(article, post_comment):
    response = post_comment(article, name="", email="", text="   \n  ", url="https://erika.example")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bitte gib deinen Namen ein." in html
    assert "Bitte gib deine E-Mail-Adresse ein." in html
    assert "Bitte schreib einen Kommentar." in html
    assert 'value="https://erika.example"' in html
    assert "Dein Kommentar wurde noch nicht gesendet:" in html
    assert Comment.objects.count() == 0


def test_invalid_email_gets_a_german_message_and_the_comment_text_is_kept(article, post_comment):
    response = post_comment(article, email="erika@", text="Mein <b>Text</b> bleibt")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Bitte gib eine gültige E-Mail-Adresse ein, z. B. name@example.com." in html
    assert "Mein &lt;b&gt;Text&lt;/b&gt; bleibt</textarea>" in html
    assert 'value="erika@"' in html


def test_too_long_fields_are_rejected_with_their_limits(article, post_comment):
    response = post_comment(
        article, name="N" * 81, text="x" * 5001, url="https://e.de/" + "a" * 200
    )
    html = response.content.decode()
    assert "Dein Name darf höchstens 80 Zeichen lang sein (er hat 81)." in html
    assert "Dein Kommentar darf höchstens 5000 Zeichen lang sein (er hat 5001)." in html
    assert "Deine Webadresse darf höchstens 200 Zeichen lang sein" in html
    assert Comment.objects.count() == 0


def test_comment_of_exactly_5000_characters_with_line_breaks_is_accepted(article, post_comment):
    # 50 lines of 100 characters each, once a CRLF line break counts as one character.
    text = ("a" * 99 + "\r\n") * 49 + "a" * 100
    assert len(text) == 5049
    assert post_comment(article, text=text).status_code == 302
    assert len(Comment.objects.get().text) == 5000


def test_javascript_website_is_rejected(article, post_comment):
    response = post_comment(article, url="javascript:alert(1)")
    assert response.status_code == 200
    assert "Bitte gib eine gültige Webadresse ein, die mit http:// oder https:// beginnt." in (
        response.content.decode()
    )
    assert Comment.objects.count() == 0


def test_reply_to_an_unapproved_comment_is_refused(article, post_comment):
    post_comment(article)
    pending = Comment.objects.get()
    response = post_comment(article, parent=str(pending.pk), email="max@example.com", after=20)
    assert response.status_code == 200
    assert "Du kannst nur auf veröffentlichte Kommentare antworten." in response.content.decode()


def test_comment_on_an_unpublished_article_is_404(client, article, post_comment):
    response = post_comment(article)
    assert response.status_code == 302
    article.status = article.Status.DRAFT
    article_save(article=article)
    assert client.post(f"/kommentare/{article.pk}/", {}).status_code == 404


def test_get_on_the_comment_endpoint_is_not_allowed(client, article):
    assert client.get(f"/kommentare/{article.pk}/").status_code == 405


def test_the_page_shown_again_with_errors_keeps_tags_and_related_articles(article, post_comment):
    article.tags.set(["Gehalt"])
    related = ArticleFactory(title="Gehaltsverhandlung für Profis", tags=["Gehalt"])
    html = post_comment(article, name="").content.decode()
    assert "Bitte gib deinen Namen ein." in html
    assert 'href="/thema/gehalt/"' in html
    assert "Folgende Artikel passen zum Thema" in html
    assert related.title in html


def test_an_invalid_website_is_reported_once(article, post_comment):
    response = post_comment(article, url="nicht eine adresse")
    message = "Bitte gib eine gültige Webadresse ein, die mit http:// oder https:// beginnt."

    html = response.content.decode()
    # Once in the summary above the form, once at the field: not twice in either.
    assert html.count(f"Website: {message}</a>") == 1
    assert html.count(f"<li>{message}</li>") == 1


def test_the_flood_answer_says_when_to_try_again(article, post_comment):
    post_comment(article, after=5)
    response = post_comment(article, after=6, email="max@example.com", text="Noch was")

    assert response.status_code == 429
    # The first comment was sent 6 s before (plus the 0 s the page took): 15 - 6 = 9 s left.
    assert response["Retry-After"] == "9"
