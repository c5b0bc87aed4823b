"""Response headers that Django's SecurityMiddleware does not set, and the maintenance page
for views that fail because the database is away."""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings

from karriere.views import DATABASE_UNAVAILABLE, database_unavailable


def is_editor_path(path: str) -> bool:
    """Pages of the staff-only editing area: the admin and CKEditor's upload/browse views."""
    return path.startswith((f"/{settings.ADMIN_URL}", "/ckeditor/"))


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp with two policies: ``CONTENT_SECURITY_POLICY`` for the reader pages and
    ``ADMIN_CONTENT_SECURITY_POLICY`` for the editing area, where CKEditor 4 needs inline
    scripts and styles (see the README, "Security").

    A view can still set its own policy with django-csp's decorators.
    """

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and parts.config is None and is_editor_path(request.path_info):
            parts.config = default_config(settings.ADMIN_CONTENT_SECURITY_POLICY["DIRECTIVES"])
        return parts

    def process_response(self, request, response):
        if is_editor_path(request.path_info):
            # CKEditor's upload dialog posts into an iframe of the admin page; its answer is
            # framed by our own origin, so DENY would break image uploads.
            response["X-Frame-Options"] = "SAMEORIGIN"
        return super().process_response(request, response)


class PermissionsPolicyMiddleware:
    """Switches off browser features no Karriere page uses (camera, location, payment, ...)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.header = ", ".join(
            f"{feature}=({' '.join(allow)})"
            for feature, allow in settings.PERMISSIONS_POLICY.items()
        )

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.header)
        return response


class DatabaseUnavailableMiddleware:
    """A view that cannot reach the database answers 503 with the maintenance page and
    Retry-After instead of the 500 page. Pages in the page cache never get here: serving them
    needs no database."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_UNAVAILABLE):
            return database_unavailable(request, exception)
        return None
