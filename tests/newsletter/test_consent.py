from __future__ import annotations

import pytest
from django.core import mail
from django.utils.html import escape

from newsletter.mail import CONFIRMATION_TEMPLATE, unsubscribe_url
from newsletter.models import ConsentEvent, ConsentText, ImmutableRecordError, Subscriber
from newsletter.services import subscriber_erase
from tests.newsletter.conftest import UNSUBSCRIBE_LINK, link_in

pytestmark = pytest.mark.django_db


def test_a_full_cycle_leaves_complete_consent_evidence(
    client, sign_up, run_tasks, consent_text, clock
):
    sign_up("leserin@example.de", ip="203.0.113.7")
    run_tasks()
    client.post(link_in(mail.outbox[0]), REMOTE_ADDR="192.0.2.5", HTTP_USER_AGENT="Handy/1")
    subscriber = Subscriber.objects.get()
    client.post(UNSUBSCRIBE_LINK.search(unsubscribe_url(subscriber)).group(1))

    requested, sent, confirmed, unsubscribed = subscriber.events.all()
    assert requested.kind == ConsentEvent.Kind.SIGNUP_REQUESTED
    assert requested.consent_text == consent_text
    assert requested.consent_text.version == 1
    assert requested.ip_address == "203.0.113.7"
    assert requested.user_agent == "Testbrowser/1.0"
    assert requested.page == "/gehalt/gehalt-verhandeln/"
    assert sent.kind == ConsentEvent.Kind.CONFIRMATION_SENT
    assert sent.message_id == mail.outbox[0].extra_headers["Message-ID"]
    assert sent.template_version == CONFIRMATION_TEMPLATE
    assert (confirmed.kind, confirmed.ip_address, confirmed.user_agent) == (
        ConsentEvent.Kind.CONFIRMED,
        "192.0.2.5",
        "Handy/1",
    )
    assert (unsubscribed.kind, unsubscribed.channel) == (
        ConsentEvent.Kind.UNSUBSCRIBED,
        ConsentEvent.Channel.WEB,
    )
    assert all(event.created_at is not None for event in subscriber.events.all())


def test_consent_events_cannot_be_edited_or_deleted(sign_up):
    sign_up()
    event = ConsentEvent.objects.get()

    event.user_agent = "gefälscht"
    with pytest.raises(ImmutableRecordError):
        event.save()
    with pytest.raises(ImmutableRecordError):
        event.delete()
    with pytest.raises(ImmutableRecordError):
        ConsentEvent.objects.update(user_agent="gefälscht")
    with pytest.raises(ImmutableRecordError):
        ConsentEvent.objects.all().delete()
    assert ConsentEvent.objects.get().user_agent == "Testbrowser/1.0"


def test_a_used_consent_text_cannot_change_but_a_new_version_becomes_current(
    sign_up, consent_text, client
):
    sign_up()

    consent_text.text = "Etwas ganz anderes."
    with pytest.raises(ImmutableRecordError):
        consent_text.save()
    with pytest.raises(ImmutableRecordError):
        ConsentText.objects.get().delete()

    newer = ConsentText.objects.create(text="Ja, ich will den Newsletter (v2).")
    assert newer.version == 2
    assert "Ja, ich will den Newsletter (v2)." in client.get("/newsletter/").content.decode()


def test_an_unused_consent_text_may_still_be_corrected(consent_text):
    draft = ConsentText.objects.create(text="Tippfehlr")

    draft.text = "Tippfehler"
    draft.save()

    assert ConsentText.objects.get(pk=draft.pk).text == "Tippfehler"


def test_erasure_keeps_an_erased_event_that_names_nobody(confirmed_subscriber):
    subscriber = confirmed_subscriber("leserin@example.de")

    subscriber_erase(subscriber=subscriber, actor="redaktion")

    assert Subscriber.objects.count() == 0
    (event,) = ConsentEvent.objects.all()
    assert event.kind == ConsentEvent.Kind.ERASED
    assert event.subscriber is None
    assert event.actor == "redaktion"
    assert "leserin" not in str(ConsentEvent.objects.values().get())


def test_cached_pages_show_a_new_consent_text_at_once(
    client, consent_text, page_cache, django_assert_num_queries
):
    assert escape(consent_text.text) in client.get("/").content.decode()
    with django_assert_num_queries(0):
        assert escape(consent_text.text) in client.get("/").content.decode()  # from the cache

    with page_cache.commit():
        newer = ConsentText.objects.create(text="Ja, ich will den Newsletter (Fassung 2).")

    page = client.get("/").content.decode()
    assert newer.text in page
    assert f'name="consent_version" value="{newer.version}"' in page


def test_without_a_consent_text_nobody_is_asked_to_agree_to_nothing(client):
    ConsentText.objects.all().delete()

    for url in ("/newsletter/", "/"):
        html = client.get(url).content.decode()
        assert "Die Anmeldung zum Newsletter ist gerade nicht möglich." in html
        assert 'name="consent"' not in html
