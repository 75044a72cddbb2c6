"""A request id for every request: in the X-Request-ID response header and every log line.

A person who reports a failure can give the id their browser received, and the operator finds
every line that request wrote, on whichever app host served it. An id set by the load
balancer or proxy in front (X-Request-ID) is kept, so that its lines and the site's match;
an id that is not a short string of safe characters is replaced by a fresh one, so that no
caller can write what they like into the logs.
"""

import contextvars
import re
import uuid

# The request being served in this thread (or task), set by RequestIdMiddleware: for the log
# lines (config/logs.py) and for code that a library calls without the request.
current_request = contextvars.ContextVar("current_request", default=None)

HEADER = "X-Request-ID"
SAFE_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")


def request_id_of(request):
    """The incoming id if it is safe, else a new random one."""
    incoming = request.headers.get(HEADER, "")
    if SAFE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Give the request its id, expose it to logging while the request is served, and send
    it back in the response. First in MIDDLEWARE, so that every other line carries it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_of(request)
        token = current_request.set(request)
        try:
            response = self.get_response(request)
        finally:
            current_request.reset(token)
        response[HEADER] = request.request_id
        return response
