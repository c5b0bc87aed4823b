"""Django's Redis cache backend, keeping one ``redis.Redis`` per connection pool and failing
soft when Redis is unreachable.

Django builds a new ``redis.Redis`` for every cache call; with redis-py 8 that costs about as
much as the round trip to a local Redis, on every page served from the page cache (a fifth of
a cached page's time in the benchmark's profile). A ``redis.Redis`` is only a thread-safe handle
on its connection pool, so one per pool is enough.

The cache only makes the site faster, so losing Redis must not take the site down: while Redis
cannot be reached every read is a miss and every write is dropped (pages render uncached), and
after a failure the backend leaves Redis alone for ``RETRY_SECONDS`` so that a Redis that hangs
costs one connect timeout, not one per cache call.
"""

from __future__ import annotations

import logging
import time

import redis
from django.core.cache.backends import redis as django_redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT

logger = logging.getLogger(__name__)

# Errors of an unreachable or stalled Redis; anything else (a bug) still raises.
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)
RETRY_SECONDS = 5


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
        self._unreachable_until = 0.0

    def ping(self) -> bool:
        """Whether Redis answers now (for the health check; ignores the retry pause)."""
        try:
            return bool(self._cache.get_client().ping())
        except UNREACHABLE:
            return False

    def _soft(self, operation, fallback, *args):
        if time.monotonic() < self._unreachable_until:
            return fallback
        try:
            return operation(*args)
        except UNREACHABLE as error:
            logger.warning("Redis cache unreachable, serving without it: %s", error)
            self._unreachable_until = time.monotonic() + RETRY_SECONDS
            return fallback

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(super().add, False, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._soft(super().get, default, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._soft(super().set, None, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(super().touch, False, key, timeout, version)

    def delete(self, key, version=None):
        return self._soft(super().delete, False, key, version)

    def get_many(self, keys, version=None):
        return self._soft(super().get_many, {}, keys, version)

    def has_key(self, key, version=None):
        return self._soft(super().has_key, False, key, version)

    def incr(self, key, delta=1, version=None):
        value = self._soft(super().incr, None, key, delta, version)
        if value is None:
            # Unreachable reads as a miss, and incr of a missing key raises (Django's contract).
            raise ValueError(f"Key '{key}' not found.")
        return value

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._soft(super().set_many, list(data), data, timeout, version)

    def delete_many(self, keys, version=None):
        self._soft(super().delete_many, None, keys, version)

    def clear(self):
        return self._soft(super().clear, False)
