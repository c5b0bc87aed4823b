"""Admin login throttling (django-axes) and the German lockout page.

Failed logins are counted per client IP (``karriere.net.client_ip``) and per (username, client
IP) pair: five failures from one address lock that address for ``LOGIN_COOLOFF_MINUTES``. Never
per username alone, so strangers who know an editor's login name cannot lock the editor out. The
counts live in the database, so every gunicorn worker and host sees the same numbers.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _


class LoginThrottleBackend(AxesStandaloneBackend):
    """Refuses logins while the client IP (or the username from that IP) is locked out.

    ``authenticate()`` without a request comes from code on the server (the shell, management
    commands, the test client's ``login()``), never from a visitor, so there is nothing to
    throttle; axes itself would raise instead.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def lockout_response(
    request: HttpRequest, original_response=None, credentials=None
) -> HttpResponse:
    """The page a locked-out login attempt gets: the admin's look, a German reason, HTTP 429."""
    context = {
        **admin.site.each_context(request),
        "title": _("Login blocked"),
        "message": _(
            "Too many failed login attempts. Logging in is blocked for %(minutes)s minutes. "
            "Please try again later."
        )
        % {"minutes": settings.LOGIN_COOLOFF_MINUTES},
    }
    response = TemplateResponse(request, "karriere/login_locked.html", context, status=429)
    response["Retry-After"] = str(settings.LOGIN_COOLOFF_MINUTES * 60)
    return response.render()
