"""How the site's log lines are written: in production one JSON object per line, on stdout.

A log collector reads such lines without a parser of its own. Each line carries the request
id (the same id goes back in the X-Request-ID response header, see
`<< cookiecutter.project_slug >>/request_id.py`) and the user id where it is already known,
so that every line of one request can be found from a person's report.

This module is imported by gunicorn's master before Django is set up: it must not import
Django's models or settings.
"""

import logging
import threading
import time

from django.db import DatabaseError, InterfaceError, OperationalError
from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from << cookiecutter.project_slug >>.request_id import current_request

# What every JSON line holds before the record's own extra fields.
JSON_FIELDS = ["asctime", "levelname", "name", "message"]
JSON_FORMATTER = {
    "()": "pythonjsonlogger.json.JsonFormatter",
    "fmt": JSON_FIELDS,
    "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
    "datefmt": "%Y-%m-%dT%H:%M:%S%z",
    # Django puts the request on the records of django.request and django.security for the
    # admins' email; its text holds the query string (a callback's code and state): never in
    # a line.
    "reserved_attrs": [*RESERVED_ATTRS, "request"],
}


class RequestContextFilter(logging.Filter):
    """Add `request_id` and `user_id` to every record logged while a request is served."""

    def filter(self, record):
        # Django logs a response's 4xx/5xx after the middleware has finished, with the request.
        request = current_request.get() or getattr(record, "request", None)
        if request is not None:
            record.request_id = getattr(request, "request_id", None)
            user_id = known_user_id(request)
            if user_id is not None:
                record.user_id = user_id
        return True


def known_user_id(request):
    """The id of the request's user if the request already knows it, as a string, else None.

    Known means the user was already looked up (or logged in), or the session was already
    read: looking either up here would cost a query on requests that never needed it. Both
    peeks are at Django's caches of what it has loaded (a LazyObject's wrapped value, the
    session's loaded dictionary).
    """
    from django.contrib.auth import SESSION_KEY
    from django.utils.functional import LazyObject, empty

    user = getattr(request, "user", None)
    if isinstance(user, LazyObject):
        # LazyObject's own slot, read so that logging never loads the user itself.
        wrapped = user._wrapped  # type: ignore[attr-defined]  # private, absent from django-stubs
        user = None if wrapped is empty else wrapped
    if user is not None and user.is_authenticated:
        return str(user.pk)
    loaded = getattr(getattr(request, "session", None), "_session_cache", None)
    if user is None and loaded and loaded.get(SESSION_KEY):
        return str(loaded[SESSION_KEY])
    return None


class AccessJsonFormatter(JsonFormatter):
    """gunicorn's access lines as JSON, with the request's parts as fields of their own.

    gunicorn passes its "atoms" as the record's arguments. The path is taken without its
    query string, and the referrer not at all: Facebook's callback carries its one-time code
    and state in the query.
    """

    ATOMS = {
        "remote_addr": "h",
        "method": "m",
        "path": "U",
        "status": "s",
        "bytes": "B",
        "duration_ms": "M",
        "user_agent": "a",
        "request_id": "{x-request-id}o",
    }

    def add_fields(self, log_data, record, message_dict):
        super().add_fields(log_data, record, message_dict)
        atoms = record.args
        if hasattr(atoms, "__getitem__") and not isinstance(atoms, tuple):
            for field, atom in self.ATOMS.items():
                value = atoms[atom]
                if value not in ("-", None, ""):
                    log_data[field] = int(value) if field in ("status", "bytes") else value


# gunicorn formats its access line as "%(m)s %(U)s %(s)s" for the message; the fields above
# carry the rest.
ACCESS_LOG_FORMAT = "%(m)s %(U)s %(s)s"


def gunicorn_logconfig():
    """gunicorn's `logconfig_dict`: its own lines and its access log, as JSON on stdout."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "json": JSON_FORMATTER,
            "access_json": {**JSON_FORMATTER, "()": f"{__name__}.AccessJsonFormatter"},
        },
        "handlers": {
            "stdout": {
                "class": "logging.StreamHandler",
                "formatter": "json",
                "stream": "ext://sys.stdout",
            },
            "access": {
                "class": "logging.StreamHandler",
                "formatter": "access_json",
                "stream": "ext://sys.stdout",
            },
        },
        "root": {"level": "INFO", "handlers": ["stdout"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stdout"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
        },
    }


# The errors that mean the database cannot be reached, as opposed to a query's own mistake.
DATABASE_OUTAGE_ERRORS = (OperationalError, InterfaceError)


def is_database_outage(error):
    return isinstance(error, DATABASE_OUTAGE_ERRORS) or (
        isinstance(error, DatabaseError) and isinstance(error.__cause__, DATABASE_OUTAGE_ERRORS)
    )


class OutageLogFilter(logging.Filter):
    """Of the records of a database outage (every request fails while it lasts), one per
    `interval` seconds passes, per process; every other record passes."""

    def __init__(self, interval=60):
        super().__init__()
        self.interval = interval
        self.lock = threading.Lock()
        self.last = None

    def filter(self, record):
        error = record.exc_info[1] if record.exc_info else None
        if error is None or not is_database_outage(error):
            return True
        now = time.monotonic()
        with self.lock:
            if self.last is not None and now - self.last < self.interval:
                return False
            self.last = now
        return True
