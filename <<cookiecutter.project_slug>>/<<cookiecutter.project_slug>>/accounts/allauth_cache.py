"""django-allauth's rate limits and used-TOTP-code markers, kept up when Redis is not.

allauth keeps both in Django's default cache (Redis in production, shared by every worker)
and lets its errors through: with Redis out of reach, every login, sign-up and code check
would fail. Here they go to a cache that writes through to Redis and to this process's
memory, and reads from Redis while it answers (django_facebook/shared_cache.py's breaker and
log): so during an outage each process still counts and remembers what it saw, and once Redis
is back nothing the process saw meanwhile is forgotten (a code used during the outage stays
used here; a count takes the longer of the two histories). What one process saw during the
outage the others do not: the limits and the replay check hold per process until then.
"""

from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.exceptions import ImproperlyConfigured

from django_facebook import shared_cache


class WriteThroughCache:
    """The cache operations allauth uses (get, set, add, delete), on Redis and memory both."""

    def __init__(self) -> None:
        # allauth's own: the flood of a guesser's keys evicts no one else's.
        self.local = LocMemCache("allauth-fallback", {"OPTIONS": {"MAX_ENTRIES": 50_000}})

    def get(self, key: str, default: Any = None) -> Any:
        here = self.local.get(key, default)
        answered, shared = shared_cache.attempt("get", key, default)
        if not answered:
            return here
        # A rate limit's history of attempts: what this process saw during an outage too.
        if isinstance(here, list) and isinstance(shared, list) and len(here) > len(shared):
            return here
        return shared

    def set(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT) -> None:
        self.local.set(key, value, timeout)
        shared_cache.attempt("set", key, value, timeout)

    def add(self, key: str, value: Any, timeout: Any = DEFAULT_TIMEOUT) -> bool:
        """New only if new to both: a used code, or a lock, seen by either is not."""
        new_here = self.local.add(key, value, timeout)
        answered, new_there = shared_cache.attempt("add", key, value, timeout)
        return new_here and (new_there if answered else True)

    def delete(self, key: str) -> None:
        self.local.delete(key)
        shared_cache.attempt("delete", key)


def keep_allauth_up_without_redis() -> None:
    """Give allauth's rate limits and TOTP markers the cache above. allauth reads the cache
    from a module attribute of each; a release that moves it fails here, at start-up, rather
    than in an outage (and so does one without the adapter method the site overrides)."""
    from allauth.account.adapter import DefaultAccountAdapter
    from allauth.core.internal import ratelimit
    from allauth.mfa.totp.internal import auth as totp

    if not hasattr(DefaultAccountAdapter, "_get_login_attempts_cache_key"):
        raise ImproperlyConfigured("allauth's adapter lost _get_login_attempts_cache_key")
    cache = WriteThroughCache()
    for module in (ratelimit, totp):
        if not hasattr(module, "cache"):
            raise ImproperlyConfigured(f"{module.__name__} keeps no `cache` any more")
        module.cache = cache
