"""Health endpoints for load balancers and orchestrators: GET /healthz and GET /readyz.

- /healthz (liveness): the process answers. It touches nothing, so a database outage never
  makes an orchestrator kill healthy processes.
- /readyz (readiness): the database and the cache each answer within READINESS_TIMEOUT
  seconds; 503 otherwise, so the load balancer sends people to another app host.

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


PROBES = [Probe("database", probe_database), Probe("cache", probe_cache)]


def readiness():
    """{component: "ok" or what went wrong}, every probe run at once within one deadline."""
    deadline = time.monotonic() + settings.READINESS_TIMEOUT
    runs = {probe.name: probe.run() for probe in PROBES}
    return {name: run.wait(deadline) for name, run in runs.items()}


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
        results = readiness()
        failed = {name: result for name, result in results.items() if result != "ok"}
        if failed:
            logger.warning("Not ready: %s", ", ".join(f"{k}={v}" for k, v in failed.items()))
            return answer(503, "unavailable\n")
        return answer(200, "ok\n")
