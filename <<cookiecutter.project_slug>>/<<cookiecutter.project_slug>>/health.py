"""Health endpoints for load balancers and orchestrators: GET /healthz and GET /readyz.

- /healthz (liveness): the process answers. It touches nothing, so a database outage never
  makes an orchestrator kill healthy processes.
- /readyz (readiness): this host can serve: its URLconf and views load. 503 otherwise, so the
  load balancer sends people to another app host. The database and the cache are probed too,
  within READINESS_TIMEOUT seconds, and a failure is logged, but it does not make the host
  unready: every host shares them, so a probe that failed on them would take every host out
  at once and turn what still works (pages without the database, logins without Redis) into a
  load balancer's bare error page. The site answers for them itself: its own "temporarily
  unavailable" page while the database is out of reach (unavailable.py), the database alone
  while Redis is (sessions/).

A middleware, first in MIDDLEWARE, answers them before anything else runs: a load balancer
probes over plain HTTP (no HTTPS redirect) with whatever Host header it likes (often the app
host's address, which ALLOWED_HOSTS rightly refuses), and needs no session, CSRF or
Content-Security-Policy. Only these two exact paths are answered this way; every other
request goes through the whole stack, Host check included. The answers say only "ok" or
"unavailable" and are never cached; what failed goes to the log.

Each component's probe runs in a thread of its own, so that a database or Redis that accepts a
connection and then never answers cannot hold the request past the timeout. While a probe is
in flight (or stuck), later readiness requests wait for it instead of starting another: a hung
dependency costs at most one thread per component and process.
"""

import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django.db import close_old_connections, connections
from django.http import HttpResponse, HttpResponseNotAllowed
from django.urls import get_resolver
from django.utils.cache import add_never_cache_headers

logger = logging.getLogger(__name__)

LIVENESS_PATH = "/healthz"
READINESS_PATH = "/readyz"


def probe_database():
    # Connections are opened and closed as a request's are, so CONN_MAX_AGE is honoured.
    close_old_connections()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
    finally:
        close_old_connections()


def probe_cache():
    caches["default"].get("readyz-probe")


def check_site():
    """What this host needs of itself to serve: the URLconf and the views it imports."""
    if not get_resolver().url_patterns:
        raise LookupError("the URLconf has no URL")


class ProbeRun:
    """One run of a component's check, in a daemon thread of its own."""

    def __init__(self, name, check):
        self.check = check
        self.result = None
        self.thread = threading.Thread(target=self.run, name=f"readyz-{name}", daemon=True)
        self.thread.start()

    def run(self):
        try:
            self.check()
        except Exception as error:
            self.result = type(error).__name__
        else:
            self.result = "ok"

    def wait(self, deadline):
        self.thread.join(max(0.0, deadline - time.monotonic()))
        return "timeout" if self.thread.is_alive() else self.result


class Probe:
    """A component's check; readiness requests that come while a run is in flight (or
    stuck) wait for that run instead of starting another."""

    def __init__(self, name, check):
        self.name = name
        self.check = check
        self.lock = threading.Lock()
        self.current = None

    def run(self):
        with self.lock:
            if self.current is None or not self.current.thread.is_alive():
                self.current = ProbeRun(self.name, self.check)
            return self.current


# The host's own checks, which decide readiness; the shared dependencies, which are reported.
LOCAL_PROBES = [Probe("site", check_site)]
PROBES = [Probe("database", probe_database), Probe("cache", probe_cache)]


def readiness():
    """({local check: result}, {dependency: result}), each result "ok" or what went wrong,
    every probe run at once within one deadline."""
    deadline = time.monotonic() + settings.READINESS_TIMEOUT
    local = {probe.name: probe.run() for probe in LOCAL_PROBES}
    shared = {probe.name: probe.run() for probe in PROBES}
    return (
        {name: run.wait(deadline) for name, run in local.items()},
        {name: run.wait(deadline) for name, run in shared.items()},
    )


def failures(results):
    return ", ".join(f"{name}={result}" for name, result in results.items() if result != "ok")


def answer(status, text):
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info not in (LIVENESS_PATH, READINESS_PATH):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            return HttpResponseNotAllowed(["GET", "HEAD"])
        if request.path_info == LIVENESS_PATH:
            return answer(200, "ok\n")
        local, shared = readiness()
        if failures(shared):
            logger.warning("Ready, but a shared dependency is unavailable: %s", failures(shared))
        if failures(local):
            logger.warning("Not ready: %s", failures(local))
            return answer(503, "unavailable\n")
        return answer(200, "ok\n")
