"""A real SMTP round trip: the worker talks to an aiosmtpd server on localhost."""

from __future__ import annotations

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from newsletter.models import ConsentEvent, Subscriber

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages: list[email.message.EmailMessage] = []
        self.recipients: list[list[str]] = []

    async def handle_DATA(self, server, session, envelope):
        self.recipients.append(list(envelope.rcpt_tos))
        self.messages.append(
            email.message_from_bytes(envelope.content, policy=email.policy.default)
        )
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_inbox(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.NEWSLETTER_UNSUBSCRIBE_MAILTO = "abmelden@karriere.example"
    yield inbox
    controller.stop()


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
