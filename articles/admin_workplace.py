"""The editors' workplace on the article form: edit conflicts, revisions, autosave, who else
has the form open, and the trash."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from articles import revisions
from articles.models import Article, ArticleAutosave, ArticleEditPresence, format_when
from articles.services import (
    article_autosave,
    article_restore,
    article_trash,
    article_trash_empty,
    article_untrash,
    article_versions,
)

# An open change form pings every 30 seconds; after this long without a ping it counts as closed.
PRESENCE_TIMEOUT = timedelta(seconds=75)
# The form fields an autosave keeps (and the change form restores).
AUTOSAVED_FIELDS = ["title", "slug", "teaser", "body", "tags", "seo_title", "seo_description"]


class ArticleAdminForm(forms.ModelForm):
    """Knows the revision it was loaded from, and refuses to save over a newer one unless the
    editor asks to (edit conflicts: the form comes back with everything typed)."""

    loaded_revision = forms.IntegerField(widget=forms.HiddenInput, required=False)
    overwrite = forms.BooleanField(
        label=_("Save anyway and replace the newer version"), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.conflict = None
        if self.instance.pk and not self.is_bound:
            latest = article_versions(self.instance).first()
            self.initial["loaded_revision"] = latest.pk if latest else None

    def clean(self):
        cleaned = super().clean()
        # A post without the field (a form opened before this check existed, a script) is
        # not compared; the change form always sends it.
        if not self.instance.pk or cleaned.get("overwrite") or "loaded_revision" not in self.data:
            return cleaned
        versions = article_versions(self.instance)
        latest = versions.first()
        loaded = cleaned.get("loaded_revision")
        if latest is None or latest.pk == loaded:
            return cleaned
        self.conflict = self._conflict(latest, versions.filter(pk=loaded).first())
        user = latest.revision.user
        raise forms.ValidationError(
            gettext(
                "%(who)s saved this article at %(when)s while you were editing it "
                "(%(what)s). Nothing you typed is lost: compare both versions below, then "
                "tick “Save anyway” to replace theirs, or copy what you need and reload."
            )
            % {
                "who": (user.get_full_name() or user.get_username()) if user else "?",
                "when": format_when(latest.revision.date_created),
                "what": latest.revision.comment,
            },
            code="edit_conflict",
        )

    def _conflict(self, latest, loaded) -> list[tuple[str, str, str]]:
        """The fields the other person changed: their saved value next to this form's."""
        theirs = revisions.version_values(latest)
        before = revisions.version_values(loaded) if loaded else {}
        mine = revisions.readable_values(
            {
                **{name: self.data.get(name, "") for name in ("title", "slug", "teaser")},
                **{name: self.data.get(name, "") for name in ("seo_title", "seo_description")},
                "body": self.data.get("body", ""),
                "hero_image_id": self.data.get("hero_image") or None,
                "category_id": self.data.get("category"),
                "authors": self.data.getlist("authors") if hasattr(self.data, "getlist") else [],
                "status": self.data.get("status"),
                "published_at": self.cleaned_data.get("published_at"),
            },
            sorted(t.strip() for t in self.data.get("tags", "").split(",") if t.strip()),
        )
        return [
            (str(capfirst(Article._meta.get_field(name).verbose_name)), mine[name], theirs[name])
            for name in revisions.COMPARED_FIELDS
            if theirs[name] != before.get(name) and name in mine
        ]


