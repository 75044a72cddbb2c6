"""Fixed-window request counters in Django's cache: the app endpoints' throttles, and the
counters the site's password limits are built on.

A client guessing tokens or draining nonces is slowed per client address, and one Facebook
id logging in again and again is slowed per id (FACEBOOK_APP_THROTTLE). The counters live
in the cache: with Redis (production) every worker counts into the same key, and `incr` is
atomic there and in LocMemCache; with a per-process cache each worker would count alone, as
each does while Redis is out of reach (shared_cache.py: the limits then hold per process).
Identities are hashed into the keys, so no address, id or email is readable in the cache.
"""

import hashlib
import math
import time
from collections.abc import Collection, Iterable

from . import shared_cache
from .conf import setting


def _key(scope: str, identity: str, window: int) -> str:
    digest = hashlib.sha256(str(identity).encode()).hexdigest()[:32]
    return f"django_facebook:throttle:{scope}:{window}:{digest}:{int(time.time() // window)}"


def hit(scope: str, identity: str, window: int) -> int:
    """Count one event of `identity` in `scope` for the current `window` seconds; the count."""
    key = _key(scope, identity, window)
    if shared_cache.call("add", key, 1, timeout=window):
        return 1
    try:
        return shared_cache.call("incr", key)
    except ValueError:  # the window's key expired between add and incr
        shared_cache.call("add", key, 1, timeout=window)
        return 1


def counts(entries: Iterable[tuple[str, str, int]]) -> list[int]:
    """The events counted so far in the current window of each (scope, identity, window),
    in one call to the cache."""
    keys = [_key(*entry) for entry in entries]
    found = shared_cache.call("get_many", keys)
    return [found.get(key, 0) for key in keys]


def forget(scope: str, identities: Iterable[str], windows: Collection[int]) -> None:
    """Start the current windows of these identities in `scope` again from zero, in one
    call to the cache."""
    keys = [_key(scope, identity, window) for identity in identities for window in windows]
    shared_cache.call("delete_many", keys)


def seconds_left(window: int) -> int:
    """Seconds until the current `window` ends: what a refused client should wait."""
    return max(1, math.ceil(window - time.time() % window))


def allow(scope: str, identity: str) -> bool:
    """Count one request of `identity` in `scope`; False when over FACEBOOK_APP_THROTTLE.

    `scope` is "client" or "facebook_id".
    """
    limit, window = setting("FACEBOOK_APP_THROTTLE")[scope]
    return hit(scope, identity, window) <= limit


def retry_after(scope: str) -> int:
    """Seconds a refused client should wait: the rest of the current window."""
    return seconds_left(setting("FACEBOOK_APP_THROTTLE")[scope][1])
