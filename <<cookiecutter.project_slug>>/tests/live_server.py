"""Keep the live server's work inside the test that caused it.

pytest-django's live server answers each connection in a thread of its own, and those
threads are daemons nobody waits for. Two kinds outlived their test and printed a thread
traceback after a green run:

- a request still being served when its test ended: the stand-in's "timeout" fault answers
  after the site's client gave up, then touches the database once pytest-django has blocked
  it again ("Database access not allowed");
- a keep-alive connection left open by a client (the site's pooled Graph session, a test's
  requests session): when the client finally closes it, at the end of the run, the thread
  closes its database connections after the live server stopped sharing SQLite's in-memory
  database with it ("DatabaseWrapper objects created in a thread can only be used in that
  same thread").

`RequestTracker` wraps the live server's WSGI application to count the requests in flight
and remember the threads that served them. The fixtures in conftest.py wait for the requests
at the end of every test that uses the live server, and close every client connection and
wait for the threads before the live server stops.
"""

import gc
import threading
import time
import weakref

import requests

# How long a test's requests may still run after it: the longest is a "timeout" fault, a
# second past the site's read timeout.
REQUESTS_GRACE_SECONDS = 30
# How long a connection thread may take to notice its client closed the connection.
THREADS_GRACE_SECONDS = 10


class RequestTracker:
    """WSGI middleware: how many requests are in flight, and which threads served any."""

    def __init__(self, app):
        self.app = app
        self.in_flight = 0
        self.threads = weakref.WeakSet()
        self._idle = threading.Condition()

    def __call__(self, environ, start_response):
        with self._idle:
            self.in_flight += 1
            self.threads.add(threading.current_thread())
        try:
            result = self.app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return _ClosingResult(result, self._done)

    def _done(self):
        with self._idle:
            self.in_flight -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout=REQUESTS_GRACE_SECONDS):
        """Block until no request is in flight; False if some still are after `timeout`."""
        with self._idle:
            return self._idle.wait_for(lambda: self.in_flight == 0, timeout=timeout)

    def wait_threads(self, timeout=THREADS_GRACE_SECONDS):
        """Join the threads that served requests; the ones still alive after `timeout`."""
        deadline = time.monotonic() + timeout
        for thread in list(self.threads):
            thread.join(max(0.0, deadline - time.monotonic()))
        return [thread for thread in self.threads if thread.is_alive()]


class _ClosingResult:
    """The application's response, iterated by the server, then counted done on close().

    Django sends request_finished (and closes old database connections) in the response's
    close(), so the request is over only after it.
    """

    def __init__(self, result, done):
        self.result = result
        self.done = done

    def __iter__(self):
        return iter(self.result)

    def close(self):
        try:
            close = getattr(self.result, "close", None)
            if close is not None:
                close()
        finally:
            self.done()


def track_requests(live_server):
    """Put a RequestTracker in front of the live server's application and return it."""
    httpd = live_server.thread.httpd
    tracker = RequestTracker(httpd.get_app())
    httpd.set_app(tracker)
    return tracker


def close_client_connections():
    """Close every requests session this process still holds (the site's pooled Graph
    session among them), so the server's keep-alive threads see their connections end."""
    gc.collect()  # sessions no test holds any more close their sockets as they are freed
    for candidate in gc.get_objects():
        # type(), not isinstance(): isinstance would evaluate Django's lazy objects.
        if issubclass(type(candidate), requests.Session):
            candidate.close()
