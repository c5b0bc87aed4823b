"""Journey 4: a reader subscribes with double opt-in and unsubscribes again."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from newsletter.models import ConsentText, Subscriber
from tests.browser.ui import assert_browser_refuses_to_send, send_without_browser_check

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CONSENT = "Ja, ich möchte den Newsletter des Karriere-Magazins per E-Mail erhalten."


def link_in(message, path: str) -> str:
    """The path of the link to ``path`` in a mail, for the live server."""
    url = re.search(rf"https?://[^/\s]+({re.escape(path)}\S+/)", message.get_content())
    return url.group(1)


def test_subscriber_confirms_by_mail_and_unsubscribes_by_mail(
    page,
    smtp_inbox,
    run_tasks,
    assert_accessible,
):
    # The data migration's consent text does not survive the flush between transactional
    # tests: the editors' current wording is made here.
    ConsentText.objects.create(text=CONSENT)
    page.goto("/")
    box = page.get_by_role("complementary", name="Newsletter")
    box.get_by_label("E-Mail-Adresse").fill("leserin@example.de")
    subscribe = box.get_by_role("button", name="Anmelden")
    assert_browser_refuses_to_send(page, subscribe, box.get_by_label(CONSENT))
    send_without_browser_check(subscribe)

    expect(page.get_by_role("alert")).to_have_text("Bitte prüfe deine Eingaben.")
    expect(page.get_by_text("Bitte setze das Häkchen")).to_be_visible()
    expect(page.get_by_label("E-Mail-Adresse")).to_have_value("leserin@example.de")
    assert_accessible(page)
    # By keyboard: the honeypot field is not in the tab order.
    page.get_by_label("E-Mail-Adresse").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_label(CONSENT)).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Hinweise zum Datenschutz")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Anmelden")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Fast geschafft")).to_be_visible()
    assert_accessible(page)

    run_tasks()
    (confirmation,) = smtp_inbox.messages
    assert confirmation["To"] == "leserin@example.de"
    page.goto(link_in(confirmation, "/newsletter/bestaetigen/"))
    assert_accessible(page)
    page.get_by_role("button", name="Anmeldung bestätigen").click()
    expect(page.get_by_role("heading", name="Anmeldung bestätigt")).to_be_visible()
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED
    assert_accessible(page)

    # Later, from the footer: ask for an unsubscribe link by mail.
    page.get_by_role("contentinfo").get_by_role("link", name="Newsletter").click()
    page.get_by_role("link", name="Vom Newsletter abmelden").click()
    page.get_by_label("E-Mail-Adresse").fill("leserin@example.de")
    page.get_by_role("button", name="Abmeldelink senden").click()
    expect(page.get_by_role("heading", name="Schau in dein Postfach")).to_be_visible()
    run_tasks()
    link_mail = smtp_inbox.messages[1]
    page.goto(link_in(link_mail, "/newsletter/abmelden/"))
    assert_accessible(page)
    page.get_by_role("button", name="Abmelden").click()
    expect(page.get_by_role("heading", name="Du bist abgemeldet")).to_be_visible()
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
