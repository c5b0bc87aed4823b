from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from newsletter.mail import subscriber_message, unsubscribe_url
from newsletter.models import ConsentEvent, Subscriber, Suppression
from newsletter.tokens import address_hash
from tests.newsletter.conftest import UNSUBSCRIBE_LINK, link_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscriber(confirmed_subscriber, clock) -> Subscriber:
    subscriber = confirmed_subscriber("leserin@example.de")
    mail.outbox.clear()
    return subscriber


def _path(url: str) -> str:
    return UNSUBSCRIBE_LINK.search(url).group(1)


def test_newsletter_mails_carry_rfc_8058_headers_and_a_personal_link(subscriber, settings):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "abmelden@karriere.example"

    message = subscriber_message(subscriber=subscriber, subject="Tipps", body="Hallo!")

    url = unsubscribe_url(subscriber)
    header = message.extra_headers["List-Unsubscribe"]
    assert header.startswith(f"<{url}>, <mailto:abmelden@karriere.example?subject=unsubscribe%20")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert url in message.body
    assert "leserin" not in url
    assert settings.PUBLISHER_IMPRINT in message.body


def test_without_a_mailbox_list_unsubscribe_names_only_the_link(subscriber, settings):
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = ""

    message = subscriber_message(subscriber=subscriber, subject="Tipps", body="Hallo!")

    assert message.extra_headers["List-Unsubscribe"] == f"<{unsubscribe_url(subscriber)}>"


def test_get_on_the_unsubscribe_link_only_shows_a_button(client, subscriber):
    response = client.get(_path(unsubscribe_url(subscriber)))

    assert "Vom Newsletter abmelden" in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_head_on_the_unsubscribe_and_confirm_links_changes_nothing(client, subscriber):
    # Link checkers send HEAD; it answers like GET and must not unsubscribe.
    assert client.head(_path(unsubscribe_url(subscriber))).status_code == 200
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED


def test_one_click_post_unsubscribes_without_cookie_csrf_or_redirect(subscriber):
    mail_client = Client(enforce_csrf_checks=True)  # like a mailbox provider: no cookies

    response = mail_client.post(
        _path(unsubscribe_url(subscriber)), {"List-Unsubscribe": "One-Click"}
    )

    assert response.status_code == 200
    assert "Du bist abgemeldet" in response.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.UNSUBSCRIBED
    event = subscriber.events.get(kind=ConsentEvent.Kind.UNSUBSCRIBED)
    assert event.channel == ConsentEvent.Channel.ONE_CLICK
    assert Suppression.objects.filter(address_hash=address_hash("LESERIN@example.de")).exists()


def test_unsubscribing_twice_changes_nothing_more(client, subscriber):
    path = _path(unsubscribe_url(subscriber))
    client.post(path)

    response = client.post(path)

    assert response.status_code == 200
    assert subscriber.events.filter(kind=ConsentEvent.Kind.UNSUBSCRIBED).count() == 1
    assert Suppression.objects.count() == 1


def test_a_forged_unsubscribe_token_changes_nothing(client, subscriber):
    path = _path(unsubscribe_url(subscriber))
    forged = path[:-2] + ("x" if path[-2] != "x" else "y") + "/"

    response = client.post(forged, {"List-Unsubscribe": "One-Click"})

    assert response.status_code == 400
    assert "Dieser Link funktioniert nicht mehr" in response.content.decode()
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_the_unsubscribe_page_mails_a_link_to_a_subscriber(client, subscriber, run_tasks):
    response = client.post("/newsletter/abmelden/", {"email": " Leserin@EXAMPLE.de"})
    run_tasks()

    assert "haben wir ihr einen Link zum Abmelden geschickt" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["leserin@example.de"]
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    client.post(link_in(message, UNSUBSCRIBE_LINK))
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED


def test_the_unsubscribe_page_answers_the_same_for_unknown_addresses(client, subscriber, clock):
    known = client.post("/newsletter/abmelden/", {"email": "leserin@example.de"}).content
    clock.shift(timedelta(minutes=1))
    again = client.post("/newsletter/abmelden/", {"email": "leserin@example.de"}).content
    unknown = client.post("/newsletter/abmelden/", {"email": "niemand@example.de"}).content

    assert known == again == unknown


def test_the_unsubscribe_page_mails_one_address_at_most_hourly(
    client, subscriber, run_tasks, clock
):
    for _ in range(3):
        client.post("/newsletter/abmelden/", {"email": "leserin@example.de"})
    run_tasks()
    assert len(mail.outbox) == 1

    clock.shift(timedelta(hours=1, seconds=1))
    client.post("/newsletter/abmelden/", {"email": "leserin@example.de"})
    run_tasks()
    assert len(mail.outbox) == 2


def test_the_unsubscribe_page_explains_an_invalid_address_in_german(client, db):
    page = client.post("/newsletter/abmelden/", {"email": "kaputt@"}).content.decode()

    assert "Bitte gib eine gültige E-Mail-Adresse ein" in page
    assert 'value="kaputt@"' in page
