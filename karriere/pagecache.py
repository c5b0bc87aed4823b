"""Whole-page cache for anonymous readers, invalidated by a content version.

Every cached page carries the ``content_version()`` it was rendered at and is served only
while that is still the version; saving an article, approving a comment or publishing calls
``bump_content_version()``, so no stale page survives a change. Cached HTML holds a
placeholder where the CSRF token was, and each reader gets their own token (and cookie) on the
way out, so the forms on cached pages keep working.
"""

from __future__ import annotations

import hashlib
import math
import re
import time
from collections.abc import Callable, Mapping
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH, get_token
from django.middleware.csrf import _unmask_cipher_token as unmask_csrf_token
from django.utils.cache import get_conditional_response
from django.utils.crypto import get_random_string
from django.utils.http import parse_http_date_safe

CONTENT_VERSION_KEY = "karriere:content-version"
CSRF_PLACEHOLDER = "__karriere_pagecache_csrf__"
_PLACEHOLDER = CSRF_PLACEHOLDER.encode()
# A masked CSRF token as get_token() writes it into a page. Pages are kept as bytes, so a
# cache hit never decodes or encodes the page (a sitemap can be megabytes).
_MASKED_TOKEN = re.compile(
    rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % (2 * CSRF_SECRET_LENGTH)
)
# Cached pages are rendered against this secret instead of the reader's; it never leaves the
# process, and the tokens made from it are swapped for the placeholder before storing.
_RENDER_SECRET = get_random_string(CSRF_SECRET_LENGTH, allowed_chars=CSRF_ALLOWED_CHARS)


def content_version() -> int:
    """Version of the published content; cached pages and lists are keyed by it."""
    version = cache.get(CONTENT_VERSION_KEY)
    if version is None:
        cache.add(CONTENT_VERSION_KEY, _first_version(), timeout=None)
        version = cache.get(CONTENT_VERSION_KEY)
    return version


def bump_content_version() -> None:
    """Invalidate every cached page: call after a change readers must see at once."""
    try:
        cache.incr(CONTENT_VERSION_KEY)
    except ValueError:
        cache.add(CONTENT_VERSION_KEY, _first_version(), timeout=None)


def _first_version() -> int:
    # From the clock (microseconds), not 1: when the cache loses the version (a restart of the
    # in-process cache, Redis evicting it), no version handed out before (in cached pages, in
    # readers' ETags) may come back.
    return time.time_ns() // 1000


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
) -> Callable[..., HttpResponse]:
    """Serve the view's 200 responses to anonymous GET/HEAD requests from the cache, and
    answer their conditional requests with 304 (also with the cache switched off).

    The key is the canonical URL: host, path and only the query parameters the page uses
    (``query``: name → normaliser, which gives the value the page treats it as, or ``None`` for
    "as if absent"). Any other parameter (``utm_source``, ``fbclid``, made-up junk) is left out,
    so it can neither make the page differ nor fill the cache. A parameter in ``uncached_if``
    (a reply pre-selected with ``?antwort=``) makes the page render uncached.

    Logged-in users (anyone with a session) and readers with something personal pending (a
    Django message, their own unapproved comment: ``PAGECACHE_BYPASS_COOKIES``) always get a
    fresh page.
    """
    query = query or {}

    @wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not _is_anonymous_read(request) or any(name in request.GET for name in uncached_if):
            return view(request, *args, **kwargs)
        if not settings.PAGECACHE_ENABLED:
            etag, _timeout = _freshness(content_version())
            return _not_modified_or(request, view(request, *args, **kwargs), etag)
        key = _cache_key(request, query)
        # The version and the page in one round trip: a hit costs a single MGET.
        found = cache.get_many([CONTENT_VERSION_KEY, key])
        version = found.get(CONTENT_VERSION_KEY) or content_version()
        entry = found.get(key)
        # (Pages cached before ETags were added have none: rendered afresh.)
        if entry is None or entry["version"] != version or "etag" not in entry:
            response, entry = _render_with_placeholder(view, request, *args, **kwargs)
            if response.status_code != 200 or response.streaming or response.cookies:
                # Not a page every reader may share (error, redirect, personal cookie).
                return _with_readers_token(request, response, entry)
            # The version read before rendering: a change made meanwhile makes it stale.
            entry["version"] = version
            entry["etag"], timeout = _freshness(version)
            cache.set(key, entry, timeout)
        # The first reader gets the page the same way as everyone after.
        return _not_modified_or(request, _response_from_entry(request, entry), entry["etag"])

    return wrapped


