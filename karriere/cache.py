"""Django's Redis cache backend, keeping one ``redis.Redis`` per connection pool.

Django builds a new ``redis.Redis`` for every cache call; with redis-py 8 that costs about as
much as the round trip to a local Redis, on every page served from the page cache (a fifth of
a cached page's time in the benchmark's profile). A ``redis.Redis`` is only a thread-safe handle
on its connection pool, so one per pool is enough.
"""

from __future__ import annotations

from django.core.cache.backends import redis as django_redis


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
