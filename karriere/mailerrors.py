"""What a failed hand-off of a claimed mail means, when to try again, and what to tell the
operator: one rule for every mail the site sends (the outbox's single mails and the
newsletter's deliveries, ``failure_outcome``), each with its own retry limit.

Transient: the network (refused, reset, timeout, DNS), a dropped SMTP session and 4xx answers
("try again later", greylisting, mailbox busy). Permanent: 5xx answers (unknown recipient,
rejected as spam): retrying those only hurts the sender's reputation.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta
from enum import StrEnum

FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)


def _is_4xx(code: object) -> bool:
    return isinstance(code, int) and 400 <= code < 500


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        # Transient only if every recipient was refused with "try later".
        codes = [code for code, _message in exc.recipients.values()]
        return bool(codes) and all(_is_4xx(code) for code in codes)
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        # Our credentials, not the recipient: once the operator fixes them, the mail should go.
        return True
    if isinstance(exc, smtplib.SMTPResponseException):
        return _is_4xx(exc.smtp_code)
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return True
    if isinstance(exc, smtplib.SMTPException):
        return False
    # Connection refused/reset, timeouts, unreachable hosts, name resolution.
    return isinstance(exc, OSError)


def retry_delay(attempt: int) -> timedelta:
    """Wait after the ``attempt``-th failed try (1-based): 1, 2, 4 … minutes, at most an hour."""
    # The exponent is capped so that a high attempt count cannot overflow timedelta.
    return min(FIRST_RETRY * 2 ** min(max(attempt - 1, 0), 16), LONGEST_RETRY)


class Outcome(StrEnum):
    UNKNOWN = "unknown"  # the server may have the mail: never sent again by itself
    RETRY = "retry"
    FAILED = "failed"


def failure_outcome(exc: BaseException, *, handed_over: bool, may_retry: bool) -> Outcome:
    """The fate of a claimed mail whose hand-off raised ``exc``.

    ``handed_over``: the whole message reached the server (``karriere.mailbackend``); without
    an answer from it, nobody knows whether it will be delivered. ``may_retry``: the caller's
    limit (a time window for single mails, a number of tries for an issue's deliveries)."""
    if handed_over and not isinstance(exc, smtplib.SMTPResponseException):
        return Outcome.UNKNOWN
    if is_transient(exc) and may_retry:
        return Outcome.RETRY
    return Outcome.FAILED


def _answer(code: int, text: bytes | str) -> str:
    return f"{code} {text.decode(errors='replace') if isinstance(text, bytes) else text}"


def describe(exc: BaseException) -> str:
    """What an operator needs to read in the admin: the server's answer where there is one."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        detail = "; ".join(f"{rcpt}: {_answer(*answer)}" for rcpt, answer in exc.recipients.items())
    elif isinstance(exc, smtplib.SMTPResponseException):
        detail = _answer(exc.smtp_code, exc.smtp_error)
    else:
        detail = str(exc)
    return f"{type(exc).__name__}: {detail}"[:1000]
