"""Journey: an editor uploads a picture with its credit through CKEditor's image dialog,
inserts it, publishes, and readers see it as a figure with caption and credit."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_editor import pick_in_select2
from tests.factories import AuthorFactory, CategoryFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Weiterbildungsmöglichkeiten für Berufseinsteiger"
SLUG = "weiterbildungsmoeglichkeiten-fuer-berufseinsteiger"


def jpeg(width: int = 1600, height: int = 900) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (30, 123, 52)).save(buffer, format="JPEG")
    return buffer.getvalue()


def test_editor_uploads_with_credit_in_ckeditor_inserts_and_readers_see_the_credit(
    new_context, role_user, admin_login, assert_accessible, screenshot
):
    CategoryFactory(name="Weiterbildung", slug="weiterbildung")
    AuthorFactory(name="Jana Schröder")
    editor = role_user("autorin", "Autor")
    page = new_context().new_page()
    admin_login(page, editor)

    page.goto("/admin/articles/article/add/")
    page.get_by_label("Titel:", exact=True).fill(TITLE)
    page.get_by_label("Anreißer:").fill("Kurse, Zertifikate und Förderung im Überblick.")
    body = page.frame_locator('iframe[title^="WYSIWYG-Editor"]').locator("body")
    body.click()
    body.type("Wer sich weiterbildet, verdient oft mehr.")
    body.press("Enter")

    page.locator("a.cke_button__image").click()
    with page.expect_popup() as opened:
        page.get_by_role("button", name="Server durchsuchen").first.click()
    library = opened.value
    expect(library.get_by_role("heading", name="Bildbibliothek")).to_be_visible()
    library.get_by_label("Bilddatei:").set_input_files(
        {"name": "seminar.jpg", "mimeType": "image/jpeg", "buffer": jpeg()}
    )
    library.get_by_label("Titel:").fill("Seminarraum mit Teilnehmenden")
    library.get_by_label("Alternativtext:").fill("Menschen lernen in einem hellen Seminarraum")
    library.get_by_label("Bildunterschrift:").fill("Weiterbildung im Team")
    library.get_by_label("Bildnachweis:").fill("Foto: Anna Müller / Agentur Süd")
    library.get_by_label("Lizenz:", exact=True).select_option(label="Agentur / Bilddatenbank")
    library.get_by_role("button", name="Hochladen").click()
    expect(library.get_by_text("Füge es unten ein")).to_be_visible()
    expect(library.get_by_text("Foto: Anna Müller / Agentur Süd")).to_be_visible()
    assert_accessible(library, admin=True)
    screenshot(library, "ckeditor-image-library")
    with library.expect_event("close"):
        library.get_by_role("button", name="„Seminarraum mit Teilnehmenden“ einfügen").click()

    page.get_by_role("button", name="OK").click()
    expect(
        body.get_by_role("img", name="Menschen lernen in einem hellen Seminarraum")
    ).to_be_visible()
    pick_in_select2(page, "Kategorie:", "Weiter", "Weiterbildung")
    page.get_by_role("button", name="Sichern und weiter bearbeiten").click()
    page.get_by_text("erfolgreich hinzugefügt").wait_for()

    publisher = role_user("redakteurin", "Redaktion")
    desk = new_context().new_page()
    admin_login(desk, publisher)
    desk.goto("/admin/articles/article/")
    desk.get_by_role("link", name=TITLE).click()
    desk.get_by_label("Status:").select_option(label="Veröffentlicht")
    date, time = (
        desk.locator(".form-row")
        .filter(has_text="Veröffentlichungsdatum:")
        .get_by_role("textbox")
        .all()
    )
    date.fill("05.03.2026")
    time.fill("09:30:00")
    desk.get_by_role("button", name="Sichern", exact=True).click()
    desk.get_by_text("erfolgreich geändert").wait_for()

    reader = new_context().new_page()
    reader.goto(f"/artikel/{SLUG}/")
    figure = reader.locator("figure.bild")
    expect(
        figure.get_by_role("img", name="Menschen lernen in einem hellen Seminarraum")
    ).to_be_visible()
    expect(figure.locator("figcaption")).to_have_text(
        "Weiterbildung im Team Foto: Anna Müller / Agentur Süd"
    )
    expect(reader.get_by_role("heading", name="Bildnachweise")).to_be_visible()
    assert_accessible(reader)
    screenshot(reader, "article-with-credited-image")


def test_author_uploads_a_hero_image_in_place_from_the_article_form(
    new_context, role_user, admin_login, assert_accessible
):
    CategoryFactory(name="Bewerbung", slug="bewerbung")
    author = role_user("autorin", "Autor")
    page = new_context().new_page()
    admin_login(page, author)
    page.goto("/admin/articles/article/add/")

    with page.expect_popup() as opened:
        page.locator("#add_id_hero_image").click()
    form = opened.value
    form.get_by_label("Bilddatei:").set_input_files(
        {"name": "IMG_2041.jpg", "mimeType": "image/jpeg", "buffer": jpeg(1200, 800)}
    )
    form.get_by_label("Titel:").fill("Lebenslauf auf dem Schreibtisch")
    form.get_by_label("Alternativtext:").fill("Ein ausgedruckter Lebenslauf neben einer Tasse")
    form.get_by_label("Bildnachweis:").fill("Foto: Jörg Weiß")
    form.get_by_label("Lizenz:", exact=True).select_option(
        label="Eigenes Bild (Redaktion, Auftragsarbeit)"
    )
    assert_accessible(form, admin=True)
    with form.expect_event("close"):
        form.get_by_role("button", name="Sichern", exact=True).click()

    expect(page.locator("#id_hero_image option:checked")).to_have_text(
        "Lebenslauf auf dem Schreibtisch"
    )
