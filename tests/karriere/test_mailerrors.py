"""Which mail failures are retried, how long the pauses between tries are, and what a failed
hand-off means for a claimed mail (the one rule the outbox and the newsletter share)."""

from __future__ import annotations

import smtplib
import socket
from datetime import timedelta

import pytest

from karriere.mailerrors import Outcome, describe, failure_outcome, is_transient, retry_delay


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


@pytest.mark.parametrize(
    ("exc", "handed_over", "may_retry", "outcome"),
    [
        # The whole mail reached the server and no answer came: it may be delivered.
        (TimeoutError("timed out"), True, True, Outcome.UNKNOWN),
        (smtplib.SMTPServerDisconnected("closed"), True, True, Outcome.UNKNOWN),
        # An answer after the hand-off is certain: the server did not take it.
        (smtplib.SMTPDataError(451, b"4.7.1 Greylisting"), True, True, Outcome.RETRY),
        (smtplib.SMTPDataError(554, b"5.7.1 Spam"), True, True, Outcome.FAILED),
        (ConnectionRefusedError(111, "Connection refused"), False, True, Outcome.RETRY),
        (ConnectionRefusedError(111, "Connection refused"), False, False, Outcome.FAILED),
    ],
    ids=repr,
)
def test_failure_outcome_of_a_claimed_mail(exc, handed_over, may_retry, outcome):
    assert failure_outcome(exc, handed_over=handed_over, may_retry=may_retry) == outcome


def test_the_description_carries_the_servers_answer():
    refused = smtplib.SMTPRecipientsRefused(
        {"jürgen@example.de": (550, b"5.1.1 Postfach unbekannt")}
    )
    assert describe(refused) == (
        "SMTPRecipientsRefused: jürgen@example.de: 550 5.1.1 Postfach unbekannt"
    )
