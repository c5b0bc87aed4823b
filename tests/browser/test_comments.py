"""Journeys 2 and 3: a reader comments on an article, a moderator approves the comment."""

from __future__ import annotations

import re

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import expect

from comments.services import comment_submit
from tests.browser.ui import assert_browser_refuses_to_send, send_without_browser_check
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Das erste Gespräch mit der Chefin"
COMMENT = "Hilfreich! Genau so lief mein Vorstellungsgespräch in München ab."


def comments_of(page):
    return page.get_by_role("region", name="Kommentare")


@pytest.fixture
def article():
    return ArticleFactory(title=TITLE, slug="das-erste-gespraech-mit-der-chefin")


def test_reader_comment_waits_for_approval_and_only_its_author_sees_it(
    article, new_context, settings, assert_accessible, screenshot
):
    # The form refuses answers sent within a few seconds of loading it (a bot signal, checked
    # on a signed timestamp). Waiting that out would be a fixed sleep, so the minimum is off.
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    page = new_context().new_page()
    page.goto("/")
    page.get_by_role("link", name=TITLE).first.click()
    send = page.get_by_role("button", name="Kommentar senden")

    assert_browser_refuses_to_send(
        page, send, comments_of(page).get_by_role("textbox", name="Name", exact=True)
    )
    send_without_browser_check(send)

    alert = page.get_by_role("alert")
    expect(alert.get_by_text("Dein Kommentar wurde noch nicht gesendet")).to_be_visible()
    for error in (
        "Bitte gib deinen Namen ein.",
        "Bitte gib deine E-Mail-Adresse ein.",
        "Bitte schreib einen Kommentar.",
    ):
        expect(alert.get_by_role("link", name=error)).to_be_visible()
        expect(page.get_by_text(error, exact=True)).to_be_visible()  # next to its field
    assert_accessible(page)
    screenshot(page, "comment-errors")

    form = comments_of(page)
    form.get_by_role("textbox", name="Name", exact=True).fill("Jörg Käfer")
    form.get_by_role("textbox", name="E-Mail", exact=True).fill(
        "joerg@beispiel"
    )  # Chromium accepts it, Django not
    form.get_by_label("Kommentar").fill(COMMENT)
    send.click()
    expect(
        page.get_by_role("alert").get_by_role("link", name="gültige E-Mail-Adresse")
    ).to_be_visible()
    expect(form.get_by_role("textbox", name="Name", exact=True)).to_have_value("Jörg Käfer")
    expect(form.get_by_label("Kommentar")).to_have_value(COMMENT)

    form.get_by_role("textbox", name="E-Mail", exact=True).fill("joerg@beispiel.de")
    send.click()
    expect(page.get_by_text("Danke! Dein Kommentar wartet auf Freischaltung")).to_be_visible()
    own = comments_of(page).get_by_role("article").filter(has_text=COMMENT)
    expect(own.get_by_text("wartet auf Freischaltung")).to_be_visible()
    assert_accessible(page)
    screenshot(page, "article")

    stranger = new_context().new_page()
    stranger.goto(article.get_absolute_url())
    expect(comments_of(stranger).get_by_text("0 Kommentare", exact=True)).to_be_visible()
    expect(stranger.get_by_text(COMMENT)).to_have_count(0)


def test_moderator_approves_a_pending_comment_for_everyone(
    article, new_context, role_user, admin_login, assert_accessible
):
    comment_submit(article=article, name="Jörg Käfer", email="joerg@beispiel.de", text=COMMENT)
    reader = new_context().new_page()
    reader.goto(article.get_absolute_url())  # now in the page cache, without the comment
    expect(comments_of(reader).get_by_text("0 Kommentare", exact=True)).to_be_visible()

    page = new_context().new_page()
    admin_login(page, role_user("moderatorin", "Moderation"))
    page.get_by_role("link", name="1 Kommentar wartet auf Freigabe").click()
    pending = page.get_by_role("row").filter(has_text="Jörg Käfer")
    expect(pending).to_be_visible()
    assert_accessible(page, admin=True)
    pending.get_by_role("checkbox").check()
    page.get_by_label("Aktion:").select_option(label="Ausgewählte Kommentare freigeben")
    page.get_by_role("button", name="Ausführen").click()
    expect(page.get_by_text("1 Kommentar freigegeben.")).to_be_visible()
    page.get_by_role("link", name="Startseite").click()
    expect(page.get_by_role("link", name="0 Kommentare warten auf Freigabe")).to_be_visible()
    assert_accessible(page, admin=True)

    reader.reload()
    approved = comments_of(reader).get_by_role("article").filter(has_text=COMMENT)
    expect(approved.get_by_text("Jörg Käfer", exact=True)).to_be_visible()
    expect(approved.get_by_text("wartet auf Freischaltung")).to_have_count(0)
    expect(comments_of(reader).get_by_text("1 Kommentar", exact=True)).to_be_visible()
    expect(
        reader.get_by_text(re.compile(r"Aufrufe · 1 Kommentar · 0-mal hilfreich$"))
    ).to_be_visible()  # byline
    assert_accessible(reader)


# The minimum fill-in time on a page every reader shares (page cache on): the form's script
# fetches a timestamp when the reader starts, and without JavaScript the server asks once more.
# The server's clock is moved on with time_machine instead of waiting.


def test_the_form_script_fetches_the_readers_own_timestamp_when_they_start(article, new_context):
    with time_machine.travel(timezone.now(), tick=True) as clock:
        new_context().new_page().goto(article.get_absolute_url())  # fills the page cache
        clock.shift(600)
        page = new_context().new_page()
        page.goto(article.get_absolute_url())
        form = comments_of(page)
        stamp = form.locator('input[name="timestamp"]')
        expect(stamp).to_have_value("")
        with page.expect_response(re.compile(r"/kommentare/\d+/stempel/$")):
            form.get_by_role("textbox", name="Name", exact=True).fill("Jörg Käfer")
        expect(stamp).not_to_have_value("")
        form.get_by_role("textbox", name="E-Mail", exact=True).fill("joerg@beispiel.de")
        form.get_by_label("Kommentar").fill(COMMENT)
        clock.shift(5)
        form.get_by_role("button", name="Kommentar senden").click()
        expect(page.get_by_text("Danke! Dein Kommentar wartet auf Freischaltung")).to_be_visible()


def test_a_reader_without_javascript_confirms_once_and_keeps_the_text(article, new_context):
    with time_machine.travel(timezone.now(), tick=True) as clock:
        page = new_context(java_script_enabled=False).new_page()
        page.goto(article.get_absolute_url())
        form = comments_of(page)
        form.get_by_role("textbox", name="Name", exact=True).fill("Jörg Käfer")
        form.get_by_role("textbox", name="E-Mail", exact=True).fill("joerg@beispiel.de")
        form.get_by_label("Kommentar").fill(COMMENT)
        form.get_by_role("button", name="Kommentar senden").click()

        expect(page.get_by_role("alert").get_by_text("um ihn zu bestätigen")).to_be_visible()
        expect(form.get_by_label("Kommentar")).to_have_value(COMMENT)
        clock.shift(5)
        form.get_by_role("button", name="Kommentar senden").click()
        expect(page.get_by_text("Danke! Dein Kommentar wartet auf Freischaltung")).to_be_visible()
