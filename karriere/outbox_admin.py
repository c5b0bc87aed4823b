"""The admin of claimed mails (karriere.outbox): what went out, what did not, "Erneut senden"."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from karriere.admin_mixins import ReadOnlyAdminMixin

MAIL_FIELDS = [
    "state",
    "attempts",
    "queued_at",
    "last_attempt_at",
    "next_attempt_at",
    "sent_at",
    "last_error",
    "message_id",
]


class DeliveryFilter(admin.SimpleListFilter):
    title = _("delivery")
    parameter_name = "zustellung"

    def lookups(self, request, model_admin):
        return [("nicht-zugestellt", _("not delivered (failed or unknown)"))]

    def queryset(self, request, queryset):
        if self.value() == "nicht-zugestellt":
            return queryset.undelivered()
        return queryset


class OutgoingMailAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only list of one app's mails. Subclasses implement ``resend_mails`` with the app's
    service (``<thing>_mails_resend(*, mails)``) and add their own columns."""

    list_filter = [DeliveryFilter, "state"]
    actions = ["resend"]

    def resend_mails(self, queryset) -> int:
        raise NotImplementedError

    def has_resend_permission(self, request):
        return request.user.has_perm(f"{self.opts.app_label}.resend_mail")

    @admin.action(description=_("Send again"), permissions=["resend"])
    def resend(self, request, queryset):
        count = self.resend_mails(queryset)
        skipped = queryset.count() - count
        self.message_user(
            request,
            ngettext(
                "%(count)d mail queued to be sent again.",
                "%(count)d mails queued to be sent again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )
        if skipped:
            self.message_user(
                request,
                ngettext(
                    "%(count)d mail was left alone: it is sent or still queued.",
                    "%(count)d mails were left alone: they are sent or still queued.",
                    skipped,
                )
                % {"count": skipped},
                messages.WARNING,
            )


class OutgoingMailInline(ReadOnlyAdminMixin, admin.TabularInline):
    fields = readonly_fields = MAIL_FIELDS
    extra = 0
    can_delete = False
    show_change_link = True
