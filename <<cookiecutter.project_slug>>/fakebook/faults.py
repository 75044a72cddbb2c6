"""Injected failures: make the stand-in fail the way Facebook sometimes does.

The site's tests (and a person, from the dialog page's "Simulate a failure" form) ask for a
fault; the next matching Graph API request(s) get it instead of the normal answer:

    from fakebook import faults
    faults.inject("token", "500")              # the next code exchange answers HTTP 500
    faults.inject("*", "timeout", times=None)  # every Graph call is slow until cleared
    faults.clear()

Faults live in the cache (key `fakebook:<site>:faults`, see store.py), so one injected by a
test reaches the live server thread or another process sharing the cache. Taking a fault is
serialised by a short cache lock (`cache.add`), so `times` counts right when requests race.
"""

import socket
import time
from contextlib import contextmanager, suppress

from django.core.cache import cache
from django.http import HttpResponse

from django_facebook.conf import setting

from . import errors, store

# The Graph endpoints a fault can target; "*" matches every one of them.
ENDPOINTS = (
    "token",
    "long_lived_token",
    "me",
    "debug_token",
    "picture",
    "permissions",
    "friends",
    "app",
    "jwks",
)

KINDS = {
    "timeout": "answer only after the site's read timeout (FACEBOOK_GRAPH_TIMEOUT) has passed",
    "connection": "drop the connection without answering",
    "500": "HTTP 500, Facebook's transient 'unknown error' (code 1)",
    "503": "HTTP 503 with an HTML page, not JSON",
    "rate_limit": "(#4) Application request limit reached",
    "rate_limit_17": "(#17) User request limit reached",
    "rate_limit_32": "(#32) Page request limit reached",
    "rate_limit_613": "(#613) Calls to this api have exceeded the rate limit",
    "bad_json": "HTTP 200 with truncated JSON",
    "not_json": "HTTP 200 with an HTML page",
    "revoked": "token invalidated: the user changed their password (190/460)",
    "expired": "token expired (190/463)",
    "permission": "(#200) a permission the call needs was not granted or was removed",
    "code_used": "the authorization code was used already (100/36009)",
    "missing_id": "/me answers without the id field",
    "bad_id": "/me answers with a numeric id instead of a string",
}

# How much later than the site's read timeout a "timeout" fault answers: enough for the
# site's client to have given up, even on a busy machine.
TIMEOUT_MARGIN_SECONDS = 1.0

# Kinds that only make sense on some endpoints are never taken by the others.
_ONLY_ON = {
    "missing_id": {"me"},
    "bad_id": {"me"},
    "code_used": {"token"},
    "revoked": {"me", "debug_token", "picture", "permissions", "friends", "long_lived_token"},
    "expired": {"me", "debug_token", "picture", "permissions", "friends", "long_lived_token"},
    "permission": {"friends"},
}

_RATE_LIMITS = {
    "rate_limit": (4, "(#4) Application request limit reached"),
    "rate_limit_17": (17, "(#17) User request limit reached"),
    "rate_limit_32": (32, "(#32) Page request limit reached"),
    "rate_limit_613": (613, "(#613) Calls to this api have exceeded the rate limit."),
}


def _key():
    return store.cache_key("faults")


def _lock_key():
    return store.cache_key("faults", "lock")


# "Until cleared" faults are forgotten after a day, so a forgotten one cannot linger forever
# in a shared Redis.
_MEMORY = 24 * 3600


def inject(endpoint, kind, times=1):
    """Make the next `times` requests to `endpoint` fail with `kind` (None: until cleared)."""
    if endpoint != "*" and endpoint not in ENDPOINTS:
        raise ValueError(f"unknown endpoint {endpoint!r}; one of {(*ENDPOINTS, '*')}")
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; one of {tuple(KINDS)}")
    if times is not None and (not isinstance(times, int) or times < 1):
        raise ValueError("times must be a positive int, or None for 'until cleared'")
    with _locked():
        pending_faults = cache.get(_key()) or []
        pending_faults.append({"endpoint": endpoint, "kind": kind, "times": times})
        cache.set(_key(), pending_faults, timeout=_MEMORY)


def clear():
    """Forget every pending fault."""
    cache.delete(_key())


def pending():
    """The faults still waiting, oldest first: dicts with endpoint, kind and times."""
    return list(cache.get(_key()) or [])


def take(endpoint):
    """The kind of the first pending fault for this endpoint, used up once; or None."""
    if not cache.get(_key()):
        return None
    with _locked():
        pending_faults = cache.get(_key()) or []
        for index, fault in enumerate(pending_faults):
            if fault["endpoint"] not in (endpoint, "*"):
                continue
            if endpoint not in _ONLY_ON.get(fault["kind"], {endpoint}):
                continue
            if fault["times"] is not None:
                fault["times"] -= 1
                if fault["times"] <= 0:
                    del pending_faults[index]
            if pending_faults:
                cache.set(_key(), pending_faults, timeout=_MEMORY)
            else:
                cache.delete(_key())
            return fault["kind"]
    return None


