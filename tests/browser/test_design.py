"""The design in a real Chromium (issue #18): every reader page at four widths, light and dark,
screenshotted into artifacts/screenshots/ for anyone to look at, axe-clean in both schemes
(axe checks the colour contrast), the phone menu without JavaScript and the footer of short
pages at the bottom. One browser, one page per scheme, reused for every address."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from articles.models import Article, Category
from newsletter.models import ConsentText
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = [390, 768, 1366, 1920]
CONSENT = (
    "Ja, ich möchte den Karriere-Newsletter mit regelmäßigen Tipps zu Karriere & Weiterbildung "
    "per E-Mail erhalten. Meine Einwilligung kann ich jederzeit widerrufen."
)
# Lazy images load when scrolled to; a full-page screenshot should show them all.
LOAD_ALL_IMAGES = """async () => {
  const images = [...document.querySelectorAll('img[loading="lazy"]')];
  images.forEach((image) => { image.loading = "eager"; });
  await Promise.all(images.map((image) => image.complete ? null
    : new Promise((done) => { image.onload = image.onerror = done; })));
}"""
# (A pixel of height is rounding: scrollHeight rounds up, clientHeight down.)
NOT_CLIPPED = """(element) => element.scrollWidth <= element.clientWidth
  && element.scrollHeight <= element.clientHeight + 1"""


def reader_pages() -> dict[str, str]:
    article = Article.objects.published().exclude(toc=[]).first()
    category = Category.objects.order_by("position").first()
    return {
        "home": "/",
        "article": article.get_absolute_url(),
        "category": category.get_absolute_url(),
        "search": "/suche/?q=Gehalt",
        "newsletter": "/newsletter/",
        "404": "/diese-seite-gibt-es-nicht/",
    }


def test_reader_pages_at_four_widths_light_and_dark_are_accessible(new_context, assert_accessible):
    call_command("demo_content", verbosity=0)
    # The wording migrations put in a new site; this test's emptied database lacks it.
    ConsentText.objects.create(text=CONSENT)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    pages = reader_pages()
    for scheme in ("light", "dark"):
        page = new_context(color_scheme=scheme).new_page()
        for name, path in pages.items():
            page.goto(path)
            page.evaluate(LOAD_ALL_IMAGES)
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                if width == 390:
                    # Phone header: one compact row, the magazine's name shown whole.
                    assert page.locator(".site-header").bounding_box()["height"] < 80
                    assert page.locator(".brand span").evaluate(NOT_CLIPPED)
                page.screenshot(
                    path=SCREENSHOTS / f"design-{name}-{width}-{scheme}.png", full_page=True
                )
            assert_accessible(page)


def test_phone_menu_opens_without_javascript_and_search_is_one_tap(new_context):
    Category.objects.create(name="Weiterbildungsmöglichkeiten", slug="weiterbildung")
    page = new_context(viewport={"width": 390, "height": 844}, java_script_enabled=False).new_page()
    page.goto("/newsletter/")
    category = page.get_by_role("link", name="Weiterbildungsmöglichkeiten")
    expect(category).to_be_hidden()
    page.get_by_text("Menü").click()
    expect(category).to_be_visible()
    page.get_by_role("link", name="Suche", exact=True).click()
    expect(page.get_by_role("searchbox", name="Suche")).to_be_visible()
    # A short page keeps its footer at the bottom of the window.
    footer = page.locator(".site-footer").bounding_box()
    assert footer["y"] + footer["height"] == pytest.approx(844, abs=1)


def test_fonts_load_from_our_own_server(new_context, live_server):
    call_command("demo_content", verbosity=0)
    page = new_context().new_page()
    fonts = []
    page.on("response", lambda r: fonts.append((r.url, r.status)) if ".woff2" in r.url else None)
    page.goto(Article.objects.published().first().get_absolute_url())
    page.evaluate("document.fonts.ready.then(() => null)")
    loaded = page.evaluate(
        "[...document.fonts].filter((f) => f.status === 'loaded').map((f) => f.family)"
    )
    assert {"Source Serif 4", "Source Sans 3"} <= {family.strip('"') for family in loaded}
    assert fonts and all(url.startswith(live_server.url) and status == 200 for url, status in fonts)
