"""Response headers that Django's SecurityMiddleware does not set, the edge's input rules,
and the maintenance page for views that fail because the database is away."""

from __future__ import annotations

from csp.middleware import CSPMiddleware, PolicyParts
from csp.utils import default_config
from django.conf import settings
from django.core.exceptions import BadRequest
from django.http import HttpResponseNotAllowed, QueryDict

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


# Methods no page answers: TRACE would echo the request (cookies included) back.
REFUSED_METHODS = frozenset({"TRACE", "TRACK", "CONNECT"})
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class InputEdgeMiddleware:
    """Bad input stops here, before any view: TRACE and friends get 405; NUL bytes are taken out
    of query strings, form fields and the user agent (PostgreSQL refuses them in text, and no
    person types one), and a path with one is a bad request. Form data that is not UTF-8
    raises ``BadRequest`` here, which the German 400 page answers (``karriere.views``)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method in REFUSED_METHODS:
            return HttpResponseNotAllowed(["GET", "HEAD", "POST"])
        if "\x00" in request.path:
            raise BadRequest("NUL byte in the path")
        if "\x00" in request.META.get("HTTP_USER_AGENT", ""):
            request.META["HTTP_USER_AGENT"] = request.META["HTTP_USER_AGENT"].replace("\x00", "")
        if request.META.get("QUERY_STRING"):
            request.GET = _without_nul(request.GET)
        if request.content_type in FORM_CONTENT_TYPES and request.method not in ("GET", "HEAD"):
            request.POST = _without_nul(request.POST)
        return self.get_response(request)


def _without_nul(data: QueryDict) -> QueryDict:
    if not any(
        "\x00" in key or any("\x00" in value for value in values) for key, values in data.lists()
    ):
        return data
    cleaned = QueryDict(mutable=True, encoding=data.encoding)
    for key, values in data.lists():
        cleaned.setlist(key.replace("\x00", ""), [value.replace("\x00", "") for value in values])
    cleaned._mutable = False
    return cleaned


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


class SharedPageVaryMiddleware:
    """A shared reader page (``karriere.pagecache``) is the same for every anonymous reader:
    ``Vary: Cookie`` (the session middleware notes that a template asked for the user) and
    ``Vary: Accept-Language`` (the site speaks German only) would make shared caches keep a
    copy per cookie or language. Readers with a session or a personal cookie are sent past
    the caches by the page itself (``private``) and by the VCL."""

    VARIES_NOT = {"cookie", "accept-language"}

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(response, "shared_page", False) and response.has_header("Vary"):
            kept = [
                name.strip()
                for name in response["Vary"].split(",")
                if name.strip().lower() not in self.VARIES_NOT
            ]
            if kept:
                response["Vary"] = ", ".join(kept)
            else:
                del response["Vary"]
        return response
