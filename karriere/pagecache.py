"""Reader pages for any HTTP cache: Django's page cache, Varnish, a CDN, the browser.

For anonymous readers a reader page is a pure function of its URL: the same bytes for everyone,
no cookie, no per-reader token (the anonymous forms are protected by ``karriere.crossorigin``).
Each page names what it shows with dependency keys (``karriere.dependencies.shown``); the
page is

- kept in Django's cache with the ``version_token`` of its keys and served only while that is
  still the token (``invalidate`` of one key makes exactly the pages showing it stale);
- sent with ``Cache-Control: public, max-age, s-maxage, stale-while-revalidate,
  stale-if-error`` (settings ``HTTP_CACHE_*``), a weak ``ETag`` (304 answers) and its keys in
  ``SURROGATE_KEY_HEADERS``, by which the shared caches are purged (``karriere.purge``);
- never kept anywhere past the next moment readers must see something else without anyone
  saving (a scheduled publication): the view's app passes it in as ``next_change``.

Readers with something personal (a session: staff; a pending Django message, their own
unapproved comment: ``PAGECACHE_BYPASS_COOKIES``) get a fresh page marked ``private,
no-store``, and fill no cache.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable, Mapping
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from karriere.dependencies import ANY, keys_shown, shown, version_token

PRIVATE = "private, no-store"


def page_number(value: str) -> str | None:
    """Query normaliser for a page number (``?seite=``, ``?p=``): the first page and anything
    that is no number are the page without the parameter; "02" is "2"."""
    if not (value.isascii() and value.isdecimal()):
        return None
    number = value.lstrip("0")
    return None if number in ("", "1") else number


def search_term(value: str) -> str | None:
    """Query normaliser for a search term: the view strips it too."""
    return value.strip() or None


def cache_page_for_readers(
    view: Callable[..., HttpResponse],
    *,
    query: Mapping[str, Callable[[str], str | None]] | None = None,
    uncached_if: tuple[str, ...] = (),
    keys: Iterable[str] = (),
    next_change: Callable[[], float] | None = None,
) -> Callable[..., HttpResponse]:
    """Serve the view's 200 responses to anonymous GET/HEAD requests as shareable pages (see
    the module), from Django's cache while their dependency keys are unchanged.

    The key is the canonical URL: host, path and only the query parameters the page uses
    (``query``: name → normaliser, which gives the value the page treats it as, or ``None`` for
    "as if absent"). Any other parameter (``utm_source``, ``fbclid``, made-up junk) is left out,
    so it can neither make the page differ nor fill the cache. A parameter in ``uncached_if``
    (a reply pre-selected with ``?antwort=``) makes the page personal. ``keys`` are dependency
    keys of every page of this view (``feeds``), added to those the view names itself;
    ``next_change`` returns the timestamp of the next scheduled change (0: none).
    """
    query = query or {}
    static_keys = tuple(keys)

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _is_anonymous_read(request) or any(name in request.GET for name in uncached_if):
            return _private(view(request, *args, **kwargs))
        cache_key = _cache_key(request, query) if settings.PAGECACHE_ENABLED else None
        entry = cache.get(cache_key) if cache_key else None
        # (Pages cached by releases before dependency keys have no "keys": rendered afresh.)
        if entry is None or "keys" not in entry or version_token(*entry["keys"]) != entry["token"]:
            response, entry = _render(view, request, args, kwargs, static_keys, next_change)
            if entry is None:
                # Not a page every reader may share (error, redirect, personal cookie).
                return response
            if cache_key:
                cache.set(cache_key, entry, _seconds_left(entry, settings.PAGECACHE_TIMEOUT))
        # The first reader gets the page the same way as everyone after.
        return _shared_response(request, entry)

    return wrapped


def _render(view, request, args, kwargs, static_keys, next_change) -> tuple[HttpResponse, dict]:
    """Run the view; returns its response and the cache entry made from it (``None`` when
    the response is not the same page for everyone)."""
    changes_before = version_token(ANY)
    response = view(request, *args, **kwargs)
    if callable(getattr(response, "render", None)):
        response = response.render()  # TemplateResponse (sitemaps, class-based views)
    if response.status_code != 200 or response.streaming or response.cookies:
        return response, None
    shown(request, *static_keys)
    keys = keys_shown(request)
    token = version_token(*keys)
    if version_token(ANY) != changes_before:
        # Something changed while the page rendered, maybe what it shows: served now, kept
        # by no cache (a purge sent meanwhile cannot have reached it).
        token = ""
    upcoming = next_change() if next_change else 0
    headers = {
        name: value
        for name, value in response.headers.items()
        if name not in ("Content-Length", "Cache-Control", "Expires", "Vary")
    }
    entry = {
        "content": response.content,
        "headers": headers,
        "keys": keys,
        "token": token,
        "upcoming": upcoming,
        "etag": f'W/"{token}-{int(upcoming)}"',
    }
    return response, entry


def _seconds_left(entry: dict, limit: int) -> int:
    """``limit``, but never past the next scheduled change the page was rendered before (and
    0 for a page rendered while something changed: no cache may keep it)."""
    upcoming = entry["upcoming"]
    if not entry["token"]:
        return 0
    if not upcoming:
        return limit
    return max(0, min(limit, math.ceil(upcoming - time.time())))


def _shared_response(request: HttpRequest, entry: dict) -> HttpResponse:
    """The page as every reader gets it, or 304 when the reader's copy is current (feed
    readers, crawlers, browsers). ``If-Modified-Since`` counts where the view sets
    ``Last-Modified`` (feeds, sitemaps)."""
    response = HttpResponse(entry["content"])
    for name, value in entry["headers"].items():
        response.headers[name] = value
    max_age = _seconds_left(entry, settings.HTTP_CACHE_MAX_AGE)
    s_maxage = _seconds_left(entry, settings.HTTP_CACHE_S_MAXAGE)
    response.headers["Cache-Control"] = (
        f"public, max-age={max_age}, s-maxage={s_maxage}, "
        f"stale-while-revalidate={settings.HTTP_CACHE_STALE_WHILE_REVALIDATE}, "
        f"stale-if-error={settings.HTTP_CACHE_STALE_IF_ERROR}"
    )
    for header in settings.SURROGATE_KEY_HEADERS:
        separator = "," if header.lower() == "cache-tag" else " "
        response.headers[header] = separator.join(entry["keys"])
    response.headers["ETag"] = entry["etag"]
    last_modified = parse_http_date_safe(response.headers.get("Last-Modified", ""))
    response = get_conditional_response(
        request, etag=entry["etag"], last_modified=last_modified, response=response
    )
    # Read by karriere.middleware.SharedPageVaryMiddleware: the page does not vary by the
    # cookie or language that the session and locale middleware note.
    response.shared_page = True
    return response


def _private(response: HttpResponse) -> HttpResponse:
    response.headers["Cache-Control"] = PRIVATE
    response.headers.pop("Expires", None)
    return response


def _is_anonymous_read(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    # Readers have no session: only logged-in users do (and messages too large for their
    # cookie). Checking the cookie instead of request.user costs no query.
    bypass = [settings.SESSION_COOKIE_NAME, *settings.PAGECACHE_BYPASS_COOKIES]
    return not any(name in request.COOKIES for name in bypass)


def _cache_key(request: HttpRequest, query: Mapping[str, Callable[[str], str | None]]) -> str:
    # Views read one value per parameter with GET.get(), which is the last one: so does the key.
    used = []
    for name in sorted(query):
        value = request.GET.get(name)
        normal = None if value is None else query[name](value)
        if normal is not None:
            used.append((name, normal))
    url = f"{request.get_host()}{request.path}?{used}|{getattr(request, 'LANGUAGE_CODE', '')}"
    return "karriere:page:" + hashlib.sha256(url.encode()).hexdigest()
