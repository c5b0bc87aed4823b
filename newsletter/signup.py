"""What the signup needs beside the subscriber: the address rule, the per-IP throttle and the
welcome mail. Imported by ``newsletter.models``, which it never imports."""

from __future__ import annotations

from datetime import timedelta

from django.db import models
from django.utils.translation import gettext_lazy as _


class IpThrottle(models.Model):
    """Request counter per (hashed) client IP, in the database so limits hold across processes
    and survive restarts."""

    # The longest block; a day without one forgets the strikes (and the purge the row).
    MAX_BACKOFF = timedelta(days=1)

    ip_hash = models.CharField(max_length=64, unique=True)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)
    strikes = models.PositiveIntegerField(default=0)
    blocked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("IP throttle")
        verbose_name_plural = _("IP throttles")

    def __str__(self):
        return self.ip_hash[:12]


class WelcomeMail(models.Model):
    """The mail a new subscriber gets once confirmed (never part of the confirmation mail)."""

    enabled = models.BooleanField(_("send welcome mail"), default=False)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(
        _("text"),
        help_text=_("Plain text. The unsubscribe link and the imprint are added below it."),
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("welcome mail")
        verbose_name_plural = _("welcome mail")

    def __str__(self):
        return self.subject


def normalise_email(raw: str) -> str:
    """Trim and lower-case the domain; the local part keeps its case (uniqueness ignores it).

    Not the comments' rule (whole address lower-cased): this address is mailed, and a mail
    server may treat the local part's case as meaningful (RFC 5321), so it is sent as typed."""
    local, at, domain = raw.strip().rpartition("@")
    return f"{local}@{domain.lower()}" if at else raw.strip()