def _freshness(version: int) -> tuple[str, int]:
    """The ETag of a page rendered now at ``version``, and how many seconds it stays current.

    The page changes when the version does, and when the next scheduled article goes live,
    since nobody saves anything then to bump the version: that moment is part of the ETag, and
    a cached page is never kept past it.
    """
    upcoming = _next_publication(version)
    etag = f'W/"{version}-{int(upcoming)}"'
    if upcoming:
        return etag, max(1, min(settings.PAGECACHE_TIMEOUT, math.ceil(upcoming - time.time())))
    return etag, settings.PAGECACHE_TIMEOUT


def _next_publication(version: int) -> float:
    """Timestamp of the next scheduled publication (0: none), cached per content version."""
    # Imported here: articles.models imports this module to bump the version.
    from articles.models import Article

    key = f"karriere:next-publication:{version}"
    upcoming = cache.get(key)
    if upcoming is None or 0 < upcoming <= time.time():
        next_at = Article.objects.next_reader_change()
        upcoming = next_at.timestamp() if next_at else 0
        cache.set(key, upcoming, settings.PAGECACHE_TIMEOUT)
    return upcoming


def _not_modified_or(request: HttpRequest, response: HttpResponse, etag: str) -> HttpResponse:
    """304 when the reader's copy is current (feed readers, crawlers, browsers), else the page.

    ``If-Modified-Since`` counts where the view sets ``Last-Modified`` (feeds, sitemaps).
    """
    if response.status_code != 200 or response.streaming:
        return response
    response.headers["ETag"] = etag
    last_modified = parse_http_date_safe(response.headers.get("Last-Modified", ""))
    return get_conditional_response(
        request, etag=etag, last_modified=last_modified, response=response
    )


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


def _render_with_placeholder(view, request, *args, **kwargs) -> tuple[HttpResponse, dict]:
    """Run the view with a throwaway CSRF secret, and put the placeholder where its tokens are.

    Returns the view's response and the cache entry made from it.
    """
    meta = request.META
    saved = {key: meta[key] for key in ("CSRF_COOKIE", "CSRF_COOKIE_NEEDS_UPDATE") if key in meta}
    meta["CSRF_COOKIE"] = _RENDER_SECRET
    meta.pop("CSRF_COOKIE_NEEDS_UPDATE", None)
    try:
        response = view(request, *args, **kwargs)
        if callable(getattr(response, "render", None)):
            response = response.render()  # TemplateResponse (sitemaps, class-based views)
    finally:
        meta.pop("CSRF_COOKIE_NEEDS_UPDATE", None)
        meta.pop("CSRF_COOKIE", None)
        meta.update(saved)
    if response.streaming:
        return response, {}
    content = _MASKED_TOKEN.sub(_placeholder_for_render_token, response.content)
    headers = {name: value for name, value in response.headers.items() if name != "Content-Length"}
    return response, {"content": content, "headers": headers}


def _with_readers_token(request: HttpRequest, response: HttpResponse, entry: dict) -> HttpResponse:
    if entry and _PLACEHOLDER in entry["content"]:
        response.content = _content_for(request, entry)
    return response


def _placeholder_for_render_token(match: re.Match) -> bytes:
    token = match.group(0)
    return _PLACEHOLDER if unmask_csrf_token(token.decode()) == _RENDER_SECRET else token


def _content_for(request: HttpRequest, entry: dict) -> bytes:
    content = entry["content"]
    if _PLACEHOLDER in content:
        # get_token() also makes CsrfViewMiddleware set (or refresh) the reader's cookie.
        content = content.replace(_PLACEHOLDER, get_token(request).encode())
    return content


def _response_from_entry(request: HttpRequest, entry: dict) -> HttpResponse:
    response = HttpResponse(_content_for(request, entry))
    for name, value in entry["headers"].items():
        response.headers[name] = value
    return response
