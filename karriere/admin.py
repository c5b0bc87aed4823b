from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from taggit.admin import TagAdmin
from taggit.models import Tag

from karriere.pagecache import bump_content_version

admin.site.unregister(Tag)


@admin.register(Tag)
class ProtectedTagAdmin(TagAdmin):
    """taggit's "merge tags" action and page only ask for staff status; merging rewrites the
    tags of every article, so it needs the right to change tags (authors may only view them).

    Tag names are on cached pages (articles, tag archives): every change bumps the content
    version once it is committed.
    """

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        transaction.on_commit(bump_content_version)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        transaction.on_commit(bump_content_version)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        transaction.on_commit(bump_content_version)

    @admin.action(description=_("Merge selected tags"), permissions=["change"])
    def render_tag_form(self, request, queryset):
        return super().render_tag_form(request, queryset)

    def merge_tags_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        if request.method == "POST":
            transaction.on_commit(bump_content_version)
        return super().merge_tags_view(request)
