"""Fixtures and helpers shared by the site's tests: Facebook answered in-process
(tests/facebook_double.py), the site over real HTTP, login helpers."""

import os
import re
import secrets
import string
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import responses
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.core import mail
from django.core.cache import caches
from django.db import connection
from django.urls import reverse

from django_facebook import graph_guard, shared_cache, throttle
from django_facebook.session_tokens import HEADER
from << cookiecutter.project_slug >>.sessions import cache_guard

from . import live_server as live_server_threads

# The browser tests' Chromium, and a page in it on the live server (tests/chromium.py).
from .chromium import chromium, page  # noqa: F401
from .dev_server import (
    dev_server,  # noqa: F401 (a fixture: one dev server for the session)
    free_port,  # noqa: F401 (shared: the tests' servers take one)
)
from .facebook_double import FacebookDouble, forget_people, fresh_state

# Every test's log lines are checked for secrets (tests/log_audit.py).
from .log_audit import log_audit  # noqa: F401

BASE_DIR = Path(__file__).resolve().parent.parent
GRAPH = f"{settings.FACEBOOK_GRAPH_URL}/{settings.FACEBOOK_API_VERSION}"
TOKEN = "EAAtesttoken1234567890"
TOKEN_ANSWER = {"access_token": TOKEN, "token_type": "bearer", "expires_in": 5183944}

ADA = {
    "id": "10000000000000001",
    "name": "Ada Lovelace",
    "first_name": "Ada",
    "last_name": "Lovelace",
    "email": "ada@example.com",
    "picture": {"data": {"url": "https://example.com/ada.jpg", "is_silhouette": False}},
}


def graph_error_body(code, subcode=None, trace="TRACE42", message="boom"):
    """Facebook's error body: {"error": {"message", "type", "code", "error_subcode", ...}}."""
    error = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": trace}
    if subcode is not None:
        error["error_subcode"] = subcode
    return {"error": error}


def database_url(name=None):
    """This run's PostgreSQL database (the test database) as a DATABASE_URL for a process the
    test starts; with `name`, another database on the same server."""
    database = connection.settings_dict
    return (
        f"postgres://{database['USER']}:{database['PASSWORD']}@{database['HOST']}:"
        f"{database['PORT'] or 5432}/{name or database['NAME']}"
    )


def delete_cache_keys(prefix):
    """Delete the Redis keys of the default cache made with KEY_PREFIX `prefix`, and no
    other; return how many went.

    SCAN for `<prefix>:*` (Django's keys are `<prefix>:<version>:<key>`), never FLUSHDB: the
    Redis database may be shared with other sites' runs, other runs of this one, or more.
    """
    client = caches["default"]._cache.get_client(write=True)
    pattern = re.sub(r"([*?\[\]\\])", r"\\\1", prefix) + ":*"
    deleted = 0
    batch = []
    for key in client.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) == 500:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    return deleted


@pytest.fixture(scope="session", autouse=True)
def _the_sessions_cache_keys_go_when_it_ends():
    """With Redis (REDIS_URL), the keys of this test session (its own KEY_PREFIX, see
    config/settings/test.py) are deleted when it ends: Redis outlives the run, and sessions,
    throttle counters and the stand-in's codes would pile up there run after run."""
    yield
    if os.environ.get("REDIS_URL"):
        delete_cache_keys(settings.CACHES["default"]["KEY_PREFIX"])


@pytest.fixture(scope="session")
def live_server(live_server):
    """pytest-django's live server, whose request threads never outlive it (live_server.py)."""
    live_server.requests = live_server_threads.track_requests(live_server)
    yield live_server
    live_server_threads.close_client_connections()
    still_running = live_server.requests.wait_threads()
    assert not still_running, f"live server threads still running: {still_running}"


@pytest.fixture(autouse=True)
def _live_server_requests_end_with_the_test(request):
    """A test that used the live server ends only once the requests it caused are answered."""
    uses_live_server = "live_server" in request.fixturenames
    server = request.getfixturevalue("live_server") if uses_live_server else None
    yield
    if server is not None:
        assert server.requests.wait_idle(), "the live server still serves this test's requests"


@pytest.fixture(autouse=True)
def _facebook_knows_no_one_yet():
    """Each test meets the stand-in's people as new: no permission granted or declined in an
    earlier test's dialog, no token of theirs revoked or expired (fakebook/store.py)."""
    forget_people()


@pytest.fixture(autouse=True)
def _users_made_by_tests_verified_their_address(monkeypatch):
    """In an allauth site, a user a test makes with create_user or create_superuser stands
    for a person who verified their address: its email becomes a verified EmailAddress, as
    allauth lets nobody log in by password before (ACCOUNT_EMAIL_VERIFICATION "mandatory").
    The tests of that rule make their users through allauth's own sign-up (test_allauth.py);
    the site's code never calls these methods."""
    if not apps.is_installed("allauth.account"):
        return
    from allauth.account.models import EmailAddress

    manager = type(get_user_model()._default_manager)
    create = manager._create_user

    def create_verified(self, username, email, password, **fields):
        user = create(self, username, email, password, **fields)
        if user.email:
            taken = EmailAddress.objects.filter(email__iexact=user.email, verified=True).exists()
            EmailAddress.objects.create(
                user=user, email=user.email.lower(), primary=True, verified=not taken
            )
        return user

    monkeypatch.setattr(manager, "_create_user", create_verified)


@pytest.fixture(autouse=True)
def _no_outage_seen():
    """Every test starts as a new process does: no outage of the caches or of the Graph API
    seen, so that one test's injected failures never leave the next one without a cache, or
    with Facebook's breaker open."""
    guards = (cache_guard, shared_cache, graph_guard)
    for guard in guards:
        guard.forget_outages()
    yield
    for guard in guards:
        guard.forget_outages()


