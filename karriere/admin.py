from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult
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


admin.site.unregister(DBTaskResult)


@admin.register(DBTaskResult)
class GermanTaskResultAdmin(DBTaskResultAdmin):
    """django-tasks-db's admin with German column labels (its own are plain English strings,
    not marked for translation)."""

    list_display = ["id", "task", *DBTaskResultAdmin.list_display[2:]]

    @admin.display(description=_("task"))
    def task(self, obj):
        return obj.task_name

    @admin.display(description=_("traceback"))
    def formatted_traceback(self, obj):
        return super().formatted_traceback(obj)

    @admin.display(description=_("run after"))
    def display_run_after(self, obj):
        return super().display_run_after(obj)
