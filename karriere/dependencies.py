"""Dependency keys: what a page shows, and invalidating exactly the pages that show a change.

A page or fragment names what it shows with keys (``article-42``, ``category-3``, ``tag-17``,
``author-5``, ``home``, ``top-articles``, ``feeds``, ``sitemap``, ``nav``). Every key has a
version in the cache:

- ``version_token(*keys)`` is a short token that changes whenever one of the keys is
  invalidated: page and fragment caches put it in their keys (or compare it), so they never
  serve what was rendered before a change;
- ``invalidate(*keys)`` bumps the versions and queues one purge of these keys in the shared
  HTTP caches (Varnish, CDN; ``karriere/purge.py``, registered with ``on_invalidated``),
  after the current transaction commits (at once outside a transaction), so no reader can
  fetch the old data again into a cache.

Which change touches which keys is decided in one place, by the app that knows the models
(``articles/invalidation.py``); this module only knows keys.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.core.cache import cache
from django.db import transaction

VERSION_PREFIX = "karriere:dep:"
# Bumped with every invalidation: a page cache compares it before and after rendering to
# notice a change committed meanwhile.
ANY = "*"


def version_token(*keys: str) -> str:
    """A short token of the keys' current versions (order and repeats do not matter)."""
    return token_of(versions(keys))


def versions(keys) -> dict[str, int]:
    """The current version of each key (one round trip to the cache)."""
    names = {VERSION_PREFIX + key: key for key in set(keys)}
    found = cache.get_many(list(names))
    missing = [name for name in names if name not in found]
    if missing:
        first = _first_version()
        for name in missing:
            cache.add(name, first, timeout=None)
        found.update(cache.get_many(missing))
    # A cache that is down has no versions: every token is the same then, and nothing is
    # stored under it either (writes are dropped too).
    return {key: found.get(name, 0) for name, key in names.items()}


def token_of(known: dict[str, int]) -> str:
    """``version_token`` of the keys in ``known`` with these versions."""
    text = "|".join(f"{VERSION_PREFIX}{key}={known[key]}" for key in sorted(known))
    return hashlib.blake2b(text.encode(), digest_size=8).hexdigest()


def shown(request, *keys: str) -> None:
    """Note that the page being rendered for ``request`` shows ``keys`` (the page cache and
    the surrogate-key header read them, ``keys_shown``)."""
    request.__dict__.setdefault("dependency_keys", set()).update(keys)


def keys_shown(request) -> list[str]:
    return sorted(request.__dict__.get("dependency_keys", ()))


@contextmanager
def recording(request) -> Iterator[set[str]]:
    """The keys shown while the block runs (a fragment's); the page shows them too."""
    outer = request.__dict__.pop("dependency_keys", set())
    inner = request.__dict__["dependency_keys"] = set()
    try:
        yield inner
    finally:
        request.__dict__["dependency_keys"] = outer | inner


def invalidate(*keys: str, using: str | None = None) -> None:
    """Make every page and fragment showing one of ``keys`` render afresh, and purge them from
    the shared caches: after the current transaction commits, or now outside a transaction.

    All calls within one transaction are applied together (one purge task for all keys); a
    rolled-back transaction's keys may be applied with the next commit (harmless: a page is
    rendered once more), never lost.
    """
    if not keys:
        return
    connection = transaction.get_connection(using)
    batch = getattr(connection, "karriere_dependency_batch", None)
    if batch is None:
        batch = connection.karriere_dependency_batch = _Batch()
    batch.keys.update(keys)
    # One callback per call, all draining the same batch: the first one after commit applies
    # every key, the others find it empty.
    transaction.on_commit(batch.apply, using=using)


_listeners: list[Callable[[list[str]], None]] = []


def on_invalidated(listener: Callable[[list[str]], None]) -> None:
    """Call ``listener(keys)`` after each commit that invalidated keys (the shared-cache purge,
    registered by ``karriere.apps``: this module is imported while models load, before tasks
    can be)."""
    if listener not in _listeners:
        _listeners.append(listener)


class _Batch:
    def __init__(self) -> None:
        self.keys: set[str] = set()

    def apply(self) -> None:
        keys, self.keys = self.keys, set()
        if not keys:
            return
        for key in (*keys, ANY):
            _bump(VERSION_PREFIX + key)
        for listener in _listeners:
            listener(sorted(keys))


def _bump(name: str) -> None:
    try:
        cache.incr(name)
    except ValueError:
        # Unknown (never asked for, or evicted): any new value differs from what pages hold.
        cache.add(name, _first_version(), timeout=None)


def _first_version() -> int:
    # From the clock (microseconds), not 1: when the cache loses a version (a restart of the
    # in-process cache, Redis evicting it), no version handed out before may come back.
    return time.time_ns() // 1000
