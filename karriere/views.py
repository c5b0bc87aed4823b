from __future__ import annotations

import logging
import sys

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.template import loader
from django.utils.cache import add_never_cache_headers
from django.views import defaults
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

logger = logging.getLogger(__name__)

OK, UNAVAILABLE = "ok", "unavailable"
# Errors of a database that cannot be reached (down, restarting, refusing connections, locked):
# the reader gets the maintenance page, not the error page.
DATABASE_UNAVAILABLE = (OperationalError, InterfaceError)
MAINTENANCE_RETRY_AFTER_SECONDS = 30


def database_unavailable(request: HttpRequest, error: Exception) -> HttpResponse:
    """German 503 "Wartung / gleich wieder da" with Retry-After; needs no database."""
    logger.error("Database unavailable for %s: %s", request.path, error)
    response = HttpResponse(loader.render_to_string("503.html"), status=503)
    response["Retry-After"] = str(MAINTENANCE_RETRY_AFTER_SECONDS)
    add_never_cache_headers(response)
    return response


def server_error(request: HttpRequest) -> HttpResponse:
    """handler500: errors outside views (e.g. the flatpage lookup of a 404) land here."""
    error = sys.exc_info()[1]
    if isinstance(error, DATABASE_UNAVAILABLE):
        return database_unavailable(request, error)
    return defaults.server_error(request)


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """The state of each dependency, and overall: "ok"; "degraded" (200: pages still render,
    uncached or without counting views) when only Redis is down; "unavailable" (503: take this
    host out of rotation) when the database is down. README, "When Redis or the database is
    down"."""
    database = _database_status()
    checks = {
        "database": database,
        "cache": _cache_status(),
        "view_counter": (
            _redis_status(settings.VIEW_COUNT_REDIS_URL)
            if settings.VIEW_COUNT_REDIS_URL
            else database
        ),
        "view_counter_store": "redis" if settings.VIEW_COUNT_REDIS_URL else "database",
    }
    if database != OK:
        status = UNAVAILABLE
    elif UNAVAILABLE in checks.values():
        status = "degraded"
    else:
        status = OK
    return JsonResponse({"status": status, **checks}, status=503 if status == UNAVAILABLE else 200)


def _database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return UNAVAILABLE
    return OK


def _cache_status() -> str:
    ping = getattr(cache, "ping", None)  # karriere.cache.RedisCache
    if ping is None:
        return "in-process"
    return OK if ping() else UNAVAILABLE


def _redis_status(url: str) -> str:
    client = redis.Redis.from_url(url, **settings.REDIS_CLIENT_OPTIONS)
    try:
        client.ping()
    except (redis.ConnectionError, redis.TimeoutError):
        return UNAVAILABLE
    finally:
        client.close()
    return OK


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponseBadRequest:
    """The German 400 page (oversized body, too many fields, bad Host, form data not in UTF-8).

    Unlike Django's handler this one does not run the CSRF middleware again: on a body Django
    could not read, that would fail a second time and turn the 400 into an empty 500. The page
    needs no request (the Host may be the bad input), so it renders without one.
    """
    return HttpResponseBadRequest(loader.get_template("400.html").render())
