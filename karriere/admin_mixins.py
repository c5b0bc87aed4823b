"""Shared admin building blocks (no app imports: apps use these, never the other way round)."""

from __future__ import annotations


class ReadOnlyAdminMixin:
    """Records that are shown, never written, through the admin: evidence, deliveries, mails."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
