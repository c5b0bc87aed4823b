"""The admin of the articles' claimed mails (karriere.outbox): the weekly licence reminders."""

from __future__ import annotations

from django.contrib import admin

from articles.models import ImageLicenceReminder
from articles.services import licence_reminders_resend
from karriere.outbox_admin import MAIL_FIELDS, OutgoingMailAdmin


@admin.register(ImageLicenceReminder)
class ImageLicenceReminderAdmin(OutgoingMailAdmin):
    list_display = ["week", "state", "attempts", "last_attempt_at", "last_error"]
    fields = readonly_fields = ["week", *MAIL_FIELDS]

    def resend_mails(self, queryset) -> int:
        return licence_reminders_resend(mails=queryset)
