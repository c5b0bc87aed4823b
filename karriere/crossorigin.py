"""Forms that anyone may send without an account, on pages every reader shares.

A shared page (``karriere.pagecache``) cannot carry a per-reader CSRF token or set its cookie.
The forms on it (comment, newsletter signup, unsubscribe request, "Hilfreich") belong to no
session: there is no logged-in victim whose rights a forged post could use. What remains of
cross-site request forgery is another site making a reader's browser send the form (a comment
in their name from their IP address, a signup). Browsers say where a post comes from:
``Sec-Fetch-Site`` (all current browsers) and ``Origin`` (every browser since 2020 on POST).
``anonymous_post`` refuses a POST that either names another site, with the German 403 page,
and takes it otherwise; a post with neither header comes from no browser (scripts, curl:
they could send any header, so a token would not stop them either), where the form's own abuse
protection applies (honeypot, timestamp, flood control).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from karriere.pagecache import PRIVATE


def anonymous_post(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """For views taking anonymous, session-less forms: no CSRF token needed, a cross-site POST
    is refused with 403, and the answer to a POST is never kept by any cache."""

    @csrf_exempt
    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.method != "POST":
            return view(request, *args, **kwargs)
        if not is_same_origin(request):
            response = render(request, "403_cross_site.html", status=403)
        else:
            response = view(request, *args, **kwargs)
        response.headers["Cache-Control"] = PRIVATE
        return response

    return wrapped


def is_same_origin(request: HttpRequest) -> bool:
    """Whether the browser says this request comes from one of our own pages."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        # "none": the reader's own action (address bar, bookmark), no page sent it.
        # "same-site" is refused: another subdomain is another site's code.
        return fetch_site in ("same-origin", "none")
    origin = request.headers.get("Origin")
    if origin is not None:
        # "null" (sandboxed frames, data: URLs) is never ours.
        return origin in _own_origins(request)
    return True


def _own_origins(request: HttpRequest) -> set[str]:
    return {
        f"{request.scheme}://{request.get_host()}",
        settings.SITE_URL.rstrip("/"),
        *settings.CSRF_TRUSTED_ORIGINS,
    }
