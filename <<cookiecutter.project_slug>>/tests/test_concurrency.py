"""Races on PostgreSQL: simultaneous callbacks for one Facebook id leave one user, one link.

Each thread has its own database connection and runs the connect flow's domain logic at
the same instant (a barrier), as gunicorn workers would for a double click or two tabs.
SQLite serialises writers, so there is no race to prove there: these tests need PostgreSQL.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.backends.db import SessionStore
from django.test import RequestFactory

from django_facebook.connect import connect_user
from django_facebook.exceptions import AlreadyConnectedError
from django_facebook.graph import AccessToken
from django_facebook.models import FacebookAccount
from django_facebook.profile import FacebookProfile

from .races import needs_postgresql, race

pytestmark = [
    pytest.mark.django_db(transaction=True),
    needs_postgresql,
    pytest.mark.database,
]
User = get_user_model()
THREADS = 8
ROUNDS = 5

PROFILE = FacebookProfile(id="424242", name="Ada Lovelace", email="ada@example.com")
TOKEN = AccessToken("EAArace")


def new_request(user=None):
    request = RequestFactory().get("/facebook/callback/")
    request.session = SessionStore()
    request.user = user or AnonymousUser()
    return request


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_simultaneous_registrations_make_one_user(round_):
    results = race(*[lambda: connect_user(new_request(), PROFILE, TOKEN)] * THREADS)
    assert not [r for r in results if isinstance(r, Exception)], results
    users = {user.pk for _, user in results}
    assert len(users) == 1
    assert User.objects.count() == 1
    assert FacebookAccount.objects.count() == 1
    actions = sorted(action.value for action, _ in results)
    assert actions.count("register") == 1
    assert set(actions) <= {"register", "login"}


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_connect_racing_a_registration_leaves_one_owner(round_):
    grace = User.objects.create_user("grace", "grace@example.org", "pw-12345-long")

    def register():
        return connect_user(new_request(), PROFILE, TOKEN)

    def connect():
        return connect_user(new_request(grace), PROFILE, TOKEN)

    results = race(register, connect, register, connect)
    account = FacebookAccount.objects.get()
    owner = account.user
    for result in results:
        if isinstance(result, AlreadyConnectedError):
            continue
        assert not isinstance(result, Exception), result
        _, user = result
        assert user == owner
    assert FacebookAccount.objects.count() == 1
    # A user made for a registration that lost the race was rolled back with it.
    assert User.objects.count() == (1 if owner == grace else 2)
