"""The site's Redis cache backend (redis_cache.py): Django's, with its client objects reused."""

import os

import pytest
from django.core.cache import caches

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="the Redis cache needs Redis (REDIS_URL)"
    ),
    pytest.mark.system_independent,
    pytest.mark.database,
]


def test_one_client_object_serves_every_operation():
    client = caches["default"]._cache
    assert client.get_client("a", write=True) is client.get_client("b")
    cache = caches["default"]
    cache.set("redis-cache-test", {"n": 1}, 30)
    assert cache.get("redis-cache-test") == {"n": 1}
    assert cache.delete("redis-cache-test")
