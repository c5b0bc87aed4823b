"""Which mail failures are worth trying again, and when.

Shared by every mail the site sends (transactional mails and newsletter issues). A failure is
transient when the same message may well go through later: the server is down or unreachable,
timed out, dropped the connection, or answered with a 4xx reply (RFC 5321: "try again"). A 5xx
reply (unknown mailbox, policy rejection) is permanent: repeating it only hurts the sender's
reputation. E-mail service APIs (django-anymail) count like HTTP: 429 and 5xx are transient.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta

FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(hours=1)


def _smtp_code(exc: BaseException) -> int | None:
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    if isinstance(exc, smtplib.SMTPRecipientsRefused) and exc.recipients:
        # {address: (code, message)}: transient only if every refusal was.
        codes = [code for code, _ in exc.recipients.values()]
        return max(codes)
    return None


def is_transient(exc: BaseException) -> bool:
    code = _smtp_code(exc)
    if code is not None:
        return 400 <= code < 500
    # anymail's AnymailRequestsAPIError (an OSError through requests, so asked first).
    status = getattr(exc, "status_code", None)
    if isinstance(status, int):
        return status == 429 or status >= 500
    # ConnectionRefusedError, ConnectionResetError, TimeoutError, SMTPServerDisconnected ...
    # (smtplib's errors are OSErrors too).
    return isinstance(exc, OSError)


def retry_delay(attempt: int) -> timedelta:
    """Wait before try ``attempt + 1``: 30 s, 1 min, 2 min, ... doubling up to an hour."""
    return min(FIRST_RETRY * 2 ** max(attempt - 1, 0), MAX_RETRY)
