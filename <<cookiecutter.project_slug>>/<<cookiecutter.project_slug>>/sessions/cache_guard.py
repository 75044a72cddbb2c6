"""The session cache behind a breaker: a cache that fails is left alone for a few seconds.

When Redis is out of reach, every call to it costs at least a refused connection, and up to
the socket timeout when it hangs; a request that waits on it for each of its session
operations is a slow request for every person at once. So, per process, the first failure
opens the breaker: for SESSION_CACHE_RETRY_SECONDS the session stores do not call the cache at
all and use the database alone; then one call tries again, and its success closes the breaker.

While the cache is skipped, the copies it holds of the sessions saved meanwhile are stale.
Their keys are kept, and removed from the cache by the first call that succeeds, before any
other, so that a session changed during the outage (a login's state, say) is read again from
the database, not from its older copy.

Monitoring hears of an outage once per process: the opening of the breaker is an ERROR with
its exception, its closing a WARNING, and nothing in between.
"""

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger("django.contrib.sessions")

# Stale keys kept for removal at most; beyond that the rest expire with their sessions, and a
# warning says so.
MAX_STALE_KEYS = 10_000


class CacheGuard:
    """One cache's breaker and its stale keys; one per cache alias and process (Django's
    cache objects are per thread, the outage is not)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failed_at = None  # monotonic time of the last failure; None while it answers
        self.stale = set()

    def call(self, cache, operation, *args, stale_keys=()):
        """(True, result) of the cache operation, or (False, None) when the cache failed or is
        being left alone; `stale_keys` are the keys whose copies the operation would have
        brought up to date, to remove once the cache answers again."""
        with self.lock:
            skipping = (
                self.failed_at is not None
                and time.monotonic() - self.failed_at < settings.SESSION_CACHE_RETRY_SECONDS
            )
            if skipping:
                self._remember(stale_keys)
                return False, None
            stale = list(self.stale)
        try:
            if stale:
                cache.delete_many(stale)
            result = getattr(cache, operation)(*args)
        except Exception:  # out of reach, timed out, refusing: the database serves alone
            self._failed(operation, stale_keys)
            return False, None
        self._answered(stale)
        return True, result

    def _remember(self, keys):
        if len(self.stale) + len(keys) > MAX_STALE_KEYS:
            logger.warning("Too many stale session copies to track; the rest expire by themselves")
            return
        self.stale.update(keys)

    def _failed(self, operation, stale_keys):
        with self.lock:
            first = self.failed_at is None
            self.failed_at = time.monotonic()
            self._remember(stale_keys)
        if first:
            logger.error(
                "Session cache unavailable (%s); sessions use the database alone, "
                "trying the cache again every %s s",
                operation,
                settings.SESSION_CACHE_RETRY_SECONDS,
                exc_info=True,
            )

    def _answered(self, removed):
        with self.lock:
            recovered = self.failed_at is not None
            self.failed_at = None
            self.stale.difference_update(removed)
        if recovered:
            logger.warning("Session cache answers again")


_guards: dict[str, CacheGuard] = {}
_guards_lock = threading.Lock()


def guard_for(alias):
    """The process's guard of the cache of this alias."""
    with _guards_lock:
        return _guards.setdefault(alias, CacheGuard())


def forget_outages():
    """Forget every guard's state, as a new process starts: for the tests."""
    with _guards_lock:
        _guards.clear()
