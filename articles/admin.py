from __future__ import annotations

from functools import partial

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Prefetch, Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag as TaggitTag

from articles.charts import daily_views_svg, top_articles_admin
from articles.models import Article, Author, Category, Image, SlugRedirect, Tag
from articles.services import article_publish, article_unpublish, author_for_user, tag_merge
from karriere.pagecache import bump_content_version

# Articles use their own tag model (German slugs); taggit's table stays empty.
admin.site.unregister(TaggitTag)


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
        super().delete_queryset(request, queryset)
        # A bulk delete skips Tag.delete(), which invalidates the cached pages.
        transaction.on_commit(bump_content_version)

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


@admin.register(Article)
class ArticleAdmin(GermanSlugMixin, admin.ModelAdmin):
    slug_source = "title"
    list_display = [
        "title", "status", "category", "author_names", "published_at", "views", "thumbnail",
    ]  # fmt: skip
    list_filter = [
        "status", "category", "authors__kind", "published_at", "featured", ExpiredImageFilter,
    ]  # fmt: skip
    list_select_related = ["category", "hero_image"]
    search_fields = ["title", "teaser", "authors__name"]
    date_hierarchy = "published_at"
    autocomplete_fields = ["authors", "category", "hero_image"]
    readonly_fields = ["hero_preview", "preview_link", "reading_time", "updated_at", "view_chart"]
    actions = ["publish", "unpublish", "revoke_preview_links"]
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
        js = ["js/image_autocomplete.js"]

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
        articles = super().get_queryset(request).for_editor(request.user)
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
            form.base_fields["hero_image"].widget.widget.attrs.update(
                {"data-thumbnails": "true", "data-missing-credit": _("Credit missing")}
            )
        for name in ("seo_title", "seo_description"):
            if name in form.base_fields:
                form.base_fields[name].widget.attrs["data-counter"] = "true"
        return form

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not self._can_change_any(request):
            form.instance.authors.add(author_for_user(user=request.user))

    # --- list columns ------------------------------------------------------------------------

    @admin.display(description=_("authors"))
    def author_names(self, obj):
        return ", ".join(author.name for author in obj.authors.all())

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
        return [
            path("top/", self.admin_site.admin_view(top), name="articles_article_top"),
            *super().get_urls(),
        ]

    def view_on_site(self, obj):
        return obj.get_absolute_url() if obj.is_public else None

    # --- actions -----------------------------------------------------------------------------

    @admin.action(description=_("Publish selected articles"), permissions=["publish"])
    def publish(self, request, queryset):
        articles = list(queryset)
        for article in articles:
            article_publish(article=article)
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
            article_unpublish(article=article)
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
