"""Bounces and complaints reported by an e-mail service (anymail's Postmark webhook)."""

from __future__ import annotations

import base64
import json

import pytest

from newsletter import services, tokens
from newsletter.models import ConsentEvent, Delivery, Subscriber, Suppression
from tests.newsletter.issue_helpers import confirmed, make_issue

pytestmark = pytest.mark.django_db

WEBHOOK = "/anymail/postmark/tracking/"
SECRET = "postmark:geheimes-Passwort-für-Webhooks"


@pytest.fixture
def sent_issue(settings, smtp_inbox, run_tasks):
    settings.ANYMAIL = {"WEBHOOK_SECRET": SECRET}
    confirmed("anna@example.de", "bernd@example.de", "clara@example.de")
    issue = make_issue()
    services.issue_send(issue=issue, actor="newsletter")
    run_tasks()
    return issue


def report(client, record: dict, secret: str = SECRET):
    auth = base64.b64encode(secret.encode()).decode()
    return client.post(
        WEBHOOK,
        json.dumps(record),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Basic {auth}",
    )


def bounce(email: str, kind: str, message_id: str) -> dict:
    return {
        "RecordType": "Bounce",
        "Type": kind,
        "MessageID": message_id,
        "Email": email,
        "BouncedAt": "2026-03-02T09:00:00Z",
        "Description": "Das Postfach existiert nicht.",
        "Details": "smtp;550 5.1.1 user unknown",
    }


def test_hard_bounce_suppresses_the_address_and_shows_in_the_figures(client, sent_issue):
    delivery = Delivery.objects.get(subscriber__email="anna@example.de")
    response = report(client, bounce("anna@example.de", "HardBounce", delivery.message_id))

    assert response.status_code == 200
    assert Suppression.objects.get(address_hash=tokens.address_hash("anna@example.de")).reason == (
        Suppression.Reason.BOUNCED
    )
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.BOUNCED
    assert "Postfach existiert nicht" in delivery.error
    figures = sent_issue.deliveries.figures()
    assert (figures["sent"], figures["bounced"]) == (3, 1)


def test_suppressed_after_a_bounce_the_next_issue_skips_the_address(
    client, sent_issue, smtp_inbox, run_tasks
):
    delivery = Delivery.objects.get(subscriber__email="anna@example.de")
    report(client, bounce("anna@example.de", "HardBounce", delivery.message_id))
    next_issue = make_issue(subject="Weiterbildungsmöglichkeiten im Frühjahr")
    services.issue_send(issue=next_issue, actor="newsletter")
    run_tasks()

    later = [r[0] for r in smtp_inbox.recipients[3:]]
    assert sorted(later) == ["bernd@example.de", "clara@example.de"]
    assert next_issue.deliveries.figures()["skipped"] == 1


def test_soft_bounce_changes_nothing(client, sent_issue):
    delivery = Delivery.objects.get(subscriber__email="bernd@example.de")
    report(client, bounce("bernd@example.de", "SoftBounce", delivery.message_id))
    assert not Suppression.objects.exists()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT


def test_complaint_suppresses_and_unsubscribes(client, sent_issue):
    record = {
        "RecordType": "SpamComplaint",
        "Type": "SpamComplaint",
        "MessageID": "ESP-unbekannt",
        "Email": "clara@example.de",
        "BouncedAt": "2026-03-02T09:00:00Z",
    }
    assert report(client, record).status_code == 200

    clara = Subscriber.objects.get(email="clara@example.de")
    assert clara.status == Subscriber.Status.UNSUBSCRIBED
    assert clara.events.filter(
        kind=ConsentEvent.Kind.UNSUBSCRIBED, channel=ConsentEvent.Channel.ESP
    ).exists()
    assert Delivery.objects.get(subscriber=clara).status == Delivery.Status.COMPLAINED
    assert sent_issue.deliveries.figures()["complained"] == 1


def test_webhook_without_the_secret_is_refused(client, sent_issue):
    delivery = Delivery.objects.get(subscriber__email="anna@example.de")
    response = report(
        client, bounce("anna@example.de", "HardBounce", delivery.message_id), "postmark:falsch"
    )
    assert response.status_code == 400
    assert not Suppression.objects.exists()
