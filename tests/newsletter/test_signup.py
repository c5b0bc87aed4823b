from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils.html import escape
from django_tasks_db.models import DBTaskResult

from newsletter.models import ConsentEvent, ConsentText, Subscriber, Suppression
from newsletter.services import subscriber_erase
from newsletter.tokens import address_hash
from tests.newsletter.conftest import link_in

pytestmark = pytest.mark.django_db

ALMOST_DONE = (
    "Fast geschafft: Bitte bestätige deine Anmeldung über den Link in der E-Mail, "
    "die wir dir geschickt haben."
)


def test_signup_page_shows_the_current_consent_text_with_an_unticked_box(client, consent_text):
    page = client.get("/newsletter/").content.decode()

    assert escape(consent_text.text) in page
    checkbox = re.search(r'<input id="nl-page-consent"[^>]*>', page).group(0)
    assert "checked" not in checkbox
    assert f'name="consent_version" value="{consent_text.version}"' in page


def test_home_page_carries_the_signup_box_posting_to_the_signup_page(client):
    page = client.get("/").content.decode()

    assert 'class="newsletter-box"' in page
    assert 'action="/newsletter/"' in page
    assert 'name="csrfmiddlewaretoken"' not in page  # a shared page


def test_signup_stores_a_pending_subscriber_and_mails_only_from_the_worker(sign_up, run_tasks):
    response = sign_up("  Leserin.Muster@Example.DE ")

    assert ALMOST_DONE in response.content.decode()
    subscriber = Subscriber.objects.get()
    assert subscriber.email == "Leserin.Muster@example.de"
    assert subscriber.status == Subscriber.Status.PENDING
    assert mail.outbox == []  # nothing is sent inside the request
    assert DBTaskResult.objects.count() == 1

    run_tasks()

    assert [m.to for m in mail.outbox] == [["Leserin.Muster@example.de"]]


def test_addresses_are_unique_whatever_their_case(sign_up, run_tasks):
    sign_up("Leserin@Example.de")
    sign_up("leserin@example.DE")

    assert Subscriber.objects.count() == 1


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": ""}, "email", "Bitte gib deine E-Mail-Adresse ein."),
        (
            {"email": "leserin(at)example.de"},
            "email",
            "Bitte gib eine gültige E-Mail-Adresse ein, z. B. name@example.com.",
        ),
        (
            {"consent": ""},
            "consent",
            "Bitte setze das Häkchen, um zu bestätigen, dass du den Newsletter erhalten möchtest.",
        ),
        (
            {"consent_version": "999"},
            "consent",
            "Der Einwilligungstext hat sich geändert. Bitte lies ihn und setze das Häkchen erneut.",
        ),
    ],
)
def test_invalid_signup_shows_a_german_message_next_to_the_field_and_keeps_the_input(
    sign_up, fields, field, message
):
    response = sign_up(**{"email": "leserin(at)example.de", **fields})
    page = response.content.decode()

    assert response.status_code == 200
    error_id = f"nl-page-{field}_error"
    assert f'<ul class="errorlist" id="{error_id}"><li>{message}</li></ul>' in page
    assert f'aria-describedby="{error_id}"' in page
    assert 'aria-invalid="true"' in page
    assert f'value="{fields.get("email", "leserin(at)example.de")}"' in page
    assert Subscriber.objects.count() == 0


def test_a_changed_consent_text_is_shown_for_the_second_attempt(sign_up, consent_text):
    newer = ConsentText.objects.create(text="Ja, schickt mir den Newsletter (Version 2).")

    page = sign_up(consent_version="999").content.decode()

    assert newer.text in page
    assert f'name="consent_version" value="{newer.version}"' in page


def test_a_cached_page_with_the_previous_consent_text_records_that_version(sign_up, consent_text):
    ConsentText.objects.create(text="Ja, schickt mir den Newsletter (Version 2).")

    sign_up(consent_version=str(consent_text.version))

    event = ConsentEvent.objects.get(kind=ConsentEvent.Kind.SIGNUP_REQUESTED)
    assert event.consent_text == consent_text


def test_honeypot_gets_the_same_page_and_stores_nothing(sign_up):
    response = sign_up(website="http://spam.example")

    assert ALMOST_DONE in response.content.decode()
    assert Subscriber.objects.count() == 0
    assert DBTaskResult.objects.count() == 0


