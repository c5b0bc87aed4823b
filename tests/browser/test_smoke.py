from __future__ import annotations

import factory
import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.factories import ArticleFactory, ImageFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_home_page_renders_in_german_and_is_accessible(page, assert_accessible, screenshot):
    call_command("demo_content", verbosity=0)
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "de"
    page.get_by_role("link", name="Zum Inhalt springen").focus()
    assert page.get_by_role("navigation", name="Kategorien").is_visible()
    assert_accessible(page)
    screenshot(page, "home")


def test_reader_can_share_from_the_top_of_a_long_article(page, assert_accessible, screenshot):
    article = ArticleFactory(
        title="Gehaltserhöhung: So verhandelst du größer",
        hero_image=ImageFactory(
            file=factory.django.ImageField(width=1600, height=900, format="JPEG"),
            alt_text="Zwei Menschen am Besprechungstisch",
        ),
        body="<p>Wer seine Weiterbildungsmöglichkeiten kennt, verhandelt besser.</p>" * 40,
    )
    icon_requests = []
    page.on("response", lambda r: icon_requests.append(r.status) if "favicon" in r.url else None)

    page.goto(article.get_absolute_url())

    top = page.locator(".share-links-top")
    expect(top.get_by_text("Teilen:")).to_be_in_viewport()
    whatsapp = top.get_by_role("link", name="WhatsApp")
    expect(whatsapp).to_be_in_viewport()
    assert whatsapp.get_attribute("href").startswith("https://wa.me/?text=Gehaltserh%C3%B6hung")
    assert top.bounding_box()["y"] < page.locator(".article-body").bounding_box()["y"]
    assert page.request.get("/favicon.ico").status == 200
    assert 404 not in icon_requests
    assert_accessible(page)
    screenshot(page, "article-share-top")
