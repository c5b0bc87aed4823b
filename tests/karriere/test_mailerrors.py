"""Which mail failures are retried, and how long the pauses between tries are."""

from __future__ import annotations

import smtplib
import socket
from datetime import timedelta

import pytest

from karriere.mailerrors import is_transient, retry_delay


@pytest.mark.parametrize(
    "exc",
    [
        ConnectionRefusedError(111, "Connection refused"),
        ConnectionResetError(104, "Connection reset by peer"),
        TimeoutError("timed out"),
        socket.gaierror(-3, "Temporary failure in name resolution"),
        smtplib.SMTPServerDisconnected("Connection unexpectedly closed"),
        smtplib.SMTPConnectError(421, b"4.3.2 Service not available"),
        smtplib.SMTPDataError(451, b"4.7.1 Greylisting"),
        smtplib.SMTPSenderRefused(452, b"4.3.1 Insufficient system storage", "a@b.de"),
        smtplib.SMTPRecipientsRefused({"a@example.de": (450, b"4.2.1 Postfach voll")}),
        smtplib.SMTPAuthenticationError(535, b"5.7.8 Bad credentials"),  # our configuration
    ],
    ids=repr,
)
def test_network_trouble_and_4xx_answers_are_transient(exc):
    assert is_transient(exc)


@pytest.mark.parametrize(
    "exc",
    [
        smtplib.SMTPDataError(554, b"5.7.1 Als Spam abgelehnt"),
        smtplib.SMTPSenderRefused(553, b"5.1.8 Absender unbekannt", "a@b.de"),
        smtplib.SMTPRecipientsRefused({"a@example.de": (550, b"5.1.1 Postfach unbekannt")}),
        # Every recipient refused, one for good: a person must fix the address list first.
        smtplib.SMTPRecipientsRefused(
            {"a@example.de": (450, b"4.2.1 voll"), "b@example.de": (550, b"5.1.1 unbekannt")}
        ),
        smtplib.SMTPNotSupportedError("STARTTLS extension not supported by server."),
        ValueError("Header values may not contain linefeed or carriage return characters"),
    ],
    ids=repr,
)
def test_5xx_answers_and_programming_errors_are_permanent(exc):
    assert not is_transient(exc)


def test_the_pause_doubles_from_a_minute_up_to_an_hour():
    minutes = [retry_delay(attempt) / timedelta(minutes=1) for attempt in range(1, 10)]
    assert minutes == [1, 2, 4, 8, 16, 32, 60, 60, 60]
    assert retry_delay(10_000) == timedelta(hours=1)
