"""Every log line of every test, written as production writes it (one JSON object), checked
for secrets: a test fails if a line holds an access token, a login code or state, a signed
request, a cookie, the app secret or SECRET_KEY.

Loaded by conftest.py as an autouse fixture, so the attack and failure suites (hostile
input, forged states, every Graph API failure, platform callbacks) prove it with what they
already send. The secrets are what the test's requests carried (query parameters, the
Authorization header, cookies), the settings' secrets, and anything shaped like the tokens
and codes Facebook and the stand-in issue.
"""

import logging
import re
from contextlib import suppress
from http.cookies import CookieError, SimpleCookie
from urllib.parse import parse_qsl

import pytest
from django.conf import settings
from django.core.signals import request_started
from pythonjsonlogger.json import JsonFormatter

from config.logs import JSON_FORMATTER, RequestContextFilter

# Query parameters whose values must never be logged.
SECRET_PARAMETERS = {
    "code",
    "state",
    "signed_request",
    "access_token",
    "input_token",
    "client_secret",
    "appsecret_proof",
    "fb_exchange_token",
}
# Facebook's user tokens ("EAA…") and login codes ("AQ…", the stand-in's too).
SECRET_SHAPES = re.compile(r"EAA[A-Za-z0-9]{10,}|AQ[A-Za-z0-9_-]{40,}")
# Shorter values are too common to search for (a test's "x" state, say).
SHORTEST_SECRET = 6
# Loggers that do not pass their records up to the root logger.
NOT_PROPAGATING = ["django.security", "django.server"]


class LineCollector(logging.Handler):
    def __init__(self):
        super().__init__(level=logging.DEBUG)
        options = {key: value for key, value in JSON_FORMATTER.items() if key != "()"}
        self.setFormatter(JsonFormatter(**options))
        self.addFilter(RequestContextFilter())
        self.lines = []

    def emit(self, record):
        self.lines.append(self.format(record))


def secrets_of_request(environ):
    """The secret values one request carried."""
    found = {
        value
        for name, value in parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if name in SECRET_PARAMETERS
    }
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    found.add(authorization.partition(" ")[2])
    cookies = SimpleCookie()
    with suppress(CookieError):  # a hostile cookie header: nothing to harvest
        cookies.load(environ.get("HTTP_COOKIE", ""))
    found.update(morsel.value for morsel in cookies.values())
    return {value for value in found if len(value) >= SHORTEST_SECRET}


def leaked(lines, secrets):
    """The lines that hold one of the secrets or something shaped like a token or code."""
    return [
        line
        for line in lines
        if SECRET_SHAPES.search(line) or any(secret in line for secret in secrets)
    ]


@pytest.fixture(autouse=True)
def log_audit():
    """Collect the test's log lines at production's level (INFO), then look for secrets."""
    collector = LineCollector()
    root = logging.getLogger()
    loggers = [root, *map(logging.getLogger, NOT_PROPAGATING)]
    for logger in loggers:
        logger.addHandler(collector)
    level = root.level
    root.setLevel(logging.INFO)
    secrets = set()

    def harvest(sender, environ=None, **kwargs):
        secrets.update(secrets_of_request(environ or {}))

    request_started.connect(harvest, dispatch_uid="log_audit")
    try:
        yield collector
    finally:
        request_started.disconnect(dispatch_uid="log_audit")
        root.setLevel(level)
        for logger in loggers:
            logger.removeHandler(collector)
    secrets.update({settings.SECRET_KEY, settings.FACEBOOK_APP_SECRET} - {""})
    bad = leaked(collector.lines, secrets)
    assert not bad, "secrets in log lines:\n" + "\n".join(bad)
