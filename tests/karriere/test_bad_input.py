"""Bad input at the edge gets a German 4xx page or a form error, never a 500."""

from __future__ import annotations

import pytest
from django.test import Client

from comments.models import Comment
from newsletter.models import ConsentEvent, ConsentText
from tests.comments.conftest import comment_data, form_stamp
from tests.factories import ArticleFactory, CategoryFactory, CommentFactory

pytestmark = pytest.mark.django_db

GERMAN_400 = "Dein Browser hat eine Anfrage geschickt, die wir nicht verarbeiten können"


@pytest.fixture
def strict_client():
    # Errors are answered as in production, not raised into the test.
    return Client(raise_request_exception=False)


@pytest.fixture
def article(db, clock):
    return ArticleFactory(title="Gehaltserhöhung verhandeln", tags=["Gehalt"])


# --- NUL bytes --------------------------------------------------------------------------------


def test_a_nul_byte_in_the_search_is_dropped(strict_client, article):
    response = strict_client.get("/suche/?q=Gehalts%00erh%C3%B6hung")

    assert response.status_code == 200
    assert "Gehaltserhöhung" in response.content.decode()


def test_a_nul_byte_in_a_comment_is_dropped_and_the_rest_is_stored(client, article, clock):
    timestamp = form_stamp(client, article)
    clock.shift(10)
    response = client.post(
        f"/kommentare/{article.pk}/",
        comment_data(timestamp=timestamp, name="Jürgen\x00 Weiß", text="Danke für\x00 die Tipps!"),
    )

    assert response.status_code == 302
    comment = Comment.objects.get()
    assert (comment.name, comment.text) == ("Jürgen Weiß", "Danke für die Tipps!")


def test_a_nul_byte_in_the_newsletter_source_is_dropped(client):
    consent = ConsentText.objects.current()
    response = client.post(
        "/newsletter/",
        {
            "email": "leserin@example.de",
            "consent": "1",
            "consent_version": str(consent.version),
            "source": "/karriere/\x00bewerbung/",
        },
        HTTP_USER_AGENT="Testbrowser\x00/1.0",
    )

    assert response.status_code == 200
    event = ConsentEvent.objects.get()
    assert (event.page, event.user_agent) == ("/karriere/bewerbung/", "Testbrowser/1.0")


def test_a_nul_byte_in_the_path_is_a_bad_request(strict_client):
    response = strict_client.get("/vorschau/ab%00cd/")

    assert response.status_code == 400
    assert GERMAN_400 in response.content.decode()


# --- digits that are no numbers ---------------------------------------------------------------


@pytest.mark.parametrize("value", ["²", "③", "①", "٣", "1²", "99999999999999999999999", "9" * 5000])
def test_reply_parameter_that_is_no_ascii_number_shows_the_plain_form(strict_client, value):
    comment = CommentFactory()
    response = strict_client.get(f"{comment.article.get_absolute_url()}?antwort={value}")

    assert response.status_code == 200
    assert "Deine Antwort an" not in response.content.decode()


@pytest.mark.parametrize("value", ["²", "①", "٣", "-1", "99999999999999999999999"])
def test_consent_version_that_is_no_ascii_number_asks_to_tick_again(strict_client, value):
    response = strict_client.post(
        "/newsletter/",
        {"email": "leserin@example.de", "consent": "1", "consent_version": value},
    )

    assert response.status_code == 200
    assert "Der Einwilligungstext hat sich geändert." in response.content.decode()
    assert ConsentEvent.objects.count() == 0


# --- bodies Django cannot read, methods, headers ----------------------------------------------


def test_form_data_in_utf16_from_our_own_page_is_a_german_400(article):
    reader = Client(enforce_csrf_checks=True, raise_request_exception=False)
    body = "name=Erika&text=Hallo".encode("utf-16")

    response = reader.generic(
        "POST",
        f"/kommentare/{article.pk}/",
        body,
        content_type="application/x-www-form-urlencoded; charset=utf-16",
        headers={"Origin": "http://testserver"},
    )

    assert response.status_code == 400
    assert GERMAN_400 in response.content.decode()


def test_too_many_fields_and_an_unknown_host_get_the_german_400_page(strict_client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    fields = {f"feld{n}": "x" for n in range(20)}
    too_many = strict_client.post("/newsletter/", fields)
    bad_host = strict_client.get("/", HTTP_HOST="böse.example")

    for response in (too_many, bad_host):
        assert response.status_code == 400
        assert GERMAN_400 in response.content.decode()
        assert "Bad Request" not in response.content.decode()


def test_an_oversized_body_gets_the_german_400_page(strict_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = strict_client.post("/newsletter/", {"email": "x" * 5000})

    assert response.status_code == 400
    assert GERMAN_400 in response.content.decode()


def test_the_csrf_failure_page_speaks_german_with_du(admin_user):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(admin_user)
    response = strict.post("/admin/logout/")
    html = response.content.decode()

    assert response.status_code == 403
    assert "Dein Formular konnte nicht gesendet werden" in html
    assert "Bitte geh zurück" in html
    assert " Sie " not in html


def test_every_get_view_answers_head(client, article, settings):
    CategoryFactory(slug="bewerbung")
    urls = [
        "/",
        article.get_absolute_url(),
        f"/kategorie/{article.category.slug}/",
        "/thema/gehalt/",
        "/suche/?q=Gehalt",
        "/feed/",
        "/feed/atom/",
        "/sitemap.xml",
        "/robots.txt",
        "/healthz",
        "/newsletter/",
        "/newsletter/abmelden/",
    ]
    for url in urls:
        response = client.head(url)
        assert response.status_code == 200, url
        assert response.content == b"", url


def test_head_on_an_author_page(client, article):
    author = article.authors.first()
    assert client.head(author.get_absolute_url()).status_code == 200


@pytest.mark.parametrize("method", ["TRACE", "TRACK", "CONNECT"])
def test_trace_is_refused_everywhere(client, method):
    for url in ("/feed/", "/", "/newsletter/"):
        response = client.generic(method, url)
        assert response.status_code == 405, (method, url)
        assert b"TRACE" not in response.content
