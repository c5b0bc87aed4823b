from __future__ import annotations

import json

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from articles import invalidation
from comments import services
from comments.models import Comment, ModerationWord, ModeratorMail
from karriere.outbox_admin import MAIL_FIELDS, OutgoingMailAdmin

EXPORT_PERMISSION = "comments.export_comment_data"


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Reply as the editorial team"),
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=5000,
    )


# Per-row moderation: the button's label, what the message says afterwards, the service.
ROW_ACTIONS = {
    "approve": (
        _("Approve"),
        _("“%(comment)s” approved."),
        lambda comment, user: services.comment_approve(comment=comment, moderator=user),
    ),
    "spam": (
        _("Spam"),
        _("“%(comment)s” marked as spam."),
        lambda comment, user: services.comment_mark_spam(comment=comment),
    ),
    "trash": (
        _("Trash"),
        _("“%(comment)s” moved to the trash."),
        lambda comment, user: services.comment_trash(comment=comment),
    ),
    "restore": (
        _("Restore"),
        _("“%(comment)s” restored."),
        lambda comment, user: services.comment_restore(comment=comment, moderator=user),
    ),
}
# Which buttons a comment of each status offers.
ROW_ACTIONS_BY_STATUS = {
    Comment.Status.PENDING: ["approve", "spam", "trash"],
    Comment.Status.APPROVED: ["spam", "trash"],
    Comment.Status.SPAM: ["restore", "trash"],
    Comment.Status.TRASH: ["restore"],
}


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
    list_display = ["excerpt", "article_title", "author", "status", "created_at", "row_actions"]
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
    # Moderators may correct what the reader typed; status changes go through the actions (and
    # so through the services) only.
    readonly_fields = [name for name in fields if name not in ("name", "email", "url", "text")]

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
        if obj.staff_reply:
            return format_html("<strong>{}</strong> {}", gettext("Editorial team:"), obj.excerpt)
        return obj.excerpt

    @admin.display(description=_("article"), ordering="article__title")
    def article_title(self, obj):
        return Truncator(obj.article.title).chars(50)

    @admin.display(description=_("name"), ordering="name")
    def author(self, obj):
        # Name over e-mail and IP in one column, so the list fits a 1366 px laptop screen.
        return format_html(
            "{}<br><small>{}{}</small>",
            obj.name,
            obj.email,
            f" · {obj.ip_address}" if obj.ip_address else "",
        )

    @admin.display(description=_("moderate"))
    def row_actions(self, obj):
        """Buttons for this comment alone. They submit the small form outside the list's
        bulk-action form (the ``form`` attribute), so the two never mix."""
        buttons = format_html_join(
            " ",
            '<button type="submit" class="button" form="comment-row-action" formaction="{}"'
            ' aria-label="{} – {}">{}</button>',
            (
                (
                    reverse("admin:comments_comment_moderate", args=[obj.pk, name]),
                    ROW_ACTIONS[name][0],
                    obj.excerpt[:40],
                    ROW_ACTIONS[name][0],
                )
                for name in ROW_ACTIONS_BY_STATUS.get(obj.status, [])
            ),
        )
        if obj.status in (Comment.Status.PENDING, Comment.Status.APPROVED) and not obj.staff_reply:
            buttons += format_html(
                ' <a class="button" href="{}" aria-label="{} – {}">{}</a>',
                reverse("admin:comments_comment_reply", args=[obj.pk]),
                gettext("Reply"),
                obj.excerpt[:40],
                gettext("Reply"),
            )
        return buttons

    def has_add_permission(self, request):
        # Comments come from readers, through comment_submit.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.status == Comment.Status.APPROVED:
            # After the commit, as the services do: a page rendered before it is stale.
            invalidation.comment_count_changed(article_id=obj.article_id)

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
                "<int:comment_id>/moderate/<str:action>/",
                self.admin_site.admin_view(require_POST(self.moderate_view)),
                name="comments_comment_moderate",
            ),
            path(
                "<int:comment_id>/reply/",
                self.admin_site.admin_view(self.reply_view),
                name="comments_comment_reply",
            ),
            path(
                "personal-data/",
                self.admin_site.admin_view(self.personal_data_view),
                name="comments_comment_personal_data",
            ),
            *super().get_urls(),
        ]

    def _back_to_list(self, request):
        # Back to the list as the moderator left it (filters, page), never to another host.
        target = request.POST.get("next") or request.GET.get("next") or ""
        if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
            target = reverse("admin:comments_comment_changelist")
        return HttpResponseRedirect(target)

    def moderate_view(self, request, comment_id, action):
        comment = get_object_or_404(self.get_queryset(request), pk=comment_id)
        if action not in ROW_ACTIONS or not self.has_change_permission(request, comment):
            raise PermissionDenied
        _label, done, change = ROW_ACTIONS[action]
        change(comment, request.user)
        self.message_user(request, done % {"comment": comment.excerpt}, messages.SUCCESS)
        return self._back_to_list(request)

    def reply_view(self, request, comment_id):
        """Answer a reader as the magazine; the reply is published at once."""
        comment = get_object_or_404(self.get_queryset(request), pk=comment_id)
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        form = ReplyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.comment_reply_as_staff(
                    parent=comment, text=form.cleaned_data["text"], moderator=request.user
                )
            except services.DuplicateComment as error:
                form.add_error("text", str(error.message))
            else:
                self.message_user(
                    request,
                    gettext("Your reply to %(name)s is online.") % {"name": comment.name},
                    messages.SUCCESS,
                )
                return self._back_to_list(request)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Reply to %(name)s") % {"name": comment.name},
            "comment": comment,
            "form": form,
            "next": request.GET.get("next", ""),
        }
        return TemplateResponse(request, "admin/comments/comment/reply.html", context)

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
