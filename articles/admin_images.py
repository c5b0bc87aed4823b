"""The image library: credits, licences, usage and the thumbnails the article admin shows."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from articles.models import Article, Image


def image_thumbnail(image: Image | None, width: int):
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
        return image_thumbnail(obj, 64)

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
