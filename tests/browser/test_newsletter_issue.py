"""Journey 6: a newsletter editor composes an issue from the newest articles, previews it,
sends a test, sends it to the subscribers and watches the figures."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from newsletter.models import NewsletterIssue
from tests.factories import ArticleFactory, CategoryFactory
from tests.newsletter.issue_helpers import confirmed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLES = [
    "Gehaltserhöhung richtig verhandeln",
    "Weiterbildungsmöglichkeiten für Berufstätige",
    "Bewerbung nach der Elternzeit: So gelingt’s",
]


def test_editor_composes_previews_tests_and_sends_an_issue(
    new_context, role_user, admin_login, assert_accessible, screenshot, smtp_inbox, run_tasks
):
    category = CategoryFactory(name="Gehalt & Verhandlung", slug="gehalt")
    for days, title in enumerate(TITLES, start=1):
        ArticleFactory(
            title=title, category=category, published_at=timezone.now() - timedelta(days=days)
        )
    confirmed("anna.schroeder@example.de", "bernd.groß@example.de", "clara@example.de")
    editor = role_user("newsletter", "Newsletter")
    page = new_context().new_page()
    admin_login(page, editor)

    page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Newsletter-Ausgaben", exact=True)
    ).get_by_role("link", name="Hinzufügen").click()
    page.get_by_label("Betreff:").fill("Gehaltserhöhung: So klappt’s")
    page.get_by_label("Vorschautext:").fill("Drei Tipps für dein nächstes Jahresgespräch")
    intro = page.frame_locator('iframe[title^="WYSIWYG-Editor"]').first.locator("body")
    intro.click()
    intro.type("Liebe Leserin, lieber Leser, diesmal geht’s ums Geld.")
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    page.get_by_text("erfolgreich hinzugefügt").wait_for()

    page.get_by_role("button", name="Die neuesten 5 Artikel übernehmen").click()
    expect(page.get_by_text("3 Artikel hinzugefügt")).to_be_visible()
    expect(page.get_by_role("combobox").filter(has_text=TITLES[0])).to_have_count(1)
    assert_accessible(page, admin=True)
    screenshot(page, "admin-newsletter-issue")

    page.get_by_role("link", name="Vorschau", exact=True).click()
    desktop = page.frame_locator('iframe[title="HTML-Vorschau in Desktop-Breite"]')
    expect(desktop.get_by_role("heading", name="Gehaltserhöhung: So klappt’s")).to_be_visible()
    expect(desktop.get_by_role("link", name=TITLES[1])).to_be_visible()
    phone = page.frame_locator('iframe[title="HTML-Vorschau in Smartphone-Breite"]')
    expect(phone.get_by_role("link", name="Mit einem Klick abmelden")).to_be_visible()
    expect(page.locator("pre")).to_contain_text("Weiterlesen: http")
    assert_accessible(page, admin=True)
    page.go_back()

    page.get_by_role("link", name="Testversand").click()
    expect(page.get_by_label("Testmail senden an:")).to_have_value("newsletter@example.org")
    page.get_by_role("button", name="Testmail senden").click()
    expect(page.get_by_text("Die Testmail geht gleich an newsletter@example.org")).to_be_visible()
    run_tasks()
    (test_mail,) = smtp_inbox.messages
    assert test_mail["To"] == "newsletter@example.org"
    assert TITLES[2] in test_mail.get_body(("html",)).get_content()

    page.get_by_role("link", name="Versenden", exact=True).click()
    expect(
        page.get_by_role("heading", name="An 3 bestätigte Abonnentinnen und Abonnenten senden?")
    ).to_be_visible()
    assert_accessible(page, admin=True)
    page.get_by_role("button", name="Ja, senden").click()
    expect(page.get_by_text("Der Versand hat begonnen.")).to_be_visible()
    figures = page.locator("#issue-figures")
    expect(figures.locator('[data-figure="status"]')).to_have_text("Wird versendet")
    run_tasks()

    # The page follows the send by itself and shows the result when it is done.
    expect(figures.locator('[data-figure="status"]')).to_have_text("Versendet", timeout=15000)
    expect(figures.locator('[data-figure="status"]')).to_have_text("Versendet")
    expect(figures.locator('[data-figure="sent"]')).to_have_text("3")
    expect(figures.locator('[data-figure="recipients"]')).to_have_text("3")
    expect(page.get_by_role("button", name="Sichern", exact=True)).to_have_count(0)
    assert_accessible(page, admin=True)
    screenshot(page, "admin-newsletter-issue-sent")
    assert sorted(r[0] for r in smtp_inbox.recipients[1:]) == [
        "anna.schroeder@example.de",
        "bernd.groß@example.de",
        "clara@example.de",
    ]
    assert NewsletterIssue.objects.get().status == NewsletterIssue.Status.SENT

    page.get_by_role("link", name="Web-Version").click()
    expect(
        page.get_by_role("heading", name="Gehaltserhöhung: So klappt’s", level=1)
    ).to_be_visible()
    assert_accessible(page)
