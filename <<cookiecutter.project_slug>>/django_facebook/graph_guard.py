"""A bulkhead and a breaker around the Graph API, per process.

Waiting on Facebook must never hold every thread of a worker: with Graph at seconds a call,
the pages that never call it (the home page, an account page, the health checks) would queue
behind the logins, and a load balancer would take the host out. So:

- the bulkhead: at most FACEBOOK_GRAPH_CONCURRENCY Graph calls at once per process; a call
  beyond them waits FACEBOOK_GRAPH_QUEUE_SECONDS at most for a slot (a healthy Graph call
  frees one in milliseconds), then fails with FacebookBusy ("Facebook is slow right now, try
  again"): an honest answer instead of a queue. At most FACEBOOK_GRAPH_QUEUE_LENGTH calls
  wait at once, and none past the moment a call in flight has taken longer than that wait:
  Facebook is slow then. A waiting thread is a thread taken from the pages too: as Facebook
  turns slow, its calls in flight still young, the waiters would otherwise take every
  thread for the whole wait, and the other pages would queue behind them;
- the breaker: after FACEBOOK_GRAPH_BREAKER_FAILURES failed calls in a row (no answer in time,
  a refused connection, a 5xx after the client's retries), calls fail at once with
  FacebookUnreachable for FACEBOOK_GRAPH_BREAKER_SECONDS, instead of each person waiting out
  the timeout; then one call is let through, and its success closes the breaker (its failure
  opens it again). Any answer of Facebook's, an error one included, is a success here: the
  Graph API is there.
"""

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from .conf import setting
from .exceptions import FacebookBusy, FacebookError, FacebookUnreachable, TransientError

logger = logging.getLogger(__name__)

# What says Facebook is not there, as opposed to an answer from it.
OUTAGE_ERRORS = (FacebookUnreachable, TransientError)


class GraphGuard:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.size: int | None = None
        self.slots: threading.BoundedSemaphore | None = None
        self.in_flight: dict[int, float] = {}  # id of the call -> its monotonic start
        self.waiting = 0
        self.failures = 0
        self.open_since: float | None = None  # monotonic time the breaker opened, None while closed
        self.probing = False

    def _slots(self) -> threading.BoundedSemaphore:
        size = setting("FACEBOOK_GRAPH_CONCURRENCY")
        with self.lock:
            if size != self.size or self.slots is None:
                self.size, self.slots = size, threading.BoundedSemaphore(size)
            return self.slots

    def _admit(self, what: str) -> None:
        """Raise unless the breaker lets this call through (closed, or its one probe)."""
        with self.lock:
            if self.open_since is None:
                return
            waited = time.monotonic() - self.open_since
            if waited >= setting("FACEBOOK_GRAPH_BREAKER_SECONDS") and not self.probing:
                self.probing = True
                return
        raise FacebookUnreachable(f"{what}: not called, Facebook failed repeatedly just now")

    @contextmanager
    def call(self, what: str) -> Iterator[None]:
        """Around one Graph request named `what` ("GET me")."""
        self._admit(what)
        slots = self._slots()
        if not (slots.acquire(blocking=False) or self._wait_for_a_slot(slots)):
            with self.lock:
                self.probing = False
            logger.warning("Graph API %s: every slot busy, refused", what)
            raise FacebookBusy(f"{what}: every Graph API slot of this process is busy")
        call = object()
        with self.lock:
            self.in_flight[id(call)] = time.monotonic()
        try:
            yield
        except OUTAGE_ERRORS:
            self._failed(what)
            raise
        except FacebookError:
            self._answered()
            raise
        else:
            self._answered()
        finally:
            with self.lock:
                self.in_flight.pop(id(call), None)
            slots.release()

    def _wait_for_a_slot(self, slots: threading.BoundedSemaphore) -> bool:
        """Wait for a slot, unless enough calls wait already; and never past the moment the
        oldest call in flight has taken longer than the wait: Facebook is slow then."""
        wait = setting("FACEBOOK_GRAPH_QUEUE_SECONDS")
        with self.lock:
            if self.waiting >= setting("FACEBOOK_GRAPH_QUEUE_LENGTH"):
                return False
            oldest = min(self.in_flight.values(), default=time.monotonic())
            timeout = min(wait, oldest + wait - time.monotonic())
            if timeout <= 0:
                return False
            self.waiting += 1
        try:
            return slots.acquire(timeout=timeout)
        finally:
            with self.lock:
                self.waiting -= 1

    def _failed(self, what: str) -> None:
        with self.lock:
            self.failures += 1
            reopen = self.probing
            self.probing = False
            opening = self.open_since is None and (
                self.failures >= setting("FACEBOOK_GRAPH_BREAKER_FAILURES")
            )
            if opening or reopen:
                self.open_since = time.monotonic()
        if opening:
            logger.error(
                "Graph API: %s failures in a row (last: %s); not calling Facebook for %s s",
                self.failures,
                what,
                setting("FACEBOOK_GRAPH_BREAKER_SECONDS"),
            )

    def _answered(self) -> None:
        with self.lock:
            closing = self.open_since is not None
            self.failures, self.open_since, self.probing = 0, None, False
        if closing:
            logger.warning("Graph API answers again; calling Facebook again")


guard = GraphGuard()


def forget_outages() -> None:
    """Forget every failure and busy slot, as a new process starts: for the tests."""
    global guard
    guard = GraphGuard()
