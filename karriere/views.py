from __future__ import annotations

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBadRequest:
    """The German 400 page (oversized body, too many fields, bad Host, form data not in UTF-8).

    Unlike Django's handler this one does not run the CSRF middleware again: on a body Django
    could not read, that would fail a second time and turn the 400 into an empty 500. The page
    needs no request (the Host may be the bad input), so it renders without one.
    """
    return HttpResponseBadRequest(loader.get_template("400.html").render())
