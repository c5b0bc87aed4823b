from __future__ import annotations

import re

import pytest
from django.core import mail

from newsletter.models import ConsentText, Subscriber

CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/newsletter/bestaetigen/[^/\s]+/)")
UNSUBSCRIBE_LINK = re.compile(r"https?://[^/\s]+(/newsletter/abmelden/[^/\s]+/)")


@pytest.fixture
def consent_text(db) -> ConsentText:
    return ConsentText.objects.current()


def signup_data(consent_text: ConsentText, **overrides) -> dict:
    return {
        "email": "leserin@example.de",
        "consent": "1",
        "consent_version": str(consent_text.version),
        "website": "",
        "source": "/gehalt/gehalt-verhandeln/",
        **overrides,
    }


@pytest.fixture
def sign_up(client, consent_text):
    """Send the signup form like a reader's browser does."""

    def post(email: str = "leserin@example.de", *, ip: str = "203.0.113.7", **fields):
        return client.post(
            "/newsletter/",
            signup_data(consent_text, email=email, **fields),
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT="Testbrowser/1.0",
        )

    return post


def link_in(message, pattern: re.Pattern = CONFIRM_LINK) -> str:
    """The path of the first matching link in a mail."""
    return pattern.search(message.body).group(1)


@pytest.fixture
def confirmed_subscriber(sign_up, run_tasks, client):
    """Sign up and confirm through the real pages; return the subscriber."""

    def make(email: str = "leserin@example.de") -> Subscriber:
        sign_up(email)
        run_tasks()
        client.post(link_in(mail.outbox[-1]))
        return Subscriber.objects.get(email__iexact=email)

    return make
