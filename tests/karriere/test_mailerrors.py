"""Which mail failures are retried (karriere.mailerrors), shared by all mails."""

from __future__ import annotations

import smtplib
from datetime import timedelta

import pytest
from anymail.exceptions import AnymailRecipientsRefused, AnymailRequestsAPIError

from karriere.mailerrors import is_transient, retry_delay


class FakeResponse:
    def __init__(self, status_code: int):
        self.status_code = status_code
        self.text = "Fehler"
        self.reason = "Fehler"

    def json(self):
        return {}


@pytest.mark.parametrize(
    ("error", "transient"),
    [
        (ConnectionRefusedError(111, "Connection refused"), True),
        (TimeoutError("timed out"), True),
        (smtplib.SMTPServerDisconnected("Connection unexpectedly closed"), True),
        (smtplib.SMTPConnectError(421, b"Zu viele Verbindungen"), True),
        (smtplib.SMTPDataError(451, b"4.3.0 Bitte spaeter erneut versuchen"), True),
        (smtplib.SMTPSenderRefused(452, b"4.3.1 Speicher voll", "redaktion@localhost"), True),
        (smtplib.SMTPRecipientsRefused({"a@example.de": (450, b"4.2.0 Greylisting")}), True),
        (smtplib.SMTPDataError(554, b"5.7.1 Abgelehnt"), False),
        (smtplib.SMTPRecipientsRefused({"a@example.de": (550, b"5.1.1 Unbekannt")}), False),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 Falsches Passwort"), False),
        (AnymailRequestsAPIError(status_code=503, response=FakeResponse(503)), True),
        (AnymailRequestsAPIError(status_code=429, response=FakeResponse(429)), True),
        (AnymailRequestsAPIError(status_code=422, response=FakeResponse(422)), False),
        (AnymailRecipientsRefused("Alle Empfänger abgelehnt"), False),
        (ValueError("Programmfehler"), False),
    ],
)
def test_transient_failures_are_told_from_permanent_ones(error, transient):
    assert is_transient(error) is transient


def test_retry_delay_doubles_from_thirty_seconds_up_to_an_hour():
    delays = [retry_delay(attempt) for attempt in range(1, 10)]
    assert delays[:4] == [timedelta(seconds=s) for s in (30, 60, 120, 240)]
    assert delays == sorted(delays)
    assert delays[-1] == timedelta(hours=1)
