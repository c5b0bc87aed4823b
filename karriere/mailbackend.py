"""Django's SMTP backend, plus one fact karriere.outbox needs: was the message handed over?

SMTP has one moment whose outcome the sender cannot know: the whole message has been sent
(the final "." of DATA) and the server's answer never arrives (timeout, dropped connection).
The server may have taken the mail. The connection notes that moment, so the outbox records
such a mail as "delivery unknown" instead of retrying it (a mail is never sent twice). Errors
before it, and any answer from the server (a 451 after the "."), are certain: nothing was
delivered.
"""

from __future__ import annotations

import smtplib

from django.core.mail.backends import smtp

END_OF_DATA = b"\r\n.\r\n"


class _HandoverMixin:
    handed_over = False

    def mail(self, *args, **kwargs):
        self.handed_over = False
        return super().mail(*args, **kwargs)

    def send(self, s):
        # smtplib sends the message body and its terminating "." in one call.
        if isinstance(s, bytes) and s.endswith(END_OF_DATA):
            self.handed_over = True
        return super().send(s)


class HandoverSMTP(_HandoverMixin, smtplib.SMTP):
    pass


class HandoverSMTP_SSL(_HandoverMixin, smtplib.SMTP_SSL):  # noqa: N801 (smtplib's name)
    pass


class EmailBackend(smtp.EmailBackend):
    @property
    def connection_class(self):
        return HandoverSMTP_SSL if self.use_ssl else HandoverSMTP

    @property
    def handed_over(self) -> bool:
        return bool(getattr(self.connection, "handed_over", False))