class ArticleWorkplaceMixin:
    """The article admin's views and change-form context for working on an article together."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        form = context["adminform"].form
        context["edit_conflict"] = form.conflict
        if obj is not None and obj.pk:
            autosave = ArticleAutosave.objects.filter(article=obj, user=request.user).first()
            if autosave and autosave.saved_at > obj.updated_at and not form.is_bound:
                context["autosave"] = autosave
            context["workplace_urls"] = {
                "autosave": reverse("admin:articles_article_autosave", args=[obj.pk]),
                "presence": reverse("admin:articles_article_presence", args=[obj.pk]),
            }
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _editable_article(self, request, object_id) -> Article:
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        if not self.has_change_permission(request, article):
            raise PermissionDenied
        return article

    # --- revisions ---------------------------------------------------------------------------

    def history_view(self, request, object_id, extra_context=None):
        """The revisions with who, when and what, two of them to compare, each to restore."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": gettext("Versions of “%(title)s”") % {"title": article.title},
            "versions": article_versions(article),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/versions.html", context)

    def compare_view(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        versions = article_versions(article)
        try:
            ids = sorted(int(request.GET[key]) for key in ("a", "b"))
        except (KeyError, ValueError):
            self.message_user(request, gettext("Choose two versions to compare."), messages.ERROR)
            return HttpResponseRedirect(
                reverse("admin:articles_article_history", args=[article.pk])
            )
        old = get_object_or_404(versions, pk=ids[0])
        new = get_object_or_404(versions, pk=ids[1])
        rows = revisions.compare(
            revisions.version_values(old),
            revisions.version_values(new),
            old_body=old.field_dict.get("body", ""),
            new_body=new.field_dict.get("body", ""),
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "original": article,
            "title": gettext("Compare versions of “%(title)s”") % {"title": article.title},
            "old": old,
            "new": new,
            "old_heading": revisions.version_heading(old),
            "new_heading": revisions.version_heading(new),
            "rows": rows,
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, object_id, version_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404
        version = get_object_or_404(article_versions(article), pk=version_id)
        change_url = reverse("admin:articles_article_change", args=[article.pk])
        if not self.has_change_permission(request, article):
            self.message_user(
                request,
                gettext(
                    "You may not change this article: it is online, and only the editorial "
                    "team may change what is online."
                ),
                messages.ERROR,
            )
            return HttpResponseRedirect(change_url)
        article_restore(article=article, version=version, user=request.user)
        self.message_user(
            request,
            gettext("The version of %(when)s is the current content again (status: %(state)s).")
            % {"when": format_when(version.revision.date_created), "state": article.state_label},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(change_url)

    # --- autosave and presence ---------------------------------------------------------------

    def autosave_view(self, request, object_id):
        article = self._editable_article(request, object_id)
        if request.POST.get("discard"):
            ArticleAutosave.objects.filter(article=article, user=request.user).delete()
            return JsonResponse({"discarded": True})
        data = {name: request.POST.get(name, "") for name in AUTOSAVED_FIELDS}
        autosave = article_autosave(article=article, user=request.user, data=data)
        when = timezone.localtime(autosave.saved_at)
        return JsonResponse(
            {"message": gettext("Saved automatically at %(time)s") % {"time": f"{when:%H:%M}"}}
        )

    def presence_view(self, request, object_id):
        """Note that this user has the form open; answer who else has."""
        article = self.get_object(request, unquote(object_id))
        if article is None or not self.has_view_or_change_permission(request, article):
            raise PermissionDenied
        now = timezone.now()
        if request.POST.get("leaving"):
            ArticleEditPresence.objects.filter(article=article, user=request.user).delete()
            return JsonResponse({"others": []})
        if self.has_change_permission(request, article):
            # Only people who can edit count as editing; readers of the form only look.
            ArticleEditPresence.objects.update_or_create(
                article=article, user=request.user, defaults={"last_seen": now}
            )
        others = (
            ArticleEditPresence.objects.filter(
                article=article, last_seen__gte=now - PRESENCE_TIMEOUT
            )
            .exclude(user=request.user)
            .select_related("user")
        )
        names = [p.user.get_full_name() or p.user.get_username() for p in others]
        return JsonResponse(
            {
                "others": names,
                "message": " · ".join(
                    gettext("%(name)s is editing this article right now") % {"name": name}
                    for name in names
                ),
            }
        )


class ArticleTrashMixin:
    """Deleting an article moves it to the trash (Papierkorb), from where it comes back whole;
    emptying the trash is a right of its own."""

    def has_empty_trash_permission(self, request):
        return request.user.has_perm("articles.empty_trash")

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {})}
        extra_context["has_delete_permission"] = self.has_delete_permission(request)
        return super().changelist_view(request, extra_context)

    def get_actions(self, request):
        # Deleting goes through the trash (move_to_trash); emptying it is its own right.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def delete_model(self, request, obj):
        article_trash(article=obj, user=request.user)

    def get_deleted_objects(self, objs, request):
        # "Delete" moves to the trash: nothing else goes, so no rights on comments are needed.
        return [str(obj) for obj in objs], {}, set(), []

    def response_delete(self, request, obj_display, obj_id):
        response = super().response_delete(request, obj_display, obj_id)
        # Replace Django's "deleted" message: the article is in the trash, not gone.
        list(messages.get_messages(request))
        self.message_user(
            request,
            gettext("“%(title)s” was moved to the trash.") % {"title": obj_display},
            messages.SUCCESS,
        )
        return response

    def trash_view(self, request):
        if not self.has_delete_permission(request):
            raise PermissionDenied
        trashed = self.model.objects.for_editor(request.user).in_trash().order_by("-trashed_at")
        if request.method == "POST":
            if "empty" in request.POST:
                count = article_trash_empty(user=request.user)
                self.message_user(
                    request,
                    ngettext(
                        "%(count)d article deleted for good.",
                        "%(count)d articles deleted for good.",
                        count,
                    )
                    % {"count": count},
                    messages.SUCCESS,
                )
            else:
                article = get_object_or_404(trashed, pk=request.POST.get("restore"))
                article_untrash(article=article, user=request.user)
                self.message_user(
                    request,
                    gettext("“%(title)s” is back from the trash.") % {"title": article.title},
                    messages.SUCCESS,
                )
            return HttpResponseRedirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Trash"),
            "articles": trashed.prefetch_related("authors"),
            "can_empty": self.has_empty_trash_permission(request),
        }
        return TemplateResponse(request, "admin/articles/article/trash.html", context)
