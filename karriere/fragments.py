"""Parts of pages cached by what they show: a page the page cache cannot serve (after a change,
a personal page) still gets its unchanged parts from the cache instead of rendering them.

A fragment (``{% fragment "related" article.pk %}…{% endfragment %}`` in templates,
``cached(request, name, render)`` in template tags) is kept in Django's cache under its name
with the dependency keys it showed while rendering (``karriere.dependencies.shown``) and their
``version_token``. It is served while that token is unchanged, so ``invalidate("article-42")``
makes exactly the fragments showing article 42 stale. Each process keeps a copy in its own
memory too (``caches["fragments"]``): the token check against the shared versions makes that
safe, and it saves fetching the part from Redis. Served from the cache, it still names its
keys to the page (``shown``), so the page cache and the surrogate-key header stay complete.

No fragment is kept past the next moment readers must see something else without anyone
saving (a scheduled publication): the app that knows it registers it (``bound_by``), as this
module imports no app. Fragments are off where ``skip(request)`` was called (previews) and
with ``FRAGMENT_CACHE_ENABLED = False``.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable, Iterable

from django.conf import settings
from django.core.cache import cache, caches
from django.utils import translation
from django.utils.safestring import SafeString

from karriere.dependencies import (
    ANY,
    keys_shown,
    recording,
    shown,
    token_of,
    versions,
)

_next_change: list[Callable[[], float]] = []
_every_page: set[str] = set()


def bound_by(next_change: Callable[[], float]) -> None:
    """Register a function returning the timestamp of the next scheduled change (0: none);
    called once by the app that knows it (``articles.apps``)."""
    if next_change not in _next_change:
        _next_change.append(next_change)


def on_every_page(*keys: str) -> None:
    """Register keys that parts of (nearly) every page show (``nav``, ``top-articles``): their
    versions are read with the first part's, in the same round trip to the cache."""
    _every_page.update(keys)


def skip(request) -> None:
    """Render every fragment of this request afresh and keep none (previews of drafts)."""
    request.__dict__["fragments_skipped"] = True


def cached(
    request,
    name: Iterable[object],
    render: Callable[[], str],
    *,
    keys: Iterable[str] = (),
    timeout: int | None = None,
    until: float = 0,
) -> SafeString:
    """The fragment ``name`` (e.g. ``("related", 42)``) from the cache, or ``render()``\\ ed and
    kept. ``keys`` are shown besides those ``render`` shows; ``timeout`` defaults to
    ``FRAGMENT_CACHE_TIMEOUT``; ``until`` is a timestamp the fragment must not outlive."""
    if request is None:
        return SafeString(render())
    if not settings.FRAGMENT_CACHE_ENABLED or request.__dict__.get("fragments_skipped"):
        html, _keys = _render(request, render, keys)
        return html
    cache_key = _cache_key(name)
    local = caches["fragments"]
    entry = from_memory = local.get(cache_key)
    if entry is None:
        entry = cache.get(cache_key)
    if entry is not None and _token(request, entry["keys"]) == entry["token"]:
        shown(request, *entry["keys"])
        if from_memory is None:
            local.set(cache_key, entry, settings.FRAGMENT_CACHE_TIMEOUT)
        return SafeString(entry["html"])
    # Read once per request, before the first part renders: if anything is invalidated from
    # then on (maybe what a part shows), the part is used now but kept by no cache.
    if "fragment_changes_before" not in request.__dict__:
        request.fragment_changes_before = versions([ANY])[ANY]
    changes_before = request.fragment_changes_before
    html, fragment_keys = _render(request, render, keys)
    current = versions([*fragment_keys, ANY])
    token = token_of({key: current[key] for key in fragment_keys})
    seconds = _seconds_left(
        request, settings.FRAGMENT_CACHE_TIMEOUT if timeout is None else timeout, until
    )
    if seconds > 0 and current[ANY] == changes_before:
        entry = {"html": str(html), "keys": fragment_keys, "token": token}
        cache.set(cache_key, entry, seconds)
        local.set(cache_key, entry, seconds)
    return html


def _token(request, keys: list[str]) -> str:
    """``version_token(*keys)``, from versions read once per request: the parts of a page share
    most keys, and the first lookup also reads those the page named so far and those of
    ``on_every_page``."""
    known = request.__dict__.setdefault("fragment_versions", {})
    missing = set(keys).difference(known)
    if missing:
        wanted = missing.union(keys_shown(request), _every_page).difference(known)
        known.update(versions(wanted))
    return token_of({key: known[key] for key in keys})


def _render(request, render, keys) -> tuple[SafeString, list[str]]:
    with recording(request) as fragment_keys:
        shown(request, *keys)
        html = SafeString(render())
    return html, sorted(fragment_keys)


def _seconds_left(request, timeout: int, until: float) -> int:
    if "fragment_next_changes" not in request.__dict__:
        request.fragment_next_changes = [next_change() for next_change in _next_change]
    moments = [until, *request.fragment_next_changes]
    now = time.time()
    for moment in moments:
        if moment:
            timeout = min(timeout, math.ceil(moment - now))
    return max(0, timeout)


def _cache_key(name: Iterable[object]) -> str:
    text = "|".join(str(part) for part in (*name, translation.get_language()))
    return "karriere:fragment:" + hashlib.sha256(text.encode()).hexdigest()