@contextmanager
def _locked():
    deadline = time.monotonic() + 2.0
    acquired = cache.add(_lock_key(), 1, timeout=5)
    while not acquired and time.monotonic() < deadline:
        time.sleep(0.005)
        acquired = cache.add(_lock_key(), 1, timeout=5)
    try:
        yield
    finally:
        if acquired:
            cache.delete(_lock_key())


def respond(kind, request):
    """The answer a fault gives instead of the normal one.

    None when the view must answer itself: after a "timeout" (late, but normal), and for
    the /me faults ("missing_id", "bad_id") that alter a normal answer.
    """
    if kind == "timeout":
        time.sleep(timeout_delay())
        return None
    if kind in ("missing_id", "bad_id"):
        return None
    if kind == "connection":
        return drop_connection(request)
    if kind == "500":
        return errors.graph_error(
            "An unknown error has occurred.", 1, status=500, is_transient=True
        )
    if kind == "503":
        return _html(_SERVICE_UNAVAILABLE, status=503)
    if kind in _RATE_LIMITS:
        code, message = _RATE_LIMITS[kind]
        response = errors.graph_error(message, code, status=403, is_transient=True)
        response["X-App-Usage"] = '{"call_count":100,"total_cputime":4,"total_time":7}'
        return response
    if kind == "bad_json":
        response = HttpResponse('{"access_token": ', content_type="application/json")
        response["x-fb-trace-id"] = errors.new_trace_id()
        return response
    if kind == "not_json":
        return _html(_ERROR_PAGE, status=200)
    if kind == "revoked":
        return errors.password_changed_token()
    if kind == "expired":
        return errors.expired_token(
            "Thursday, 01-Jan-26 00:00:00 PST", time.strftime("%A, %d-%b-%y %H:%M:%S UTC")
        )
    if kind == "permission":
        return errors.missing_permission("user_friends")
    if kind == "code_used":
        return errors.code_used()
    raise ValueError(f"unknown fault kind {kind!r}")


def timeout_delay():
    """Seconds a "timeout" fault waits before answering: past the site's own read timeout.

    Read from FACEBOOK_GRAPH_TIMEOUT (connect, read) at the time of the request, so the fault
    does what its label says whatever the site waits: the site's Graph client gives up and
    shows its timeout message. The late answer is then the normal one, as from a slow
    Facebook (a late code exchange still uses the code).
    """
    read_timeout = setting("FACEBOOK_GRAPH_TIMEOUT")[-1]
    return float(read_timeout) + TIMEOUT_MARGIN_SECONDS


def drop_connection(request):
    """Close the client's connection without an answer, where the server lets us.

    A Django view cannot abort its connection through WSGI: whatever it returns is sent as
    an HTTP answer, and a body cut short by an exception either looks complete (the dev
    server delimits it by closing) or hangs a keep-alive connection. So the socket
    is shut down directly when the server exposes it: gunicorn puts it in the environ
    (`gunicorn.socket`); Django's runserver and the test live server reach it through the
    request body stream (wsgi.input -> buffered reader -> socket). The client then sees
    the connection closed before any status line (requests: ConnectionError), as when
    Facebook's edge drops it.

    Where no socket can be reached (Django's test client, other servers) the honest
    fallback is what a proxy in front of a dead upstream says: HTTP 502 with an HTML body.
    That answer is also what is returned (and lost) after a successful shutdown.
    """
    sock = _client_socket(request.META)
    if sock is not None:
        with suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    return _html(_BAD_GATEWAY, status=502)


def _client_socket(environ):
    sock = environ.get("gunicorn.socket")
    if isinstance(sock, socket.socket):
        return sock
    # Django's dev server: wsgi.input is a LimitedStream over the socket's buffered reader.
    reader = getattr(getattr(environ.get("wsgi.input"), "_read", None), "__self__", None)
    sock = getattr(getattr(reader, "raw", None), "_sock", None)
    return sock if isinstance(sock, socket.socket) else None


def _html(body, *, status):
    response = HttpResponse(body, status=status, content_type="text/html; charset=utf-8")
    response["x-fb-trace-id"] = errors.new_trace_id()
    return response


_SERVICE_UNAVAILABLE = (
    "<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
    "<body><h1>Service Unavailable</h1><p>Sorry, something went wrong. "
    "We're working on getting this fixed as soon as we can.</p>"
    "<p>(fakebook: injected 503)</p></body></html>"
)
_ERROR_PAGE = (
    "<!DOCTYPE html><html><head><title>Facebook</title></head>"
    "<body><h1>Sorry, something went wrong.</h1>"
    "<p>(fakebook: injected HTML answer where JSON was expected)</p></body></html>"
)
_BAD_GATEWAY = (
    "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    "<body><h1>502 Bad Gateway</h1>"
    "<p>(fakebook: injected connection failure; this server could not drop the "
    "connection itself)</p></body></html>"
)
