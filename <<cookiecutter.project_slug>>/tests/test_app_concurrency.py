"""Races on PostgreSQL: the same Limited Login used twice at once logs in at most once.

A nonce is single use, so of two requests carrying the same ID token (a replay racing the
genuine login) or two ID tokens made with the same nonce, exactly one gets through, however
the requests interleave. SQLite serialises writers, so the race needs PostgreSQL, as in
test_concurrency.py; `race` (tests/races.py) runs the requests at one instant in their own
threads.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from django_facebook import jwks, nonces
from django_facebook.models import AppNonce, FacebookAccount

from .conftest import app_login
from .races import needs_postgresql, race

pytestmark = [pytest.mark.django_db(transaction=True), needs_postgresql, pytest.mark.database]
User = get_user_model()
THREADS = 6


def login_status(body):
    return lambda: app_login(Client(), body).status_code


@pytest.mark.parametrize("round_", range(3))
def test_the_same_id_token_at_once_logs_in_once(fakebook, round_):
    jwks.fetch()
    nonce, _ = nonces.issue()
    body = {"id_token": fakebook.id_token("ada", nonce), "nonce": nonce}
    statuses = race(*[login_status(body)] * THREADS)
    assert sorted(statuses) == [200] + [401] * (THREADS - 1), statuses
    assert User.objects.count() == 1
    assert FacebookAccount.objects.count() == 1
    assert not AppNonce.objects.exists()


@pytest.mark.parametrize("round_", range(3))
def test_two_people_with_one_nonce_log_in_once(fakebook, round_):
    jwks.fetch()
    nonce, _ = nonces.issue()
    bodies = [
        {"id_token": fakebook.id_token(person, nonce), "nonce": nonce}
        for person in ("ada", "katherine") * (THREADS // 2)
    ]
    statuses = race(*[login_status(body) for body in bodies])
    assert statuses.count(200) == 1, statuses
    assert User.objects.count() == 1
