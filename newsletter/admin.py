from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from karriere.admin_mixins import ReadOnlyAdminMixin
from karriere.outbox_admin import MAIL_FIELDS, OutgoingMailAdmin, OutgoingMailInline

# admin_issues registers issues, deliveries and the welcome mail: imported for that alone.
from newsletter import admin_issues, services  # noqa: F401
from newsletter.models import ConsentEvent, ConsentText, Subscriber, SubscriberMail, Suppression

EVIDENCE_FIELDS = [
    "created_at",
    "kind",
    "channel",
    "ip_address",
    "user_agent",
    "page",
    "consent_text",
    "message_id",
    "template_version",
    "actor",
]


def _csv_safe(value: str) -> str:
    # Spreadsheets run cells starting with these as formulas (CSV injection).
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


class ConsentEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = ConsentEvent
    fields = readonly_fields = EVIDENCE_FIELDS
    extra = 0
    can_delete = False


class SubscriberMailInline(OutgoingMailInline):
    model = SubscriberMail
    fields = readonly_fields = ["kind", *MAIL_FIELDS]


@admin.register(SubscriberMail)
class SubscriberMailAdmin(OutgoingMailAdmin):
    list_display = ["subscriber", "kind", "state", "attempts", "last_attempt_at", "last_error"]
    list_filter = [*OutgoingMailAdmin.list_filter, "kind"]
    list_select_related = ["subscriber"]
    search_fields = ["subscriber__email", "message_id"]
    fields = readonly_fields = ["subscriber", "kind", *MAIL_FIELDS]

    def resend_mails(self, queryset) -> int:
        return services.subscriber_mails_resend(mails=queryset)


@admin.register(Subscriber)
class SubscriberAdmin(admin.ModelAdmin):
    list_display = ["email", "status", "requested_at", "confirmed_at", "unsubscribed_at"]
    list_filter = ["status", "confirmed_at", "requested_at"]
    search_fields = ["email"]
    date_hierarchy = "requested_at"
    fields = readonly_fields = [
        "email",
        "status",
        "requested_at",
        "confirmed_at",
        "unsubscribed_at",
        "consent_proof_link",
    ]
    inlines = [SubscriberMailInline, ConsentEventInline]
    actions = ["export_csv", "erase"]
    change_list_template = "admin/newsletter/subscriber/change_list.html"

    # Subscribers come only from a double opt-in; removing one is the erase action, which keeps
    # the suppression hash (a plain delete would let the address be mailed again).
    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_export_permission(self, request):
        return request.user.has_perm("newsletter.export_subscriber")

    def has_erase_permission(self, request):
        return request.user.has_perm("newsletter.erase_subscriber")

    def get_urls(self):
        proof = self.admin_site.admin_view(self.consent_proof_view)
        return [
            path("<int:pk>/proof/", proof, name="newsletter_subscriber_proof"),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        counts = Subscriber.objects.status_counts()
        extra_context = {
            **(extra_context or {}),
            "status_counts": [(label, counts[value]) for value, label in Subscriber.Status.choices],
        }
        return super().changelist_view(request, extra_context=extra_context)

    @admin.display(description=_("consent proof"))
    def consent_proof_link(self, obj):
        url = reverse("admin:newsletter_subscriber_proof", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Print consent proof"))

    def consent_proof_view(self, request, pk):
        subscriber = get_object_or_404(Subscriber, pk=pk)
        if not self.has_view_permission(request, subscriber):
            return self.admin_site.login(request)
        events = subscriber.events.select_related("consent_text")
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "subscriber": subscriber,
            "events": events,
            "title": _("Consent proof for %(email)s") % {"email": subscriber.email},
        }
        return TemplateResponse(request, "admin/newsletter/subscriber/proof.html", context)

    @admin.action(description=_("Export confirmed subscribers as CSV"), permissions=["export"])
    def export_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="newsletter-abonnenten.csv"'
        writer = csv.writer(response)
        writer.writerow(["email", "confirmed_at"])
        confirmed = queryset.filter(status=Subscriber.Status.CONFIRMED).order_by("email")
        for email, confirmed_at in confirmed.values_list("email", "confirmed_at"):
            writer.writerow([_csv_safe(email), confirmed_at.isoformat()])
        return response

    @admin.action(description=_("Erase personal data (right to erasure)"), permissions=["erase"])
    def erase(self, request, queryset):
        if request.POST.get("confirm") != "yes":
            context = {
                **self.admin_site.each_context(request),
                "opts": self.opts,
                "subscribers": queryset,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
                "title": _("Erase subscribers?"),
            }
            return TemplateResponse(request, "admin/newsletter/subscriber/erase.html", context)
        count = 0
        for subscriber in queryset:
            services.subscriber_erase(subscriber=subscriber, actor=request.user.get_username())
            count += 1
        self.message_user(
            request,
            ngettext("Erased %(count)d subscriber.", "Erased %(count)d subscribers.", count)
            % {"count": count},
            messages.SUCCESS,
        )
        return None


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["created_at", "kind", "subscriber", "channel", "consent_text"]
    list_filter = ["kind", "channel"]
    list_select_related = ["subscriber", "consent_text"]
    search_fields = ["subscriber__email", "address_hash", "message_id"]
    fields = readonly_fields = ["subscriber", *EVIDENCE_FIELDS, "address_hash"]


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ["__str__", "text", "created_at", "in_use"]
    readonly_fields = ["version", "created_at"]

    @admin.display(description=_("in use"), boolean=True)
    def in_use(self, obj):
        return obj.is_used

    # Once a subscriber agreed to a version it is evidence: editors add a new version instead.
    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_used:
            return [*self.readonly_fields, "text"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or not obj.is_used)


@admin.register(Suppression)
class SuppressionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["__str__", "reason", "created_at"]
    list_filter = ["reason"]
