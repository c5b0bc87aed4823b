from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from newsletter.models import ConsentEvent, Subscriber
from tests.newsletter.conftest import UNSUBSCRIBE_LINK, link_in

pytestmark = pytest.mark.django_db

INVALID = "Dieser Link funktioniert nicht mehr"


@pytest.fixture
def confirm_link(sign_up, run_tasks, clock) -> str:
    sign_up("leserin@example.de")
    run_tasks()
    return link_in(mail.outbox[0])


def _state() -> tuple:
    subscriber = Subscriber.objects.get()
    return (
        subscriber.status,
        subscriber.confirmed_at,
        subscriber.confirm_token_used_at,
        list(subscriber.events.values_list("kind", flat=True)),
    )


def test_the_link_carries_a_long_random_token_and_no_address(confirm_link):
    token = confirm_link.split("/")[-2]

    assert len(token) >= 43  # 32 random bytes, URL-safe base64
    assert "leserin" not in confirm_link
    subscriber = Subscriber.objects.get()
    assert subscriber.confirm_token_hash != token  # only the hash is stored
    assert token not in str(list(Subscriber.objects.values()))


def test_get_on_the_link_only_shows_a_button_and_changes_nothing(client, confirm_link):
    before = _state()

    response = client.get(confirm_link)

    page = response.content.decode()
    assert "Anmeldung bestätigen" in page
    assert '<form method="post">' in page
    assert _state() == before
    assert before[0] == Subscriber.Status.PENDING


def test_post_confirms_and_shows_a_personal_unsubscribe_link(client, confirm_link):
    response = client.post(confirm_link, HTTP_USER_AGENT="Bestätiger/2.0", REMOTE_ADDR="192.0.2.5")

    page = response.content.decode()
    assert "Danke! Deine Newsletter-Anmeldung ist bestätigt." in page
    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    event = subscriber.events.get(kind=ConsentEvent.Kind.CONFIRMED)
    assert (event.ip_address, event.user_agent) == ("192.0.2.5", "Bestätiger/2.0")
    assert UNSUBSCRIBE_LINK.search(page)


def test_confirming_twice_is_harmless(client, confirm_link):
    client.post(confirm_link)

    response = client.post(confirm_link)

    assert "Deine Newsletter-Anmeldung ist bestätigt" in response.content.decode()
    assert Subscriber.objects.get().events.filter(kind=ConsentEvent.Kind.CONFIRMED).count() == 1


def test_an_expired_link_offers_a_new_signup_and_changes_nothing(client, confirm_link, clock):
    clock.shift(timedelta(hours=72, seconds=1))
    before = _state()

    response = client.post(confirm_link)

    page = response.content.decode()
    assert response.status_code == 400
    assert INVALID in page
    assert 'href="/newsletter/"' in page and "Erneut anmelden" in page
    assert _state() == before


def test_the_link_still_works_just_before_it_expires(client, confirm_link, clock):
    clock.shift(timedelta(hours=71, minutes=59))

    client.post(confirm_link)

    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_a_tampered_token_gets_the_invalid_link_page(client, confirm_link):
    token = confirm_link.split("/")[-2]
    tampered = confirm_link.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
    before = _state()

    for method in (client.get, client.post):
        response = method(tampered)
        assert response.status_code == 400
        assert INVALID in response.content.decode()
    assert _state() == before


def test_a_newer_confirmation_mail_replaces_the_older_link(client, sign_up, run_tasks, clock):
    sign_up("leserin@example.de")
    run_tasks()
    clock.shift(timedelta(minutes=5))
    sign_up("leserin@example.de")
    run_tasks()
    first, second = (link_in(message) for message in mail.outbox)

    assert INVALID in client.post(first).content.decode()
    client.post(second)
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_the_confirmation_mail_is_factual_and_names_the_publisher(confirm_link, settings):
    message = mail.outbox[0]

    assert message.subject == "Bitte bestätige deine Newsletter-Anmeldung – Karriere-Magazin"
    assert "jemand – hoffentlich du – hat den Newsletter" in message.body
    assert "ignoriere diese E-Mail einfach" in message.body
    assert "Der Link gilt 72 Stunden und nur einmal." in message.body
    assert settings.PUBLISHER_IMPRINT in message.body
