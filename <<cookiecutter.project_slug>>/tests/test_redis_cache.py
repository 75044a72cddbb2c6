"""The site's Redis cache backend (redis_cache.py): Django's, with its client objects reused; and
the test sessions' own keys there, deleted when each session ends (conftest.py)."""

import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.cache import caches

from .conftest import BASE_DIR, delete_cache_keys

pytestmark = [
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL"), reason="the Redis cache needs Redis (REDIS_URL)"
    ),
    pytest.mark.system_independent,
    pytest.mark.database,
]


def redis():
    return caches["default"]._cache.get_client(write=True)


def test_one_client_object_serves_every_operation():
    client = caches["default"]._cache
    assert client.get_client("a", write=True) is client.get_client("b")
    cache = caches["default"]
    cache.set("redis-cache-test", {"n": 1}, 30)
    assert cache.get("redis-cache-test") == {"n": 1}
    assert cache.delete("redis-cache-test")


def test_the_cache_keys_carry_the_sessions_prefix():
    """A key made through the cache is under this session's KEY_PREFIX, made of its token.
    The key stays, on purpose: the session's end deletes it (the next test counts on that)."""
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert prefix.endswith(f"-{settings.TEST_SESSION_TOKEN}")

    caches["default"].set("left-for-the-end-of-the-session", 1, 300)

    assert redis().exists(f"{prefix}:1:left-for-the-end-of-the-session")


def test_a_test_session_leaves_none_of_its_keys():
    """A test session of its own (a token of its own, SQLite so as not to touch this one's
    test database) makes a key in Redis and passes; once it has ended, no key is left under
    its prefix."""
    token = secrets.token_hex(8)
    prefix = settings.CACHES["default"]["KEY_PREFIX"].removesuffix(settings.TEST_SESSION_TOKEN)
    env = {name: value for name, value in os.environ.items() if name != "DATABASE_URL"}
    env["DJANGO_TEST_SESSION_TOKEN"] = token
    test = f"{__file__}::test_the_cache_keys_carry_the_sessions_prefix"

    result = subprocess.run(  # noqa: S603 - our own interpreter running pytest
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", test],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert list(redis().scan_iter(match=f"{prefix}{token}:*")) == []


def test_the_deletion_takes_its_prefixs_keys_and_no_other():
    prefix = f"deletion-test-{secrets.token_hex(4)}"
    ours = [f"{prefix}:1:a", f"{prefix}:2:b"]
    # Another prefix that starts like this one, one that holds it, a key of no prefix; and
    # a glob character in a prefix, taken as itself.
    others = [f"{prefix}x:1:c", f"other-{prefix}:1:d", f"{prefix}-without-prefix", f"{prefix}Z:1:e"]
    client = redis()
    for key in [*ours, f"{prefix}?:1:f", *others]:
        client.set(key, 1, ex=60)
    try:
        assert delete_cache_keys(prefix) == 2
        assert delete_cache_keys(f"{prefix}?") == 1

        assert client.exists(*ours, f"{prefix}?:1:f") == 0
        assert client.exists(*others) == len(others)
    finally:
        client.delete(*ours, f"{prefix}?:1:f", *others)