class Clock:
    """`time` for a module that counts in windows of the clock (throttle.py's minutes,
    allauth's 30 s TOTP periods, shared_cache.py's retry interval): the windows move only when
    the test says, so a run that crosses a window's end, or is slowed by a loaded machine,
    counts the same as any other."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def time(self):
        return self.now

    monotonic = time


@pytest.fixture
def throttle_clock(monkeypatch):
    """The throttles' windows on a clock of the test's (Clock), counting from nothing in
    each process's fallback memory too."""
    clock = Clock()
    monkeypatch.setattr(throttle, "time", clock)
    shared_cache.LOCAL.clear()
    yield clock
    shared_cache.LOCAL.clear()


@pytest.fixture
def graph():
    """The web login's two Graph calls answered with canned JSON (tests/facebook_double.py):
    the code exchange with TOKEN, /me with Ada's profile above (`graph.profile`)."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FacebookDouble(mock).answer_login(GRAPH, ADA, dict(TOKEN_ANSWER))


def start_login(client, headers=None, **params):
    """GET facebook:login; return the state it put in the dialog URL."""
    response = client.get(reverse("facebook:login"), params, headers=headers)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    return query["state"][0]


def facebook_login(client, **params):
    """A whole login through the callback, with the code Facebook would send back."""
    state = start_login(client, **params)
    return client.get(reverse("facebook:callback"), {"code": "a-code", "state": state})


@contextmanager
def signals_sent(*watched):
    """Record (signal, keyword arguments) for every send of the watched signals in the block."""
    sent = []

    def receiver(signal, **kwargs):
        sent.append((signal, kwargs))

    for signal in watched:
        signal.connect(receiver, weak=False, dispatch_uid="signals_sent")
    try:
        yield sent
    finally:
        for signal in watched:
            signal.disconnect(dispatch_uid="signals_sent")


@pytest.fixture
def production_env(tmp_path):
    """The environment of a production process (a subprocess of the test): production
    settings on a throw-away SQLite database, fresh secrets."""
    alphabet = string.ascii_letters + string.digits + string.punctuation.replace("$", "")
    env = {key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(60)),
        DATABASE_URL=f"sqlite:///{tmp_path / 'production.sqlite3'}",
        REDIS_URL="redis://127.0.0.1:6379/0",
        # The test session's keys, deleted with them when it ends.
        REDIS_KEY_PREFIX=settings.CACHES["default"]["KEY_PREFIX"],
        FACEBOOK_APP_ID="1234567890",
        FACEBOOK_APP_SECRET=secrets.token_hex(16),
        DJANGO_ALLOWED_HOSTS="example.com",
        DJANGO_STATIC_ROOT=str(tmp_path / "static"),
        PYTHONPATH=f"{tmp_path}{os.pathsep}{BASE_DIR}",
    )
    return env


def collectstatic(env):
    """Production's static files, for pages a production subprocess renders."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        cwd=BASE_DIR,
        env=env,
        check=True,
        timeout=120,
    )


def verification_link():
    """The path of the link in the last email: allauth's to verify an address."""
    return re.search(r"https?://[^/\s]+(/\S+)", mail.outbox[-1].body).group(1)


def asks_to_verify(location):
    """Is `location` allauth's page asking a person to open the emailed link first? (An
    address typed on "complete your account", ACCOUNT_EMAIL_VERIFICATION "mandatory".)"""
    return apps.is_installed("allauth.account") and urlsplit(location).path == reverse(
        "account_email_verification_sent"
    )


def through_verification(client, response):
    """The response once the person opened the verification link in the same browser, if
    the site asked for it (allauth's link then logs them in, where the login was going);
    in the other systems, `response` itself."""
    if not asks_to_verify(response.get("Location", "")):
        return response
    return client.post(verification_link())


def messages_of(response):
    """The texts of the messages the response's request left for the next page."""
    return [str(message) for message in get_messages(response.wsgi_request)]


def logged_in_user(client):
    """Who the client's session logs in as now (AnonymousUser if no one)."""
    return client.get(reverse("home")).wsgi_request.user


@pytest.fixture
def fakebook(settings):
    """The stand-in answering the site's Graph and JWKS calls in-process
    (tests/facebook_double.py)."""
    settings.FACEBOOK_APP_THROTTLE = {"client": (10_000, 60), "facebook_id": (10_000, 60)}
    fresh_state()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield FacebookDouble(mock)
    fresh_state()


@pytest.fixture
def site(live_server, settings):
    """The site on the live server, its Facebook the stand-in there, over real HTTP; no
    fault pending before or after the test."""
    from fakebook import faults  # here: where the site's package sorts depends on its name

    settings.FACEBOOK_WWW_URL = f"{live_server.url}/fakebook/www"
    settings.FACEBOOK_GRAPH_URL = f"{live_server.url}/fakebook/graph"
    faults.clear()
    yield live_server.url
    faults.clear()


def native(client, path, body=None, token="", **extra):
    """POST JSON as a native app: the session in the X-Session-Token header, no cookie."""
    return client.post(
        path,
        body if body is not None else {},
        content_type="application/json",
        headers={HEADER: token},
        **extra,
    )


def new_nonce(client):
    """A nonce for a Limited Login, as a native app asks the site for one."""
    answer = native(client, reverse("facebook:app_nonce"))
    assert answer.status_code == 200, answer.content
    return answer.json()["nonce"]


def app_login(client, body, token="", **extra):
    """POST an app login (an access token, or an ID token and its nonce) as a native app."""
    return native(client, reverse("facebook:app_login"), body, token=token, **extra)
