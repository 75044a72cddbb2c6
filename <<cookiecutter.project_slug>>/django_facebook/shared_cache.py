"""Django's cache when it answers, this process's memory when it does not.

The app endpoints' throttles and Facebook's Limited Login keys live in the shared cache (Redis
in production), so that every worker counts and fetches as one. When Redis is out of reach,
failing would turn its outage into one of the app logins; so each process falls back to a
memory cache of its own, and the counters and the keys degrade to what one process knows: a
throttle then holds per process (a client gets at most the limit once per process, still a
limit), and each process fetches the keys once for itself.

A Redis that hangs costs each call its socket timeout, so after a failure the process leaves
the cache alone for FACEBOOK_CACHE_RETRY_SECONDS, then tries it again (as the session stores
do). The fallback is logged once a minute per process.
"""

import logging
import threading
import time
from typing import Any

from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from .conf import setting

logger = logging.getLogger(__name__)

LOCAL = LocMemCache("django_facebook-fallback", {"OPTIONS": {"MAX_ENTRIES": 10_000}})
LOG_INTERVAL = 60
_lock = threading.Lock()
_last_logged: float | None = None  # monotonic time of the last fallback logged
_failed_at: float | None = None  # monotonic time of the last failure; None while the cache answers


def call(operation: str, *args: Any, **kwargs: Any) -> Any:
    """cache.<operation>(...), or the same on this process's memory if the cache fails or
    failed less than FACEBOOK_CACHE_RETRY_SECONDS ago.

    ValueError is an answer (incr of a missing key), not a failure, and is passed on.
    """
    answered, result = attempt(operation, *args, **kwargs)
    return result if answered else getattr(LOCAL, operation)(*args, **kwargs)


def attempt(operation: str, *args: Any, **kwargs: Any) -> tuple[bool, Any]:
    """(True, cache.<operation>(...)), or (False, None) when the cache fails or failed less
    than FACEBOOK_CACHE_RETRY_SECONDS ago: for a caller with a fallback of its own."""
    global _failed_at
    if _failed_at is not None and time.monotonic() - _failed_at < setting(
        "FACEBOOK_CACHE_RETRY_SECONDS"
    ):
        return False, None
    try:
        result = getattr(cache, operation)(*args, **kwargs)
    except ValueError:
        _failed_at = None
        raise
    except Exception:  # out of reach, timed out, refusing
        _failed_at = time.monotonic()
        _log_fallback(operation)
        return False, None
    _failed_at = None
    return True, result


def forget_outages() -> None:
    """Forget the last failure, as a new process starts: for the tests."""
    global _failed_at, _last_logged
    _failed_at = _last_logged = None


def _log_fallback(operation: str) -> None:
    global _last_logged
    now = time.monotonic()
    with _lock:
        if _last_logged is not None and now - _last_logged < LOG_INTERVAL:
            return
        _last_logged = now
    logger.warning(
        "Cache unavailable (%s); this process counts and keeps keys alone", operation, exc_info=True
    )
