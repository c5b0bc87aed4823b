"""Categories, authors and tags, and the German slug helper their forms share with articles."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from taggit.models import Tag as TaggitTag

from articles import invalidation
from articles.models import Author, Category, Tag
from articles.services import tag_merge

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
