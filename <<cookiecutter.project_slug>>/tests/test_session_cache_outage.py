"""The session cache out of reach: logins, pages and logouts go on with the database alone,
and a session logged out meanwhile never comes back when the cache does (sessions/).

The cache fails as Redis does when it is stopped: every call raises a connection error, from
inside the request. The tests run with the `cached_db` store whatever the settings pick, on
the test cache (Redis when REDIS_URL is set, else the process's own memory).
"""

import logging
from contextlib import ExitStack, contextmanager
from unittest import mock

import pytest
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.urls import reverse

from << cookiecutter.project_slug >>.sessions import cache_guard, cached_db

from .conftest import facebook_login

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()
OPERATIONS = ("get", "set", "delete", "delete_many", "has_key")
PROFILE = reverse("accounts:profile")


@pytest.fixture(autouse=True)
def cached_db_sessions(settings):
    settings.SESSION_ENGINE = cached_db.__name__


@contextmanager
def cache_down():
    """Every call to the sessions' cache raises, as with Redis stopped; yields the mocks."""
    cache = caches["default"]
    with ExitStack() as stack:
        mocks = {
            operation: stack.enter_context(
                mock.patch.object(cache, operation, side_effect=ConnectionError("refused"))
            )
            for operation in OPERATIONS
        }
        yield mocks


def cache_back(settings):
    """The cache answers again, and the breaker's interval has passed."""
    settings.SESSION_CACHE_RETRY_SECONDS = 0


def cached_copy(session_key):
    return caches["default"].get(cached_db.KEY_PREFIX + session_key)


def logged_in_as(client):
    """The username the site shows the client as logged in, or None."""
    response = client.get(PROFILE)
    if response.status_code != 200:
        return None
    return response.context["user"].username


def test_a_facebook_login_with_the_cache_down_succeeds(client, graph):
    client.get(reverse("facebook:login"))
    with cache_down():
        response = facebook_login(client)
        assert response.status_code == 302
        assert "fb_error_or_cancel" not in response["Location"]
        assert logged_in_as(client) == User.objects.get().username


def test_a_login_started_before_an_outage_ends_during_it(client, graph, settings):
    from .conftest import start_login

    state = start_login(client)
    with cache_down():
        response = client.get(reverse("facebook:callback"), {"code": "a-code", "state": state})
    assert "fb_error_or_cancel" not in response["Location"]
    cache_back(settings)
    assert logged_in_as(client) == User.objects.get().username


def test_a_session_changed_during_the_outage_is_not_read_from_its_old_copy(settings):
    session = cached_db.SessionStore()
    session["step"] = "before"
    session.save()
    assert cached_copy(session.session_key) == {"step": "before"}
    with cache_down():
        session["step"] = "during"
        session.save()
    cache_back(settings)

    assert dict(cached_db.SessionStore(session.session_key).load()) == {"step": "during"}


@pytest.mark.parametrize("another_process", [False, True], ids=["this_process", "another"])
def test_a_logout_during_the_outage_stays_a_logout_when_the_cache_is_back(
    client, graph, settings, another_process
):
    facebook_login(client)
    old_key = client.session.session_key
    assert logged_in_as(client) is not None
    assert cached_copy(old_key) is not None

    with cache_down():
        response = client.post(reverse("logout"))
        assert response.status_code in (200, 302)
    assert not Session.objects.filter(session_key=old_key).exists()
    cache_back(settings)
    if another_process:
        # A process that never saw the outage keeps no list of stale copies: the copy is
        # there, and read; the person's session generation refuses it.
        cache_guard.forget_outages()
        assert cached_copy(old_key) is not None

    replay = Client()
    replay.cookies[settings.SESSION_COOKIE_NAME] = old_key
    assert logged_in_as(replay) is None


def test_a_logout_during_the_outage_ends_the_persons_other_sessions_too(graph, settings):
    phone, laptop = Client(), Client()
    facebook_login(phone)
    facebook_login(laptop)
    assert logged_in_as(laptop) is not None

    with cache_down():
        phone.post(reverse("logout"))
    cache_back(settings)

    assert logged_in_as(laptop) is None
    # Logging in again works at once, with the new generation.
    facebook_login(laptop)
    assert logged_in_as(laptop) is not None


def test_a_logout_with_the_cache_up_ends_that_session_only(graph):
    phone, laptop = Client(), Client()
    facebook_login(phone)
    facebook_login(laptop)

    phone.post(reverse("logout"))

    assert logged_in_as(phone) is None
    assert logged_in_as(laptop) is not None
    assert User.objects.get().session_generation == 0


def test_generation_zero_keeps_djangos_hash():
    user = User.objects.create_user("ada", "ada@example.com", "a-long-passphrase-42")
    from django.contrib.auth.base_user import AbstractBaseUser

    assert user.get_session_auth_hash() == AbstractBaseUser.get_session_auth_hash(user)
    User.end_sessions([user.pk])
    user.refresh_from_db()
    assert user.session_generation == 1
    assert user.get_session_auth_hash() != AbstractBaseUser.get_session_auth_hash(user)


def test_an_outage_is_logged_once_and_its_end_too(caplog, settings):
    session = cached_db.SessionStore()
    session.save()
    with caplog.at_level(logging.DEBUG, logger="django.contrib.sessions"):
        with cache_down():
            for _ in range(5):
                cached_db.SessionStore(session.session_key).load()
        cache_back(settings)
        cached_db.SessionStore(session.session_key).load()

    errors = [record for record in caplog.records if record.levelno >= logging.ERROR]
    assert len(errors) == 1
    assert errors[0].exc_info is not None
    assert "Session cache unavailable" in errors[0].getMessage()
    assert "Session cache answers again" in caplog.text


def test_while_the_breaker_is_open_the_cache_is_not_called(settings):
    settings.SESSION_CACHE_RETRY_SECONDS = 60
    session = cached_db.SessionStore()
    session["n"] = 1
    session.save()
    with cache_down() as mocks:
        for _ in range(5):
            assert dict(cached_db.SessionStore(session.session_key).load()) == {"n": 1}
        calls = sum(mocked.call_count for mocked in mocks.values())
    # The first read's get failed and opened the breaker; nothing else reached the cache.
    assert calls == 1


def test_a_session_without_a_key_loads_empty():
    assert cached_db.SessionStore().load() == {}


def test_exists_looks_in_the_cache_first(django_assert_num_queries):
    session = cached_db.SessionStore()
    session[SESSION_KEY] = "1"
    session.save()
    with django_assert_num_queries(0):
        assert cached_db.SessionStore().exists(session.session_key)
