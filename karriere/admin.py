from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from taggit.admin import TagAdmin
from taggit.models import Tag

admin.site.unregister(Tag)


@admin.register(Tag)
class ProtectedTagAdmin(TagAdmin):
    """taggit's "merge tags" action and page only ask for staff status; merging rewrites the
    tags of every article, so it needs the right to change tags (authors may only view them)."""

    @admin.action(description=_("Merge selected tags"), permissions=["change"])
    def render_tag_form(self, request, queryset):
        return super().render_tag_form(request, queryset)

    def merge_tags_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        return super().merge_tags_view(request)