def _address_in_state(state: str, confirmed_subscriber, sign_up, run_tasks) -> str:
    email = f"{state}@example.de"
    if state == "pending":
        sign_up(email)
    elif state == "confirmed":
        confirmed_subscriber(email)
    elif state == "unsubscribed":
        from newsletter.services import subscription_unsubscribe

        subscriber = confirmed_subscriber(email)
        subscription_unsubscribe(public_id=subscriber.public_id, channel="web")
    elif state == "suppressed":
        subscriber_erase(subscriber=confirmed_subscriber(email), actor="admin")
        assert Suppression.objects.filter(address_hash=address_hash(email)).exists()
    return email


def test_all_five_address_states_get_byte_identical_responses(
    sign_up, confirmed_subscriber, run_tasks
):
    bodies = set()
    for state in ["new", "pending", "confirmed", "unsubscribed", "suppressed"]:
        email = _address_in_state(state, confirmed_subscriber, sign_up, run_tasks)
        response = sign_up(email, ip=f"198.51.100.{len(bodies) + 1}")
        assert response.status_code == 200
        bodies.add(response.content)

    assert len(bodies) == 1
    assert ALMOST_DONE in bodies.pop().decode()


def test_a_confirmed_address_gets_no_new_mail(confirmed_subscriber, sign_up, run_tasks):
    confirmed_subscriber("leserin@example.de")
    mail.outbox.clear()

    sign_up("leserin@example.de")
    run_tasks()

    assert mail.outbox == []
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED


def test_unsubscribed_and_erased_addresses_need_a_new_double_opt_in(
    confirmed_subscriber, sign_up, run_tasks, client
):
    subscriber_erase(subscriber=confirmed_subscriber("leserin@example.de"), actor="admin")
    mail.outbox.clear()

    sign_up("leserin@example.de")
    run_tasks()

    subscriber = Subscriber.objects.get()
    assert subscriber.status == Subscriber.Status.PENDING
    client.post(link_in(mail.outbox[0]))
    subscriber.refresh_from_db()
    assert subscriber.status == Subscriber.Status.CONFIRMED
    assert not Suppression.objects.filter(address_hash=address_hash(subscriber.email)).exists()


def test_one_address_gets_at_most_three_confirmation_mails_in_seven_days(sign_up, run_tasks, clock):
    for hour in range(4):
        response = sign_up("leserin@example.de", ip=f"198.51.100.{hour}")
        assert ALMOST_DONE in response.content.decode()
        clock.shift(timedelta(hours=1))
    run_tasks()
    assert len(mail.outbox) == 3

    clock.shift(timedelta(days=7) - timedelta(hours=3))
    sign_up("leserin@example.de")
    run_tasks()

    assert len(mail.outbox) == 4


def test_one_ip_is_limited_per_hour_with_a_doubling_backoff(sign_up, run_tasks, clock, settings):
    settings.NEWSLETTER_IP_LIMIT = 3
    settings.NEWSLETTER_IP_BACKOFF_MINUTES = 15

    def accepted(n: int) -> bool:
        before = Subscriber.objects.count()
        response = sign_up(f"person{n}@example.de")
        assert ALMOST_DONE in response.content.decode()
        return Subscriber.objects.count() > before

    assert [accepted(n) for n in range(4)] == [True, True, True, False]
    clock.shift(timedelta(minutes=14))
    assert not accepted(10)  # still in the first backoff (15 minutes)
    clock.shift(timedelta(minutes=2))
    assert [accepted(n) for n in range(20, 24)] == [True, True, True, False]
    clock.shift(timedelta(minutes=16))
    assert not accepted(30)  # the second backoff lasts twice as long
    clock.shift(timedelta(minutes=15))
    assert accepted(31)


def test_another_ip_is_not_affected_by_a_blocked_one(sign_up, settings):
    settings.NEWSLETTER_IP_LIMIT = 1
    sign_up("a@example.de", ip="203.0.113.1")
    sign_up("b@example.de", ip="203.0.113.1")

    sign_up("c@example.de", ip="203.0.113.2")

    assert sorted(Subscriber.objects.values_list("email", flat=True)) == [
        "a@example.de",
        "c@example.de",
    ]


def test_signup_runs_a_bounded_number_of_queries(sign_up, django_assert_max_num_queries):
    sign_up("erste@example.de")

    # 14: the signup, its evidence, the claimed mail row and its task among them.
    with django_assert_max_num_queries(14):
        sign_up("zweite@example.de")
