"""The article admin; the image library, categories/authors/tags and the editors' workplace
have their own modules, registered by the imports below."""

from __future__ import annotations

from functools import partial

from ckeditor_uploader.widgets import CKEditorUploadingWidget
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.flatpages.admin import FlatPageAdmin
from django.contrib.flatpages.forms import FlatpageForm
from django.contrib.flatpages.models import FlatPage
from django.db.models import Prefetch
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from articles import (
    admin_mails,  # noqa: F401 (registers the licence reminders' admin)
    counting,
)
from articles.admin_images import image_thumbnail
from articles.admin_taxonomy import GermanSlugMixin
from articles.admin_workplace import ArticleAdminForm, ArticleTrashMixin, ArticleWorkplaceMixin
from articles.charts import daily_svg, top_articles_admin
from articles.models import Article, Author, SlugRedirect
from articles.services import (
    article_publish,
    article_save,
    article_trash,
    article_unpublish,
    author_for_user,
)
from articles.text import sanitize_body


@admin.register(SlugRedirect)
class SlugRedirectAdmin(admin.ModelAdmin):
    list_display = ["old_slug", "article", "created_at"]
    search_fields = ["old_slug", "article__title"]
    autocomplete_fields = ["article"]


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


@admin.register(Article)
class ArticleAdmin(ArticleWorkplaceMixin, ArticleTrashMixin, GermanSlugMixin, admin.ModelAdmin):
    slug_source = "title"
    form = ArticleAdminForm
    change_form_template = "admin/articles/article/change_form.html"
    list_display = [
        "title", "state", "category", "author_names", "published_at", "views", "likes",
        "thumbnail",
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
                ]
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

    @admin.display(description=_("likes"), ordering="like_count")
    def likes(self, obj):
        return obj.like_count

    @admin.display(description=_("image"))
    def thumbnail(self, obj):
        return image_thumbnail(obj.hero_image, 64)

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

    @admin.display(description=_("daily views and likes"))
    def view_chart(self, obj):
        if not obj.pk:
            return "–"
        return daily_svg(obj, kind=counting.VIEWS) + daily_svg(obj, kind=counting.LIKES)

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

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_public else None

    # --- actions -----------------------------------------------------------------------------

    @admin.action(description=_("Publish selected articles"), permissions=["publish"])
    def publish(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            lambda a: article_publish(article=a, user=request.user),
            lambda n: ngettext("%(count)d article published.", "%(count)d articles published.", n),
        )

    @admin.action(description=_("Unpublish selected articles"), permissions=["publish"])
    def unpublish(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            lambda a: article_unpublish(article=a, user=request.user),
            lambda n: ngettext(
                "%(count)d article taken offline.", "%(count)d articles taken offline.", n
            ),
        )

    @admin.action(description=_("Revoke shareable preview links"), permissions=["change"])
    def revoke_preview_links(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            lambda a: a.revoke_preview_links(),
            lambda n: ngettext(
                "The preview links of %(count)d article no longer work.",
                "The preview links of %(count)d articles no longer work.",
                n,
            ),
        )

    @admin.action(description=_("Move selected articles to the trash"), permissions=["delete"])
    def move_to_trash(self, request, queryset):
        _bulk(
            self,
            request,
            queryset,
            lambda a: article_trash(article=a, user=request.user),
            lambda n: ngettext(
                "%(count)d article moved to the trash.", "%(count)d articles moved to the trash.", n
            ),
        )


def _bulk(modeladmin, request, queryset, change, done_message) -> None:
    # One service call per article: the same rules (revision, cache, log) as the change form.
    articles = list(queryset)
    for article in articles:
        change(article)
    count = len(articles)
    modeladmin.message_user(request, done_message(count) % {"count": count}, messages.SUCCESS)


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
