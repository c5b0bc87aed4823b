from __future__ import annotations

from datetime import timedelta
from functools import partial

from ckeditor_uploader.widgets import CKEditorUploadingWidget
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.flatpages.admin import FlatPageAdmin
from django.contrib.flatpages.forms import FlatpageForm
from django.contrib.flatpages.models import FlatPage
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Prefetch, Q
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from taggit.models import Tag as TaggitTag

from articles import invalidation, revisions
from articles.charts import daily_views_svg, top_articles_admin
from articles.models import (
    Article,
    ArticleAutosave,
    ArticleEditPresence,
    Author,
    Category,
    Image,
    SlugRedirect,
    Tag,
    format_when,
)
from articles.services import (
    article_autosave,
    article_publish,
    article_restore,
    article_save,
    article_trash,
    article_trash_empty,
    article_unpublish,
    article_untrash,
    article_versions,
    author_for_user,
    tag_merge,
)
from articles.text import sanitize_body

# Articles use their own tag model (German slugs); taggit's table stays empty.
admin.site.unregister(TaggitTag)

# An open change form pings every 30 seconds; after this long without a ping it counts as closed.
PRESENCE_TIMEOUT = timedelta(seconds=75)
# The form fields an autosave keeps (and the change form restores).
AUTOSAVED_FIELDS = ["title", "slug", "teaser", "body", "tags", "seo_title", "seo_description"]


class GermanSlugMixin:
    """Fills the slug from another field while typing, with German transliteration
    (Django's prepopulated_fields would turn "ü" into "u"); see static/js/article_admin.js."""

    slug_source = "name"

    @property
    def media(self):
        return super().media + forms.Media(js=["js/article_admin.js"])

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "slug" and field is not None:
            field.widget.attrs["data-slug-source"] = f"id_{self.slug_source}"
        return field


