"""A reader on a page served from the cache (the same bytes for everyone, no cookie) comments
and subscribes; a form on another site posting to ours is refused."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from articles.models import Article
from comments.models import Comment
from newsletter.models import ConsentText, Subscriber
from tests.factories import ArticleFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Gehaltserhöhung: So verhandelst du größer"
CONSENT = "Ja, ich möchte den Newsletter des Karriere-Magazins per E-Mail erhalten."


def from_the_cache(new_context, path: str):
    """Another reader fills the cache; then the title changes behind the cache's back (no
    invalidation): a reader who still sees the old title got the cached page."""
    new_context().new_page().goto(path)
    Article.objects.update(title="Nicht aus dem Cache")
    context = new_context()
    page = context.new_page()
    response = page.goto(path)
    expect(page.get_by_text(TITLE).first).to_be_visible()
    assert response.headers["cache-control"].startswith("public")
    assert "set-cookie" not in response.headers
    assert context.cookies() == []
    return page


def test_a_reader_comments_from_a_cached_article_page(new_context, settings):
    settings.COMMENTS_MIN_SUBMIT_SECONDS = 0
    article = ArticleFactory(title=TITLE)
    page = from_the_cache(new_context, article.get_absolute_url())

    form = page.get_by_role("region", name="Kommentare")
    form.get_by_role("textbox", name="Name", exact=True).fill("Jörg Käfer")
    form.get_by_role("textbox", name="E-Mail", exact=True).fill("joerg@beispiel.de")
    form.get_by_label("Kommentar").fill("Sehr hilfreich für mein Gespräch in München.")
    page.get_by_role("button", name="Kommentar senden").click()

    expect(page.get_by_text("Danke! Dein Kommentar wartet auf Freischaltung")).to_be_visible()
    assert Comment.objects.get().name == "Jörg Käfer"


def test_a_reader_subscribes_from_the_cached_home_page(new_context):
    ConsentText.objects.create(text=CONSENT)
    ArticleFactory(title=TITLE)
    page = from_the_cache(new_context, "/")

    box = page.get_by_role("complementary", name="Newsletter")
    box.get_by_label("E-Mail-Adresse").fill("leserin@example.de")
    box.get_by_label(CONSENT).check()
    box.get_by_role("button", name="Anmelden").click()

    expect(page.get_by_role("heading", name="Fast geschafft")).to_be_visible()
    assert Subscriber.objects.filter(email="leserin@example.de").exists()


def test_a_form_on_another_site_cannot_sign_a_reader_up(page, live_server):
    ConsentText.objects.create(text=CONSENT)
    version = ConsentText.objects.current().version
    # A page that is not ours (no origin of its own) with a form posting to our signup.
    page.set_content(
        f'<form method="post" action="{live_server.url}/newsletter/">'
        '<input name="email" value="opfer@example.de"><input name="consent" value="1">'
        f'<input name="consent_version" value="{version}"><button>Gewinnspiel</button></form>'
    )

    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Gewinnspiel").click()

    assert navigation.value.status == 403
    expect(page.get_by_text("Dieses Formular kam von einer anderen Website")).to_be_visible()
    assert not Subscriber.objects.exists()
