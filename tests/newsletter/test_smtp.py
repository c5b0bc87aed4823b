"""A real SMTP round trip: the worker talks to an aiosmtpd server on localhost."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from newsletter.models import ConsentEvent, Subscriber

pytestmark = pytest.mark.django_db


def _path_of(url: str) -> str:
    return re.sub(r"^https?://[^/]+", "", url)


def test_confirmation_and_unsubscribe_mails_travel_over_smtp(sign_up, run_tasks, smtp_inbox):
    sign_up("leserin@example.de")
    run_tasks()

    (confirmation,) = smtp_inbox.messages
    assert smtp_inbox.recipients == [["leserin@example.de"]]
    assert confirmation["To"] == "leserin@example.de"
    assert (
        confirmation["Subject"].strip()
        == "Bitte bestätige deine Newsletter-Anmeldung – Karriere-Magazin"
    )
    sent = ConsentEvent.objects.get(kind=ConsentEvent.Kind.CONFIRMATION_SENT)
    assert confirmation["Message-ID"] == sent.message_id
    body = confirmation.get_content()
    confirm_url = re.search(r"https?://\S+/newsletter/bestaetigen/\S+/", body).group(0)

    browser = Client()
    assert "Anmeldung bestätigen" in browser.get(_path_of(confirm_url)).content.decode()
    browser.post(_path_of(confirm_url))
    assert Subscriber.objects.get().status == Subscriber.Status.CONFIRMED

    browser.post("/newsletter/abmelden/", {"email": "leserin@example.de"})
    run_tasks()

    link_mail = smtp_inbox.messages[1]
    targets = re.findall(r"<([^>]+)>", link_mail["List-Unsubscribe"])
    assert targets[0].startswith("http") and "/newsletter/abmelden/" in targets[0]
    assert targets[1].startswith("mailto:abmelden@karriere.example?subject=unsubscribe%20")
    assert link_mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert targets[0] in link_mail.get_content()

    provider = Client(enforce_csrf_checks=True)
    response = provider.post(_path_of(targets[0]), {"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert Subscriber.objects.get().status == Subscriber.Status.UNSUBSCRIBED
