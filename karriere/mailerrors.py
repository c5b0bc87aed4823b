"""Which mail failures are worth retrying, and when to try again.

Shared by every mail the site sends (confirmation, unsubscribe link, moderator notification,
newsletter issues). Transient: the network (refused, reset, timeout, DNS), a dropped SMTP
session and 4xx answers ("try again later", greylisting, mailbox busy). Permanent: 5xx answers
(unknown recipient, rejected as spam): retrying those only hurts the sender's reputation.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta

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