@admin.register(Category)
class CategoryAdmin(GermanSlugMixin, admin.ModelAdmin):
    list_display = ["name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(Author)
class AuthorAdmin(GermanSlugMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "user"]
    list_filter = ["kind"]
    search_fields = ["name", "user__username"]
    autocomplete_fields = ["user"]


class TagMergeForm(forms.Form):
    name = forms.CharField(
        label=_("Merged tag"),
        max_length=100,
        help_text=_("Name of an existing or a new tag; the selected tags are merged into it."),
    )


@admin.register(Tag)
class TagAdmin(GermanSlugMixin, admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    actions = ["merge_tags"]

    def get_urls(self):
        merge = path(
            "merge/", self.admin_site.admin_view(self.merge_view), name="articles_tag_merge"
        )
        return [merge, *super().get_urls()]

    def delete_queryset(self, request, queryset):
        # A bulk delete skips Tag.delete(), which invalidates the cached pages.
        invalidation.tag_changed(*queryset)
        super().delete_queryset(request, queryset)

    @admin.action(description=_("Merge selected tags"), permissions=["change"])
    def merge_tags(self, request, queryset):
        ids = ",".join(str(pk) for pk in queryset.values_list("pk", flat=True))
        return HttpResponseRedirect(f"{reverse('admin:articles_tag_merge')}?ids={ids}")

    def merge_view(self, request):
        # Merging rewrites the tags of every article: it needs the right to change tags.
        if not self.has_change_permission(request):
            raise PermissionDenied
        ids = [int(pk) for pk in request.GET.get("ids", "").split(",") if pk.isdigit()]
        tags = list(Tag.objects.filter(pk__in=ids))
        form = TagMergeForm(request.POST or None)
        if request.method == "POST" and tags and form.is_valid():
            target = tag_merge(tags=tags, name=form.cleaned_data["name"])
            self.message_user(
                request,
                gettext("Tags merged into “%(name)s”.") % {"name": target.name},
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:articles_tag_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": gettext("Merge tags"),
            "form": form,
            "tags": tags,
        }
        return TemplateResponse(request, "admin/articles/tag/merge.html", context)


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article", "created_at"]
    search_fields = ["old_slug", "article__title"]
    autocomplete_fields = ["article"]


def _thumbnail(image: Image | None, width: int):
    if image is None:
        return "–"
    return format_html(
        '<img src="{}" width="{}" height="{}" alt="">', image.thumbnail_url, width, width
    )


class LibraryAutocompleteJsonView(AutocompleteJsonView):
    """The admin's autocomplete answers, with a thumbnail and the credit for library images
    (shown by static/js/image_autocomplete.js in the hero image field)."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        if isinstance(obj, Image):
            result.update(thumbnail=obj.thumbnail_url, credit=obj.credit_line)
        return result


# The project uses Django's default admin site; its autocomplete view is swapped for the one
# above (AdminSite.autocomplete_view is the documented hook, looked up when the URLs are built).
admin.site.autocomplete_view = lambda request: LibraryAutocompleteJsonView.as_view(
    admin_site=admin.site
)(request)


class CreditFilter(admin.SimpleListFilter):
    title = _("credit")
    parameter_name = "bildnachweis"

    def lookups(self, request, model_admin):
        return [("ohne", _("without credit"))]

    def queryset(self, request, queryset):
        return queryset.filter(credit="") if self.value() == "ohne" else queryset


class LicenceStateFilter(admin.SimpleListFilter):
    title = _("licence period")
    parameter_name = "lizenz"

    def lookups(self, request, model_admin):
        return [("endet", _("Licence ends within 30 days")), ("abgelaufen", _("Licence expired"))]

    def queryset(self, request, queryset):
        if self.value() == "endet":
            return queryset.expiring(days=30)
        if self.value() == "abgelaufen":
            return queryset.expired()
        return queryset


class UsageFilter(admin.SimpleListFilter):
    title = _("usage")
    parameter_name = "verwendung"

    def lookups(self, request, model_admin):
        return [("unbenutzt", _("unused")), ("verwendet", _("used in articles"))]

    def queryset(self, request, queryset):
        if self.value() == "unbenutzt":
            return queryset.unused()
        if self.value() == "verwendet":
            return queryset.filter(usage__gt=0)
        return queryset


@admin.register(Image)
class ImageAdmin(admin.ModelAdmin):
    list_display = ["thumbnail", "title", "credit_or_missing", "licence", "licence_until", "usage"]
    list_display_links = ["thumbnail", "title"]
    list_filter = ["licence", CreditFilter, LicenceStateFilter, UsageFilter]
    search_fields = ["title", "credit", "caption", "alt_text"]
    readonly_fields = ["preview", "usage_list", "uploaded_by", "created_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["file", "preview", "title", "alt_text", "decorative", "caption"]}),
        (
            _("Rights"),
            {"fields": ["credit", "licence", "licence_version", "source_url", "licence_until"]},
        ),
        (_("Crop"), {"fields": ["focal_x", "focal_y"]}),
        (_("Usage"), {"fields": ["usage_list", "uploaded_by", "created_at"]}),
    ]

    class Media:
        js = ["js/image_admin.js"]
        css = {"all": ["css/article_admin.css"]}

    def get_queryset(self, request):
        return super().get_queryset(request).with_usage()

    def save_model(self, request, obj, form, change):
        if not change:
            obj.uploaded_by = request.user
        super().save_model(request, obj, form, change)

    def delete_queryset(self, request, queryset):
        # One by one, so each image's files go too (Image.delete), as on its own delete page.
        for image in queryset:
            image.delete()

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        # Deleting a picture that articles show takes it off the site: the Redaktion decides.
        return obj is None or self._may_delete_used(request) or not self._in_use(obj)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        if not self._may_delete_used(request) and any(self._in_use(obj) for obj in objs):
            perms_needed.add(_("images that articles use"))
        return deleted, counts, perms_needed, protected

    @staticmethod
    def _may_delete_used(request) -> bool:
        return request.user.has_perm("articles.delete_used_image")

    @staticmethod
    def _in_use(image: Image) -> bool:
        usage = getattr(image, "usage", None)
        if usage is None:
            return Image.objects.filter(pk=image.pk).used().exists()
        return usage > 0

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        return _thumbnail(obj, 64)

    @admin.display(description=_("credit"), ordering="credit")
    def credit_or_missing(self, obj):
        return obj.credit_line or format_html("<strong>{}</strong>", _("missing"))

    @admin.display(description=_("used"), ordering="usage")
    def usage(self, obj):
        return ngettext("Used in %(count)d article", "Used in %(count)d articles", obj.usage) % {
            "count": obj.usage
        }

    @admin.display(description=_("preview"))
    def preview(self, obj):
        if not obj.file:
            return "–"
        return format_html(
            '<img class="focal-preview" src="{}" width="400" alt="" data-focal-x="id_focal_x" '
            'data-focal-y="id_focal_y"><div class="help">{}</div>',
            obj.largest_url(),
            _("Click the point that must stay in every crop (faces, the subject)."),
        )

    @admin.display(description=_("used in"))
    def usage_list(self, obj):
        if obj.pk is None:
            return "–"
        articles = (
            Article.objects.filter(Q(hero_image=obj) | Q(body_images=obj))
            .distinct()
            .only("pk", "title")
        )
        count = len(articles)
        if not count:
            return _("Not used in any article.")
        links = format_html_join(
            ", ",
            '<a href="{}">{}</a>',
            ((reverse("admin:articles_article_change", args=[a.pk]), a.title) for a in articles),
        )
        label = ngettext("Used in %(count)d article", "Used in %(count)d articles", count) % {
            "count": count
        }
        return format_html("{}: {}", label, links)


class ExpiredImageFilter(admin.SimpleListFilter):
    title = _("image licence")
    parameter_name = "bildlizenz"

    def lookups(self, request, model_admin):
        return [("abgelaufen", _("shows an image whose licence expired"))]

    def queryset(self, request, queryset):
        if self.value() == "abgelaufen":
            return queryset.filter(pk__in=Article.objects.with_expired_images().values("pk"))
        return queryset


class StateFilter(admin.SimpleListFilter):
    """Status as editors plan with it: "Geplant" apart from what is online."""

    title = _("status")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [
            ("draft", _("Draft")),
            ("review", _("In review")),
            ("scheduled", _("Scheduled")),
            ("online", _("Online")),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value in ("draft", "review"):
            return queryset.filter(status=value)
        if value == "scheduled":
            return queryset.scheduled()
        if value == "online":
            return queryset.published()
        return queryset


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


@admin.register(Article)
class ArticleAdmin(GermanSlugMixin, admin.ModelAdmin):
    slug_source = "title"
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = [
        "title", "state", "category", "author_names", "published_at", "views", "thumbnail",
    ]  # fmt: skip
    list_filter = [
        StateFilter, "category", "authors__kind", "published_at", "featured", ExpiredImageFilter,
    ]  # fmt: skip
    list_select_related = ["category", "hero_image"]
    search_fields = ["title", "teaser", "authors__name"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["authors", "category", "hero_image"]
    readonly_fields = [
        "hero_preview", "state", "preview_link", "reading_time", "updated_at", "view_chart",
    ]  # fmt: skip
    actions = ["publish", "unpublish", "revoke_preview_links", "move_to_trash"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "teaser", "body"]}),
        (
            _("Hero image"),
            {"fields": ["hero_image", "hero_preview"]},
        ),
        (_("Classification"), {"fields": ["category", "authors", "tags"]}),
        (
            _("Publication"),
            {
                "fields": [
                    "status",
                    "published_at",
                    "state",
                    "featured",
                    "comments_open",
                    "preview_link",
                    "reading_time",
                    "updated_at",
                ]  # fmt: skip
            },
        ),
        (_("Search engines"), {"fields": ["seo_title", "seo_description"]}),
        (_("Views"), {"fields": ["view_chart"]}),
    ]

    class Media:
        css = {"all": ["css/article_admin.css"]}
        js = ["js/image_autocomplete.js", "js/article_workplace.js"]

    # --- who may do what -------------------------------------------------------------------

    @staticmethod
    def _can_publish(request) -> bool:
        return request.user.has_perm("articles.publish_article")

    @staticmethod
    def _can_change_any(request) -> bool:
        return request.user.has_perm("articles.change_any_article")

    def has_publish_permission(self, request):
        return self._can_publish(request)

    def has_empty_trash_permission(self, request):
        return request.user.has_perm("articles.empty_trash")

    def get_queryset(self, request):
        # Articles in the trash have their own page (trash/); everywhere else they are gone.
        articles = super().get_queryset(request).for_editor(request.user).not_trashed()
        return articles.prefetch_related(Prefetch("authors", queryset=Author.objects.only("name")))

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        # Without the right to publish, a live article is read-only: edits to it would go
        # online without review.
        return obj is None or obj.status != Article.Status.PUBLISHED or self._can_publish(request)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if self.has_change_permission(request, obj) or request.user.has_perm(
            "articles.view_category"
        ):
            return fieldsets
        # Read-only, Django links the category to its admin page, which moderators may not
        # open (found by tests/karriere/test_crawl.py): show its name instead.
        return [
            (name, {**options, "fields": [
                "category_name" if field == "category" else field for field in options["fields"]
            ]})
            for name, options in fieldsets
        ]  # fmt: skip

    @admin.display(description=_("category"))
    def category_name(self, obj):
        return obj.category.name

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status" and not self._can_publish(request):
            # The form then refuses "published" server-side, with Django's German message.
            kwargs["choices"] = [
                (value, label)
                for value, label in Article.Status.choices
                if value != Article.Status.PUBLISHED
            ]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "authors" in form.base_fields and not self._can_change_any(request):
            # Their own byline is added on save (save_related), so they may leave it empty.
            form.base_fields["authors"].required = False
        if "tags" in form.base_fields:
            # Suggestions from the admin's own autocomplete view (taggit's TagAdmin searches).
            form.base_fields["tags"].widget.attrs["data-autocomplete-url"] = (
                reverse("admin:autocomplete")
                + "?app_label=articles&model_name=article&field_name=tags"
            )
        if "hero_image" in form.base_fields:
            # The placeholder also names the empty field for screen readers (select2 labels
            # its combobox with the shown text); Django's widget empties data-placeholder.
            form.base_fields["hero_image"].widget.widget.attrs.update(
                {
                    "data-thumbnails": "true",
                    "data-missing-credit": _("Credit missing"),
                    "data-empty-label": _("Search the image library"),
                }
            )
        for name in ("seo_title", "seo_description"):
            if name in form.base_fields:
                form.base_fields[name].widget.attrs["data-counter"] = "true"
        return form

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {})}
        extra_context["has_delete_permission"] = self.has_delete_permission(request)
        return super().changelist_view(request, extra_context)

    def get_actions(self, request):
        # Deleting goes through the trash (move_to_trash); emptying it is its own right.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def save_model(self, request, obj, form, change):
        authors = list(form.cleaned_data.get("authors") or [])
        if not self._can_change_any(request):
            # Their own byline is added, so they keep seeing the article.
            own = author_for_user(user=request.user)
            authors += [own] if own not in authors else []
        article_save(
            article=obj,
            user=request.user,
            authors=authors,
            tags=form.cleaned_data.get("tags", []),
        )

    def save_related(self, request, form, formsets, change):
        # article_save wrote the authors and tags (inside the revision); only formsets remain.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

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

    def construct_change_message(self, request, form, formsets, add=False):
        # Django stores the field labels in English and translates them when shown, which
        # fails for our labels ("Body geändert."); store the German verbose names instead.
        message = super().construct_change_message(request, form, formsets, add)
        for entry in message:
            if "changed" in entry:
                entry["changed"]["fields"] = [
                    str(form.fields[name].label or name)
                    for name in form.changed_data
                    if name not in ("loaded_revision", "overwrite")
                ]
        return message

    def _state_message(self, request, obj):
        if obj.is_scheduled:
            self.message_user(request, obj.state_label, messages.INFO)

    def response_add(self, request, obj, post_url_continue=None):
        self._state_message(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._state_message(request, obj)
        return super().response_change(request, obj)

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

    # --- list columns ------------------------------------------------------------------------

    @admin.display(description=_("authors"))
    def author_names(self, obj):
        return ", ".join(author.name for author in obj.authors.all())

    @admin.display(description=_("status"), ordering="status")
    def state(self, obj):
        return obj.state_label

    @admin.display(description=_("views"), ordering="view_count")
    def views(self, obj):
        return obj.view_count

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        return _thumbnail(obj.hero_image, 64)

    # --- change form extras ------------------------------------------------------------------

    @admin.display(description=_("preview"))
    def hero_preview(self, obj):
        image = obj.hero_image
        if image is None:
            return "–"
        return format_html(
            '<img src="{}" width="400" alt=""><div class="help">{}</div>',
            image.largest_url("hero"),
            image.credit_line or _("No credit recorded yet."),
        )

    @admin.display(description=_("shareable preview link"))
    def preview_link(self, obj):
        if obj.pk is None:
            return _("Available after the first save.")
        if obj.is_public:
            return _("The article is online; share its address.")
        url = settings.SITE_URL + reverse("articles:shared_preview", args=[obj.preview_token()])
        days = settings.ARTICLES_PREVIEW_MAX_AGE // 86400
        return format_html(
            '<a href="{}" target="_blank" rel="noopener">{}</a><div class="help">{}</div>',
            url,
            url,
            ngettext(
                "Anyone with this link can read the draft for %(days)s day. Not indexed.",
                "Anyone with this link can read the draft for %(days)s days. Not indexed.",
                days,
            )
            % {"days": days},
        )

    @admin.display(description=_("daily views"))
    def view_chart(self, obj):
        return daily_views_svg(obj) if obj.pk else "–"

    def get_urls(self):
        top = partial(top_articles_admin, model_admin=self)
        view = self.admin_site.admin_view
        return [
            path("top/", view(top), name="articles_article_top"),
            path("trash/", view(self.trash_view), name="articles_article_trash"),
            path(
                "<path:object_id>/versions/compare/",
                view(self.compare_view),
                name="articles_article_compare",
            ),
            path(
                "<path:object_id>/versions/<int:version_id>/restore/",
                view(require_POST(self.restore_view)),
                name="articles_article_restore",
            ),
            path(
                "<path:object_id>/autosave/",
                view(require_POST(self.autosave_view)),
                name="articles_article_autosave",
            ),
            path(
                "<path:object_id>/presence/",
                view(require_POST(self.presence_view)),
                name="articles_article_presence",
            ),
            *super().get_urls(),
        ]

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

    # --- trash -------------------------------------------------------------------------------

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

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_public else None

    # --- actions -----------------------------------------------------------------------------

    @admin.action(description=_("Publish selected articles"), permissions=["publish"])
    def publish(self, request, queryset):
        articles = list(queryset)
        for article in articles:
            article_publish(article=article, user=request.user)
        self.message_user(
            request,
            ngettext("%(count)d article published.", "%(count)d articles published.", len(articles))
            % {"count": len(articles)},  # fmt: skip
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish selected articles"), permissions=["publish"])
    def unpublish(self, request, queryset):
        articles = list(queryset)
        for article in articles:
            article_unpublish(article=article, user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d article taken offline.",
                "%(count)d articles taken offline.",
                len(articles),
            )
            % {"count": len(articles)},  # fmt: skip
            messages.SUCCESS,
        )

    @admin.action(description=_("Revoke shareable preview links"), permissions=["change"])
    def revoke_preview_links(self, request, queryset):
        articles = list(queryset)
        for article in articles:
            article.revoke_preview_links()
        self.message_user(
            request,
            ngettext(
                "The preview links of %(count)d article no longer work.",
                "The preview links of %(count)d articles no longer work.",
                len(articles),
            )
            % {"count": len(articles)},  # fmt: skip
            messages.SUCCESS,
        )

    @admin.action(description=_("Move selected articles to the trash"), permissions=["delete"])
    def move_to_trash(self, request, queryset):
        articles = list(queryset)
        for article in articles:
            article_trash(article=article, user=request.user)
        self.message_user(
            request,
            ngettext(
                "%(count)d article moved to the trash.",
                "%(count)d articles moved to the trash.",
                len(articles),
            )
            % {"count": len(articles)},  # fmt: skip
            messages.SUCCESS,
        )


class FlatPageForm(FlatpageForm):
    content = forms.CharField(label=_("content"), widget=CKEditorUploadingWidget(), required=False)

    def clean_content(self):
        # The same allow-list as article bodies: pages are shown unescaped.
        return sanitize_body(self.cleaned_data["content"])


admin.site.unregister(FlatPage)


@admin.register(FlatPage)
class PageAdmin(FlatPageAdmin):
    """Impressum, Datenschutz and other pages, written with the article editor."""

    form = FlatPageForm
