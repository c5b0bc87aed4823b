from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from comments import services
from comments.models import Comment, ModerationWord, ModeratorMail
from karriere.outbox_admin import MAIL_FIELDS, OutgoingMailAdmin
from karriere.pagecache import bump_content_version

EXPORT_PERMISSION = "comments.export_comment_data"


class PersonalDataForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the comment author"))


def _bulk(modeladmin, request, queryset, change, done_message) -> None:
    # One service call per comment: the same rules (and counts) as everywhere else.
    count = sum(change(comment).status != comment.status for comment in queryset)
    modeladmin.message_user(request, done_message(count) % {"count": count}, messages.SUCCESS)


@admin.register(ModeratorMail)
class ModeratorMailAdmin(OutgoingMailAdmin):
    list_display = ["comment", "state", "attempts", "last_attempt_at", "last_error"]
    list_select_related = ["comment"]
    fields = readonly_fields = ["comment", *MAIL_FIELDS]

    def resend_mails(self, queryset) -> int:
        return services.moderator_mails_resend(mails=queryset)


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "article", "name", "email", "status", "created_at", "ip_address"]
    list_filter = ["status", ("article", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["article"]
    search_fields = ["name", "email", "text", "url", "ip_address"]
    date_hierarchy = "created_at"
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    actions = ["approve", "mark_spam", "trash", "restore"]
    fields = [
        "article",
        "parent",
        "name",
        "email",
        "url",
        "text",
        "status",
        "previous_status",
        "created_at",
        "approved_at",
        "approved_by",
        "ip_address",
        "user_agent",
        "moderator_mail_state",
    ]
    # Status changes go through the actions (and so through the services) only.
    readonly_fields = [
        "article",
        "parent",
        "status",
        "previous_status",
        "created_at",
        "approved_at",
        "approved_by",
        "ip_address",
        "user_agent",
        "moderator_mail_state",
    ]

    # A read-only field, not an inline: the change form's POST stays as it was.
    @admin.display(description=_("moderator notification"))
    def moderator_mail_state(self, obj):
        notification = ModeratorMail.objects.filter(comment=obj).first()
        if notification is None:
            return "–"
        url = reverse("admin:comments_moderatormail_change", args=[notification.pk])
        return format_html(
            '<a href="{}">{}</a> {}',
            url,
            notification.get_state_display(),
            notification.last_error,
        )

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return obj.excerpt

    def has_add_permission(self, request):
        # Comments come from readers, through comment_submit.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.status == Comment.Status.APPROVED:
            # After the commit, as the services do: a page rendered before it is stale.
            transaction.on_commit(bump_content_version)

    def delete_model(self, request, obj):
        services.comment_delete(comment=obj)

    def delete_queryset(self, request, queryset):
        for comment in queryset:
            services.comment_delete(comment=comment)

    @admin.action(description=_("Approve selected comments"), permissions=["change"])
    def approve(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            lambda c: services.comment_approve(comment=c, moderator=request.user),
            lambda n: ngettext("%(count)d comment approved.", "%(count)d comments approved.", n),
        )

    @admin.action(description=_("Mark selected comments as spam"), permissions=["change"])
    def mark_spam(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            lambda c: services.comment_mark_spam(comment=c),
            lambda n: ngettext(
                "%(count)d comment marked as spam.", "%(count)d comments marked as spam.", n
            ),
        )

    @admin.action(description=_("Move selected comments to the trash"), permissions=["change"])
    def trash(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            lambda c: services.comment_trash(comment=c),
            lambda n: ngettext(
                "%(count)d comment moved to the trash.", "%(count)d comments moved to the trash.", n
            ),
        )

    @admin.action(
        description=_("Restore selected comments from spam or trash"),
        permissions=["change"],
    )
    def restore(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            lambda c: services.comment_restore(comment=c, moderator=request.user),
            lambda n: ngettext("%(count)d comment restored.", "%(count)d comments restored.", n),
        )

    def get_urls(self):
        return [
            path(
                "personal-data/",
                self.admin_site.admin_view(self.personal_data_view),
                name="comments_comment_personal_data",
            ),
            *super().get_urls(),
        ]

    def personal_data_view(self, request):
        """Export or anonymise every comment of one e-mail address (DSGVO Art. 15 and 17)."""
        if not request.user.has_perm(EXPORT_PERMISSION):
            raise PermissionDenied
        form = PersonalDataForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            email = form.cleaned_data["email"]
            if "anonymise" in request.POST:
                count = services.comment_personal_data_anonymise(email=email)
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d comment anonymised.", "%(count)d comments anonymised.", count
                    )
                    % {"count": count},
                    messages.SUCCESS,
                )
            else:
                data = services.comment_personal_data_export(email=email)
                response = HttpResponse(
                    json.dumps(data, ensure_ascii=False, indent=2),
                    content_type="application/json; charset=utf-8",
                )
                response["Content-Disposition"] = 'attachment; filename="kommentare.json"'
                return response
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Comments of one e-mail address: export or anonymise"),
            "form": form,
        }
        return TemplateResponse(request, "admin/comments/comment/personal_data.html", context)


@admin.register(ModerationWord)
class ModerationWordAdmin(admin.ModelAdmin):
    list_display = ["word", "kind"]
    list_filter = ["kind"]
    search_fields = ["word"]
