"""The site's session stores (sessions/): Django's behaviour, in fewer SQL statements.

Both stores are tested whichever the settings pick: `db` everywhere, `cached_db` with the
test cache (Redis when REDIS_URL is set, else the process's own memory).
"""

import logging
from datetime import timedelta
from unittest import mock

import pytest
from asgiref.sync import async_to_sync
from django.contrib.auth import SESSION_KEY, get_user_model
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from << cookiecutter.project_slug >>.sessions import cached_db, db

from .conftest import facebook_login

pytestmark = [pytest.mark.django_db, pytest.mark.database]
STORES = [db.SessionStore, cached_db.SessionStore]


def cache_failing(operation):
    """The sessions' cache raising as a Redis out of reach does, for one operation."""
    return mock.patch.object(caches["default"], operation, side_effect=ConnectionError("refused"))


def stored(store_class, key):
    """What a fresh request presenting `key` would find."""
    return dict(store_class(key).load())


@pytest.fixture(params=STORES, ids=["db", "cached_db"])
def store_class(request, settings):
    settings.SESSION_ENGINE = request.param.__module__
    return request.param


# Counted outside a test transaction, as a request runs: inside one, a write gets a savepoint.
@pytest.mark.django_db(transaction=True)
def test_a_login_rotates_the_key_in_one_statement(store_class, django_assert_num_queries):
    session = store_class()
    session["_facebook_logins"] = {"state": {}}
    session.save()
    old_key = session.session_key

    session.cycle_key()
    session[SESSION_KEY] = "1"
    with django_assert_num_queries(1):
        session.save()

    assert session.session_key != old_key
    assert stored(store_class, old_key) == {}
    assert stored(store_class, session.session_key)[SESSION_KEY] == "1"
    assert list(Session.objects.values_list("session_key", flat=True)) == [session.session_key]


@pytest.mark.django_db(transaction=True)
def test_a_new_session_costs_one_insert(store_class, django_assert_num_queries):
    session = store_class()
    session["greeting"] = "hello"
    with django_assert_num_queries(1):
        session.save()
    assert stored(store_class, session.session_key) == {"greeting": "hello"}


def test_rotating_a_session_that_was_never_stored_stores_it(store_class):
    session = store_class()
    session["greeting"] = "hello"
    session.cycle_key()
    session.save()
    assert stored(store_class, session.session_key) == {"greeting": "hello"}


def test_rotating_a_session_deleted_meanwhile_stores_it_anew(store_class):
    session = store_class()
    session["greeting"] = "hello"
    session.save()
    session.cycle_key()
    store_class().delete(session._stored_key)
    session.save()
    assert stored(store_class, session.session_key) == {"greeting": "hello"}
    assert Session.objects.count() == 1


def test_a_taken_new_key_is_drawn_again_inside_a_transaction(store_class):
    taken = store_class()
    taken.save()
    session = store_class()
    session.save()
    old_key = session.session_key
    session.cycle_key()
    session._session_key = taken.session_key  # the 1 in 36**32 chance, forced
    with transaction.atomic():
        session["greeting"] = "hello"
        session.save()
        assert Session.objects.count() == 2  # the transaction is still usable
    assert session.session_key not in (taken.session_key, old_key)
    assert stored(store_class, session.session_key) == {"greeting": "hello"}
    assert stored(store_class, old_key) == {}


def test_flush_after_a_rotation_deletes_the_stored_row_too(store_class):
    session = store_class()
    session[SESSION_KEY] = "1"
    session.save()
    old_key = session.session_key
    session.cycle_key()
    session.flush()
    session.save()
    assert stored(store_class, old_key) == {}
    assert SESSION_KEY not in stored(store_class, session.session_key)


def test_a_session_whose_row_was_deleted_meanwhile_is_reported(store_class):
    from django.contrib.sessions.backends.base import UpdateError

    session = store_class()
    session["greeting"] = "hello"
    session.save()
    Session.objects.all().delete()
    session["greeting"] = "bye"
    with pytest.raises(UpdateError):
        session.save()


def test_the_async_api_rotates_keys_alike(store_class):
    session = store_class()
    session["greeting"] = "hello"
    async_to_sync(session.asave)()
    old_key = session.session_key
    async_to_sync(session.acycle_key)()
    async_to_sync(session.asave)()
    assert stored(store_class, old_key) == {}
    assert async_to_sync(store_class(session.session_key).aload)() == {"greeting": "hello"}
    async_to_sync(session.adelete)()
    assert stored(store_class, session.session_key) == {}


def test_cached_sessions_are_read_without_sql(django_assert_num_queries):
    session = cached_db.SessionStore()
    session["greeting"] = "hello"
    session.save()
    with django_assert_num_queries(0):
        assert stored(cached_db.SessionStore, session.session_key) == {"greeting": "hello"}


def test_without_the_cache_sessions_come_from_the_database(caplog):
    session = cached_db.SessionStore()
    session["greeting"] = "hello"
    session.save()
    caches["default"].delete(cached_db.KEY_PREFIX + session.session_key)
    assert stored(cached_db.SessionStore, session.session_key) == {"greeting": "hello"}

    with cache_failing("get"), caplog.at_level(logging.WARNING):
        assert stored(cached_db.SessionStore, session.session_key) == {"greeting": "hello"}
    assert "Session cache unavailable" in caplog.text


def test_a_save_the_cache_refuses_is_in_the_database(caplog):
    session = cached_db.SessionStore()
    session["greeting"] = "hello"
    with cache_failing("set"), caplog.at_level(logging.WARNING):
        session.save()
    assert "Session cache unavailable" in caplog.text
    assert Session.objects.get().session_key == session.session_key
    assert stored(cached_db.SessionStore, session.session_key) == {"greeting": "hello"}


@pytest.mark.parametrize("store_class", STORES, ids=["db", "cached_db"], indirect=True)
def test_facebook_login_leaves_one_session_under_a_new_key(client, graph, store_class):
    client.get(reverse("facebook:login"))
    anonymous_key = client.session.session_key
    response = facebook_login(client)
    assert response.status_code == 302
    assert "fb_error_or_cancel" not in response["Location"]
    user = get_user_model().objects.get()
    assert client.session.session_key != anonymous_key
    assert stored(store_class, client.session.session_key)[SESSION_KEY] == str(user.pk)
    assert stored(store_class, anonymous_key) == {}


def test_what_create_model_instance_makes_is_what_is_written(store_class):
    """Django's hook for a session model with fields of its own: every write (a new session,
    an update, the rename of a rotation) stores what the hook put in the row."""
    mark = (timezone.now() + timedelta(days=3)).replace(microsecond=0)

    class Extended(store_class):
        def create_model_instance(self, data):
            row = super().create_model_instance(data)
            row.expire_date = mark
            return row

    session = Extended()
    for change in ("created", "updated", "rotated"):
        session["step"] = change
        if change == "rotated":
            session.cycle_key()
        session.save()
        row = Session.objects.get(session_key=session.session_key)
        assert row.expire_date == mark, change
        assert Extended().decode(row.session_data) == {"step": change}
