""" "Hilfreich" in Chromium: one tap with JavaScript counts without a reload and shows the new
count; without JavaScript the form's POST comes back to the article's thank-you note; the
comment form remembers name and e-mail only when the reader opts in."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from articles.counting import flush_views
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Headless Chromium calls itself "HeadlessChrome", which the bot filter drops (as for views).
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"


def likes_shown(page, article):
    return page.locator(f'.article-meta [data-likes-for="{article.pk}"]')


def test_a_tap_counts_without_a_reload_and_shows_the_new_count(new_context, assert_accessible):
    article = ArticleFactory(title="Gehaltserhöhung im Außendienst: so klappt's")
    page = new_context(user_agent=FIREFOX).new_page()
    page.goto(article.get_absolute_url())
    expect(likes_shown(page, article)).to_have_text("0-mal hilfreich")
    page.evaluate("window.notReloaded = true")

    button = page.get_by_role("button", name="Hilfreich", exact=True)
    with page.expect_response(lambda response: "/hilfreich/" in response.url) as answer:
        button.click()

    assert answer.value.status == 200
    expect(page.get_by_role("status").filter(has_text="Danke!")).to_be_visible()
    expect(page.get_by_role("button", name="Danke!")).to_be_disabled()
    expect(likes_shown(page, article)).to_have_text("1-mal hilfreich")
    assert page.evaluate("window.notReloaded") is True
    assert_accessible(page)
    flush_views()
    article.refresh_from_db()
    assert article.like_count == 1

    # The page again (from the page cache, with the count it was rendered with): a second tap
    # today does not count twice, and the answer brings the current count.
    page.reload()
    page.get_by_role("button", name="Hilfreich", exact=True).click()
    status = page.get_by_role("status").filter(has_text="heute schon als hilfreich markiert")
    expect(status).to_be_visible()
    expect(likes_shown(page, article)).to_have_text("1-mal hilfreich")


def test_without_javascript_the_post_returns_to_the_thank_you_note(new_context):
    article = ArticleFactory(title="Weiterbildungsmöglichkeiten für Führungskräfte")
    page = new_context(user_agent=FIREFOX, java_script_enabled=False).new_page()
    page.goto(article.get_absolute_url())
    expect(page.get_by_text("Danke! Du fandest diesen Artikel hilfreich.")).to_be_hidden()

    page.get_by_role("button", name="Hilfreich", exact=True).click()

    page.wait_for_url(f"**{article.get_absolute_url()}#hilfreich-danke")
    expect(page.get_by_text("Danke! Du fandest diesen Artikel hilfreich.")).to_be_visible()
    expect(page.get_by_text("heute schon als hilfreich markiert")).to_be_hidden()
    flush_views()
    article.refresh_from_db()
    assert article.like_count == 1


def test_the_comment_form_remembers_name_and_e_mail_only_when_asked(new_context, settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    article = ArticleFactory(title="Überstundenausgleich in der Probezeit")
    page = new_context().new_page()
    page.goto(article.get_absolute_url())
    form = page.locator("form.comment-form")
    remember = form.get_by_label("Name und E-Mail in diesem Browser speichern")
    expect(remember).not_to_be_checked()

    form.get_by_role("textbox", name="Name", exact=True).fill("Jürgen Weiß")
    form.get_by_role("textbox", name="E-Mail", exact=True).fill("juergen@beispiel.de")
    form.get_by_label("Kommentar").fill("Sehr hilfreich, gerade für Berufseinsteiger.")
    remember.check()
    with page.expect_request(lambda request: request.method == "POST") as sent:
        form.get_by_role("button", name="Kommentar senden").click()
    assert "merken" not in (sent.value.post_data or "")
    expect(page.get_by_text("Danke! Dein Kommentar")).to_be_visible()

    page.goto(article.get_absolute_url())
    expect(form.get_by_role("textbox", name="Name", exact=True)).to_have_value("Jürgen Weiß")
    expect(form.get_by_role("textbox", name="E-Mail", exact=True)).to_have_value(
        "juergen@beispiel.de"
    )
    expect(remember).to_be_checked()

    remember.uncheck()
    assert page.evaluate("localStorage.length") == 0
    page.goto(article.get_absolute_url())
    expect(form.get_by_role("textbox", name="Name", exact=True)).to_have_value("")
    expect(remember).not_to_be_checked()
