"""Admin for newsletter issues: compose, preview, test send, send with confirmation, figures.

Who may do what: composing needs the model's add/change permissions (roles Redaktion and
Newsletter), sending and cancelling ``newsletter.send_newsletterissue`` (Newsletter only).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from karriere.admin_mixins import ReadOnlyAdminMixin
from newsletter import issue_mail, services
from newsletter.models import Delivery, IssueArticle, NewsletterIssue, Subscriber, WelcomeMail

SEND_PERMISSION = "newsletter.send_newsletterissue"


class IssueArticleInline(admin.StackedInline):
    model = IssueArticle
    fields = ["position", "article"]
    autocomplete_fields = ["article"]
    # No empty row: "the newest N" or "add another" fills it (an empty select2 has no name).
    extra = 0

    # A sent (or sending, scheduled) issue is what subscribers got: it stays as it is.
    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and (obj is None or obj.is_editable)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_editable)


class TestSendForm(forms.Form):
    addresses = forms.CharField(
        label=_("Send the test to"),
        help_text=_("One or more addresses, separated by commas or new lines."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean_addresses(self) -> list[str]:
        raw = self.cleaned_data["addresses"].replace(",", "\n").split()
        addresses = list(dict.fromkeys(address.strip() for address in raw if address.strip()))
        limit = settings.NEWSLETTER_TEST_RECIPIENTS_MAX
        if len(addresses) > limit:
            raise forms.ValidationError(
                ngettext(
                    "A test goes to at most %(limit)d address.",
                    "A test goes to at most %(limit)d addresses.",
                    limit,
                )
                % {"limit": limit}
            )
        field = forms.EmailField()
        invalid = []
        for address in addresses:
            try:
                field.clean(address)
            except forms.ValidationError:
                invalid.append(address)
        if invalid:
            raise forms.ValidationError(
                _("Not a valid e-mail address: %(addresses)s") % {"addresses": ", ".join(invalid)}
            )
        return addresses


class SendForm(forms.Form):
    scheduled_for = forms.DateTimeField(
        label=_("Send later at (optional)"),
        required=False,
        help_text=_("Leave empty to send now. Format: 24.12.2026 08:00"),
    )

    def clean_scheduled_for(self):
        when = self.cleaned_data["scheduled_for"]
        if when is not None and when <= timezone.now():
            raise forms.ValidationError(_("The time lies in the past. Leave it empty to send now."))
        return when


@admin.register(NewsletterIssue)
class NewsletterIssueAdmin(admin.ModelAdmin):
    list_display = ["subject", "status", "scheduled_for", "started_at", "sent_figure"]
    list_filter = ["status"]
    search_fields = ["subject"]
    fields = ["subject", "preheader", "intro", "closing"]
    inlines = [IssueArticleInline]
    change_form_template = "admin/newsletter/newsletterissue/change_form.html"

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and (obj is None or obj.is_editable)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or obj.is_editable)

    def get_fields(self, request, obj=None):
        # Read-only (sent, or no right to change): the texts as subscribers read them, not
        # their HTML source.
        if obj is not None and not self.has_change_permission(request, obj):
            return ["subject", "preheader", "intro_shown", "closing_shown"]
        return super().get_fields(request, obj)

    @admin.display(description=NewsletterIssue._meta.get_field("intro").verbose_name)
    def intro_shown(self, obj):
        return mark_safe(obj.intro)  # sanitised when saved, like article bodies

    @admin.display(description=NewsletterIssue._meta.get_field("closing").verbose_name)
    def closing_shown(self, obj):
        return mark_safe(obj.closing)  # sanitised when saved

    def has_send_permission(self, request) -> bool:
        return request.user.has_perm(SEND_PERMISSION)

    @admin.display(description=_("sent"))
    def sent_figure(self, obj):
        if obj.status == NewsletterIssue.Status.DRAFT:
            return "–"
        figures = obj.figures()
        return f"{number_format(figures['sent'])} / {number_format(figures['recipients'])}"

    def get_urls(self):
        def view(function, name):
            return path(
                f"<int:pk>/{name}/",
                self.admin_site.admin_view(function),
                name=f"newsletter_newsletterissue_{function.__name__}",
            )

        return [
            view(self.fill_newest, "neueste-artikel"),
            view(self.preview, "vorschau"),
            view(self.preview_html, "vorschau/html"),
            view(self.preview_text, "vorschau/text"),
            view(self.test_send, "testversand"),
            view(self.send, "versenden"),
            view(self.cancel, "abbrechen"),
            view(self.figures, "zahlen"),
            *super().get_urls(),
        ]

    def _issue(self, request, pk, *, needs: str) -> NewsletterIssue:
        issue = get_object_or_404(NewsletterIssue, pk=pk)
        allowed = {
            "view": self.has_view_permission(request, issue),
            "change": super().has_change_permission(request, issue),
            "send": self.has_send_permission(request),
        }[needs]
        if not allowed:
            raise PermissionDenied
        return issue

    def _context(self, request, issue, title, **extra) -> dict:
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": issue,
            "issue": issue,
            "title": title,
            **extra,
        }

    def change_view(self, request, object_id, form_url="", extra_context=None):
        issue = self.get_object(request, object_id)
        extra = {}
        if issue is not None:
            extra = {
                "figures": issue.figures(),
                "failures": issue.deliveries.filter(status=Delivery.Status.FAILED)
                .select_related("subscriber")
                .order_by("pk")[:50],
                "can_send": self.has_send_permission(request),
                "can_compose": super().has_change_permission(request, issue),
                "newest_count": settings.NEWSLETTER_NEWEST_ARTICLES,
            }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    def save_model(self, request, obj, form, change):
        if change and not NewsletterIssue.objects.get(pk=obj.pk).is_editable:
            raise PermissionDenied  # sending started between opening and saving the form
        super().save_model(request, obj, form, change)

    def fill_newest(self, request, pk):
        if request.method != "POST":
            return redirect("admin:newsletter_newsletterissue_change", pk)
        issue = self._issue(request, pk, needs="change")
        try:
            count = max(1, min(int(request.POST.get("count", "")), 50))
        except ValueError:
            count = settings.NEWSLETTER_NEWEST_ARTICLES
        try:
            added = services.issue_fill_newest(issue=issue, count=count)
        except services.IssueStateError:
            self.message_user(request, _("Only a draft can be changed."), messages.ERROR)
            return redirect("admin:newsletter_newsletterissue_change", pk)
        if added:
            message = ngettext(
                "Added %(count)d article published since the last issue.",
                "Added %(count)d articles published since the last issue.",
                added,
            ) % {"count": added}
            self.message_user(request, message, messages.SUCCESS)
        else:
            self.message_user(
                request, _("No new article has been published since the last issue."), messages.INFO
            )
        return redirect("admin:newsletter_newsletterissue_change", pk)

    def preview(self, request, pk):
        issue = self._issue(request, pk, needs="view")
        text = issue_mail.issue_test_message(issue, to="vorschau@example.invalid").body
        context = self._context(request, issue, _("Preview: %(subject)s") % {"subject": issue})
        context["text"] = text
        return TemplateResponse(request, "admin/newsletter/newsletterissue/preview.html", context)

    def preview_html(self, request, pk):
        issue = self._issue(request, pk, needs="view")
        message = issue_mail.issue_test_message(issue, to="vorschau@example.invalid")
        return HttpResponse(message.alternatives[0][0], content_type="text/html; charset=utf-8")

    def preview_text(self, request, pk):
        issue = self._issue(request, pk, needs="view")
        message = issue_mail.issue_test_message(issue, to="vorschau@example.invalid")
        return HttpResponse(message.body, content_type="text/plain; charset=utf-8")

    def test_send(self, request, pk):
        issue = self._issue(request, pk, needs="change")
        initial = {"addresses": request.user.email}
        form = TestSendForm(request.POST if request.method == "POST" else None, initial=initial)
        if form.is_valid():
            addresses = form.cleaned_data["addresses"]
            services.issue_test_send(issue=issue, addresses=addresses)
            self.message_user(
                request,
                _("The test mail goes out to %(addresses)s in a moment.")
                % {"addresses": ", ".join(addresses)},
                messages.SUCCESS,
            )
            return redirect("admin:newsletter_newsletterissue_change", pk)
        context = self._context(request, issue, _("Test send"), form=form)
        return TemplateResponse(request, "admin/newsletter/newsletterissue/test_send.html", context)

    def send(self, request, pk):
        issue = self._issue(request, pk, needs="send")
        if issue.status != NewsletterIssue.Status.DRAFT:
            self.message_user(request, _("This issue has already been sent."), messages.ERROR)
            return redirect("admin:newsletter_newsletterissue_change", pk)
        form = SendForm(request.POST if request.method == "POST" else None)
        count = Subscriber.objects.confirmed().count()
        if request.POST.get("confirm") == "yes" and form.is_valid():
            when = form.cleaned_data["scheduled_for"]
            try:
                services.issue_send(issue=issue, actor=request.user.get_username(), when=when)
            except services.IssueStateError:
                self.message_user(request, _("This issue has already been sent."), messages.ERROR)
                return redirect("admin:newsletter_newsletterissue_change", pk)
            if when:
                message = _("The issue is scheduled for %(when)s.") % {
                    "when": timezone.localtime(when).strftime("%d.%m.%Y %H:%M")
                }
            else:
                message = _("Sending has started.")
            self.message_user(request, message, messages.SUCCESS)
            return redirect("admin:newsletter_newsletterissue_change", pk)
        question = ngettext(
            "Send to %(count)s confirmed subscriber?",
            "Send to %(count)s confirmed subscribers?",
            count,
        ) % {"count": number_format(count, force_grouping=True)}
        context = self._context(
            request, issue, _("Send the issue"), form=form, question=question, count=count
        )
        return TemplateResponse(request, "admin/newsletter/newsletterissue/send.html", context)

    def cancel(self, request, pk):
        issue = self._issue(request, pk, needs="send")
        if request.method == "POST" and request.POST.get("confirm") == "yes":
            try:
                stopped = services.issue_cancel(issue=issue)
            except services.IssueStateError:
                self.message_user(request, _("This issue is not being sent."), messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "Cancelled. %(count)d mail not yet sent will not go out.",
                        "Cancelled. %(count)d mails not yet sent will not go out.",
                        stopped,
                    )
                    % {"count": stopped},
                    messages.SUCCESS,
                )
            return redirect("admin:newsletter_newsletterissue_change", pk)
        context = self._context(request, issue, _("Cancel sending?"))
        return TemplateResponse(request, "admin/newsletter/newsletterissue/cancel.html", context)

    def figures(self, request, pk):
        issue = self._issue(request, pk, needs="view")
        return JsonResponse({"status": issue.status, **issue.figures()})


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["issue", "subscriber", "status", "attempts", "sent_at", "error"]
    list_filter = ["status", "issue"]
    list_select_related = ["issue", "subscriber"]
    search_fields = ["subscriber__email", "message_id", "esp_message_id"]
    fields = readonly_fields = [
        "issue",
        "subscriber",
        "status",
        "attempts",
        "next_attempt_at",
        "message_id",
        "esp_message_id",
        "error",
        "sent_at",
        "unsubscribed_at",
    ]


@admin.register(WelcomeMail)
class WelcomeMailAdmin(admin.ModelAdmin):
    list_display = ["subject", "enabled", "updated_at"]
    fields = ["enabled", "subject", "body"]

    # One welcome mail; editors change it, they do not collect versions.
    def has_add_permission(self, request):
        return super().has_add_permission(request) and not WelcomeMail.objects.exists()
