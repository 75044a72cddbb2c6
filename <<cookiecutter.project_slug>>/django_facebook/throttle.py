"""Fixed-window request counters in Django's cache, for the app endpoints.

A client guessing tokens or draining nonces is slowed per client address, and one Facebook
id logging in again and again is slowed per id (FACEBOOK_APP_THROTTLE). The counters live
in the cache: with Redis (production) every worker counts into the same key, and `incr` is
atomic there and in LocMemCache; with a per-process cache each worker would count alone, as
each does while Redis is out of reach (shared_cache.py: the limits then hold per process).
"""

import hashlib
import time

from . import shared_cache
from .conf import setting


def allow(scope, identity):
    """Count one request of `identity` in `scope`; False when over FACEBOOK_APP_THROTTLE.

    `scope` is "client" or "facebook_id"; the identity is hashed into the key, so no
    address or id is readable in the cache.
    """
    limit, window = setting("FACEBOOK_APP_THROTTLE")[scope]
    digest = hashlib.sha256(str(identity).encode()).hexdigest()[:32]
    key = f"django_facebook:throttle:{scope}:{digest}:{int(time.time() // window)}"
    if shared_cache.call("add", key, 1, timeout=window):
        return limit >= 1
    try:
        return shared_cache.call("incr", key) <= limit
    except ValueError:  # the window's key expired between add and incr
        shared_cache.call("add", key, 1, timeout=window)
        return limit >= 1


def retry_after(scope):
    """Seconds a refused client should wait: the rest of the current window."""
    window = setting("FACEBOOK_APP_THROTTLE")[scope][1]
    return int(window - time.time() % window) + 1
