"""Django's Redis cache backend, with one Redis client object per server instead of one per call.

Django's RedisCacheClient keeps a connection pool per server but builds a new `redis.Redis`
object around it on every cache operation, and building one is most of the CPU time a
`get` or `set` costs in Python (redis-py sets up its callbacks and retry policy each time).
A Redis client is safe to share between threads (each command takes a connection from the
pool), so one per server is kept here. Everything else is Django's backend unchanged; the
settings name this class instead of django.core.cache.backends.redis.RedisCache.
"""

from django.core.cache.backends import redis


class RedisCacheClient(redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            # Pools live as long as this object, so their ids are never reused meanwhile.
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class RedisCache(redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
