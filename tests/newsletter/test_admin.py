from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from newsletter.models import ConsentEvent, ConsentText, Subscriber, Suppression
from newsletter.services import subscription_unsubscribe
from newsletter.tokens import address_hash

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/newsletter/subscriber/"


@pytest.fixture
def subscribers(confirmed_subscriber, sign_up):
    confirmed_subscriber("anna@example.de")
    confirmed_subscriber("=cmd@example.de")
    gone = confirmed_subscriber("bernd@example.de")
    subscription_unsubscribe(public_id=gone.public_id, channel="web")
    sign_up("clara@example.de")
    return Subscriber.objects.all()


@pytest.fixture
def staff_client(client, django_user_model):
    """An editor who may view subscribers, plus whichever permissions a test grants."""

    def login(*codenames: str):
        user = django_user_model.objects.create_user("redakteurin", password="x", is_staff=True)
        perms = Permission.objects.filter(
            content_type__app_label="newsletter",
            codename__in=["view_subscriber", "change_subscriber", *codenames],
        )
        user.user_permissions.set(perms)
        client.force_login(user)
        return client

    return login


def _action(client, action: str, queryset, **extra):
    return client.post(
        CHANGELIST,
        {"action": action, "_selected_action": [s.pk for s in queryset], **extra},
    )


def test_changelist_shows_counts_by_status_and_filters(admin_client, subscribers):
    page = admin_client.get(CHANGELIST).content.decode()

    assert "Bestätigt: <strong>2</strong>" in page
    assert "Abgemeldet: <strong>1</strong>" in page
    assert "Wartet auf Bestätigung: <strong>1</strong>" in page

    pending = admin_client.get(CHANGELIST, {"status__exact": "pending"}).content.decode()
    assert "clara@example.de" in pending and "anna@example.de" not in pending
    found = admin_client.get(CHANGELIST, {"q": "ANNA"}).content.decode()
    assert "anna@example.de" in found and "clara@example.de" not in found


def test_csv_export_needs_its_own_permission(staff_client, subscribers):
    client = staff_client()

    response = _action(client, "export_csv", subscribers)

    assert response.get("Content-Type", "").startswith("text/html")
    assert "export_csv" not in client.get(CHANGELIST).content.decode()


def test_csv_export_lists_only_confirmed_subscribers_safely(staff_client, subscribers):
    client = staff_client("export_subscriber")

    response = _action(client, "export_csv", subscribers)

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = response.content.decode().splitlines()
    assert rows[0] == "email,confirmed_at"
    assert [row.split(",")[0] for row in rows[1:]] == ["'=cmd@example.de", "anna@example.de"]


def test_erase_asks_first_then_keeps_only_the_suppression_hash(staff_client, subscribers):
    client = staff_client("erase_subscriber")
    anna = subscribers.filter(email="anna@example.de")

    confirm_page = _action(client, "erase", anna).content.decode()
    assert "anna@example.de" in confirm_page
    assert Subscriber.objects.filter(email="anna@example.de").exists()

    response = _action(client, "erase", anna, confirm="yes")

    assert response.status_code == 302
    assert not Subscriber.objects.filter(email="anna@example.de").exists()
    suppression = Suppression.objects.get(address_hash=address_hash("anna@example.de"))
    assert suppression.reason == Suppression.Reason.ERASED
    erased = ConsentEvent.objects.get(kind=ConsentEvent.Kind.ERASED)
    assert erased.actor == "redakteurin"


def test_erase_is_not_offered_without_its_permission(staff_client, subscribers):
    client = staff_client()

    _action(client, "erase", subscribers, confirm="yes")

    assert Subscriber.objects.count() == 4


def test_subscribers_cannot_be_added_or_deleted_in_the_admin(admin_client, subscribers):
    anna = subscribers.get(email="anna@example.de")

    assert admin_client.get(f"{CHANGELIST}add/").status_code == 403
    assert admin_client.post(f"{CHANGELIST}{anna.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Subscriber.objects.filter(pk=anna.pk).exists()


def test_consent_proof_prints_every_event_with_the_consent_text(admin_client, subscribers):
    anna = subscribers.get(email="anna@example.de")

    page = admin_client.get(f"{CHANGELIST}{anna.pk}/proof/").content.decode()

    assert "Einwilligungsnachweis für anna@example.de" in page
    for label in ["Anmeldung angefordert", "Bestätigungsmail gesendet", "Bestätigt"]:
        assert label in page
    assert "Einwilligungstext (Version 1):" in page
    assert anna.events.get(kind="confirmation_sent").message_id.strip("<>") in page


def test_consent_events_are_read_only_in_the_admin(admin_client, subscribers):
    event = ConsentEvent.objects.first()

    page = admin_client.get(f"/admin/newsletter/consentevent/{event.pk}/change/")

    assert page.status_code == 200
    assert "<textarea" not in page.content.decode()
    assert 'name="user_agent"' not in page.content.decode()
    delete = admin_client.post(
        f"/admin/newsletter/consentevent/{event.pk}/delete/", {"post": "yes"}
    )
    assert delete.status_code == 403


def test_a_used_consent_text_is_read_only_in_the_admin(admin_client, subscribers):
    used = ConsentText.objects.get(version=1)

    page = admin_client.get(f"/admin/newsletter/consenttext/{used.pk}/change/").content.decode()

    assert 'name="text"' not in page
    added = admin_client.post("/admin/newsletter/consenttext/add/", {"text": "Neue Fassung."})
    assert added.status_code == 302
    assert ConsentText.objects.current().text == "Neue Fassung."


def test_deleting_an_unused_consent_text_needs_the_delete_permission(staff_client):
    draft = ConsentText.objects.create(text="Entwurf")
    client = staff_client("view_consenttext", "change_consenttext")

    response = client.post(f"/admin/newsletter/consenttext/{draft.pk}/delete/", {"post": "yes"})

    assert response.status_code == 403
    assert ConsentText.objects.filter(pk=draft.pk).exists()
