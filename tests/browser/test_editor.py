"""Journey 1: an editor writes an article in the admin and publishes it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.factories import AuthorFactory, CategoryFactory, ImageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Gehälter verhandeln: Fünf Tipps für Berufseinsteiger"
SLUG = "gehaelter-verhandeln-fuenf-tipps-fuer-berufseinsteiger"
HERO_ALT = "Zwei Personen am Besprechungstisch"


def pick_in_select2(page, label: str, search: str, option: str) -> None:
    """Choose an option in one of the admin's autocomplete (select2) fields.

    select2 names its combobox after the chosen value, not the field's label, so the field is
    found by its row's visible label.
    """
    row = page.locator(".form-row").filter(has=page.get_by_text(label, exact=True))
    row.get_by_role("combobox").first.click()
    page.get_by_role("searchbox").last.fill(search)
    page.get_by_role("option", name=option).click()


def test_editor_writes_previews_and_publishes_an_article(
    new_context, role_user, admin_login, assert_accessible, screenshot
):
    CategoryFactory(name="Gehalt & Verhandlung", slug="gehalt-und-verhandlung")
    AuthorFactory(name="Jana Schröder")
    ImageFactory(
        title="Verhandlung am Besprechungstisch",
        alt_text=HERO_ALT,
        file__width=1200,
        file__height=630,
    )
    editor = role_user("redakteurin", "Redaktion")
    page = new_context().new_page()
    admin_login(page, editor)

    page.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Artikel", exact=True)
    ).get_by_role("link", name="Hinzufügen").click()
    page.get_by_label("Titel:", exact=True).fill(TITLE)
    expect(page.get_by_label("Kurzname (URL):")).to_have_value(SLUG)
    page.get_by_label("Anreißer:").fill("Wer gut vorbereitet ist, verhandelt entspannter.")

    body = page.frame_locator('iframe[title^="WYSIWYG-Editor"]').locator("body")
    body.click()
    page.get_by_title("Absatzformat").click()
    # CKEditor 4 draws its format list in an unlabelled panel iframe of its own.
    page.frame_locator(".cke_panel_frame").get_by_role("option", name="Überschrift 2").click()
    body.type("Die eigene Marktlage kennen")
    body.press("Enter")
    body.type("Recherchiere Gehaltsspannen, bevor du eine Zahl nennst.")
    expect(body.get_by_role("heading", name="Die eigene Marktlage kennen", level=2)).to_be_visible()

    # The hero comes from the image library: suggestions show a thumbnail and the credit.
    row = page.locator(".form-row").filter(has=page.get_by_text("Titelbild:", exact=True))
    row.get_by_role("combobox").first.click()
    page.get_by_role("searchbox").last.fill("Verhandlung")
    option = page.get_by_role("option", name="Verhandlung am Besprechungstisch")
    expect(option.locator("img")).to_be_visible()
    expect(option).to_contain_text("Foto: Anna Müller / Agentur Süd")
    option.click()
    pick_in_select2(page, "Kategorie:", "Gehalt", "Gehalt & Verhandlung")
    pick_in_select2(page, "Autoren:", "Schr", "Jana Schröder")
    page.get_by_label("Schlagwörter:").fill("Gehalt, Berufseinstieg")
    expect(page.get_by_label("Status:")).to_have_value("draft")
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()

    page.get_by_text("erfolgreich hinzugefügt").wait_for()
    assert_accessible(page, admin=True)
    screenshot(page, "admin-article-change")

    reader = new_context().new_page()
    assert reader.goto(f"/artikel/{SLUG}/").status == 404

    with page.expect_popup() as popup:
        page.get_by_role("link", name="Vorschau", exact=True).click()
    preview = popup.value
    expect(preview.get_by_role("status").filter(has_text="Status: Entwurf")).to_be_visible()
    expect(preview.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(preview.get_by_role("heading", name="Die eigene Marktlage kennen")).to_be_visible()
    expect(preview.get_by_text("Recherchiere Gehaltsspannen")).to_be_visible()
    expect(preview.get_by_role("img", name=HERO_ALT)).to_be_visible()
    assert_accessible(preview)
    preview.close()

    page.get_by_label("Status:").select_option(label="Veröffentlicht")
    # Backdated on purpose, so the expected German date does not depend on today. Django
    # captions the date and time inputs with plain text, not labels: found by their row.
    date, time = (
        page.locator(".form-row")
        .filter(has_text="Veröffentlichungsdatum:")
        .get_by_role("textbox")
        .all()
    )
    date.fill("05.03.2026")
    time.fill("09:30:00")
    page.get_by_role("button", name="Sichern", exact=True).click()
    page.get_by_text("erfolgreich geändert").wait_for()

    reader.goto("/")
    card = reader.get_by_role("article").filter(has=reader.get_by_role("link", name=TITLE))
    expect(card.get_by_text("5. März 2026")).to_be_visible()
    assert_accessible(reader)
    card.get_by_role("link", name="Gehalt & Verhandlung").click()
    expect(reader.get_by_role("heading", name="Gehalt & Verhandlung", level=1)).to_be_visible()
    card = reader.get_by_role("article").filter(has=reader.get_by_role("link", name=TITLE))
    expect(card.get_by_text("5. März 2026")).to_be_visible()
    assert_accessible(reader)

    card.get_by_role("link", name=TITLE).click()
    expect(reader.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(reader.get_by_role("main").get_by_text("5. März 2026")).to_be_visible()
    hero = reader.get_by_role("figure").get_by_role("img", name=HERO_ALT)
    expect(hero).to_be_visible()
    # Nothing counted yet on this new site: the box recommends the newest, at once.
    top = reader.get_by_role("region", name="Top-Artikel")
    expect(top.get_by_role("link", name=TITLE, exact=True)).to_be_visible()
    expect(reader.get_by_role("link", name="Berufseinstieg")).to_be_visible()
    byline = reader.get_by_role("article").get_by_role("link", name="Jana Schröder", exact=True)
    expect(byline).to_be_visible()
    assert_accessible(reader)
