"""Measure one baked site's connect flow: SQL statements, Graph round trips, wall time.

Run by scripts/benchmark.py inside a baked site (its virtualenv, its directory). Each flow
is a full round trip through the real views and middleware, with database-backed sessions:
GET /facebook/login/ (start) then GET /facebook/callback/ (code exchange, /me, login).
Facebook's answers come from `responses` in-process, so the figures are the site's own
cost, not the network's. The app logins (README, "Apps") POST facebook:app_login as a native
app would, with an SDK access token or with a nonce and a Limited Login ID token signed by
the stand-in. Prints one JSON object.
"""

import json
import os
import re
import statistics
import sys
import time
from urllib.parse import parse_qs, urlsplit

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
sys.path.insert(0, os.getcwd())

import django

django.setup()

import responses  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django_facebook import jwks  # noqa: E402
from django_facebook.models import FacebookAccount  # noqa: E402

TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.I)
ROUNDS = int(os.environ.get("BENCHMARK_ROUNDS", "30"))
GRAPH = f"{settings.FACEBOOK_GRAPH_URL}/{settings.FACEBOOK_API_VERSION}"


def profile_for(number):
    return {
        "id": str(10**15 + number),
        "name": f"Person {number}",
        "first_name": "Person",
        "last_name": str(number),
        "email": f"person{number}@example.com",
        "picture": {"data": {"url": f"https://example.com/{number}.jpg"}},
    }


def round_trip(client, mock, profile):
    """One login through both views; returns (statements, graph calls, seconds, location)."""
    mock.replace(responses.GET, f"{GRAPH}/me", json=profile)
    calls_before = len(mock.calls)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        start = client.get("/facebook/login/")
        state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
        done = client.get("/facebook/callback/", {"code": "code", "state": state})
        elapsed = time.perf_counter() - started
    sql = [query["sql"] for query in queries.captured_queries]
    data = [statement for statement in sql if not TRANSACTION_CONTROL.match(statement)]
    return len(sql), len(data), len(mock.calls) - calls_before, elapsed, done["Location"]


def summary(name, statements, data_statements, graph_calls, seconds):
    """The medians of one flow's rounds."""
    return {
        "flow": name,
        "sql_statements": statistics.median(statements),
        "sql_without_transaction_control": statistics.median(data_statements),
        "graph_round_trips": statistics.median(graph_calls),
        "median_ms": round(statistics.median(seconds) * 1000, 2),
        "rounds": ROUNDS,
    }


def measure(name, prepare):
    statements, data_statements, graph_calls, seconds = [], [], [], []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(
            f"{GRAPH}/oauth/access_token",
            json={"access_token": "EAAbenchmark", "token_type": "bearer", "expires_in": 5183944},
        )
        mock.get(f"{GRAPH}/me", json={})
        for number in range(ROUNDS):
            client, profile = prepare(number)
            count, data_count, calls, elapsed, location = round_trip(client, mock, profile)
            if "fb_error_or_cancel" in location:
                raise RuntimeError(f"{name}: the login failed, redirected to {location}")
            statements.append(count)
            data_statements.append(data_count)
            graph_calls.append(calls)
            seconds.append(elapsed)
    return summary(name, statements, data_statements, graph_calls, seconds)


def app_round_trip(client, body_for, *, nonce):
    """One app login (POST app/nonce first for an ID token): (statements, data, seconds, answer).

    The token is made by the stand-in outside the timed part: it is the app's work, not the
    site's.
    """
    headers = {"X-Session-Token": ""}
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        issued = client.post("/facebook/app/nonce/", headers=headers).json() if nonce else {}
        paused = time.perf_counter()
        body = body_for(issued.get("nonce"))
        resumed = time.perf_counter()
        answer = client.post(
            "/facebook/app/login/", body, content_type="application/json", headers=headers
        )
        elapsed = time.perf_counter() - resumed + paused - started
    sql = [query["sql"] for query in queries.captured_queries]
    data = [statement for statement in sql if not TRANSACTION_CONTROL.match(statement)]
    return len(sql), len(data), elapsed, answer


def measure_app(name, person_for, *, id_token):
    """App logins of returning users through facebook:app_login, with an access or ID token."""
    from fakebook import limited_login
    from fakebook.users import TestUser

    statements, data_statements, graph_calls, seconds = [], [], [], []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(settings.FACEBOOK_JWKS_URL, json=limited_login.jwks())
        mock.get(f"{GRAPH}/debug_token", json={})
        mock.get(f"{GRAPH}/me", json={})
        jwks.fetch()  # the keys are cached before the first login, as after any earlier one
        for number in range(ROUNDS):
            profile = person_for(number)
            if not id_token:
                info = {
                    "app_id": settings.FACEBOOK_APP_ID,
                    "is_valid": True,
                    "user_id": profile["id"],
                    "scopes": ["public_profile", "email"],
                }
                mock.replace(responses.GET, f"{GRAPH}/debug_token", json={"data": info})
                mock.replace(responses.GET, f"{GRAPH}/me", json=profile)

                def body_for(nonce):
                    return {"access_token": "EAAbenchmark"}
            else:
                person = TestUser(profile["id"], profile["name"], "Person", str(number))

                def body_for(nonce, person=person):
                    return {"id_token": limited_login.id_token(person, nonce), "nonce": nonce}

            calls_before = len(mock.calls)
            count, data_count, elapsed, answer = app_round_trip(Client(), body_for, nonce=id_token)
            if answer.status_code != 200 or answer.json()["action"] != "login":
                raise RuntimeError(f"{name}: the app login failed: {answer.content[:200]}")
            statements.append(count)
            data_statements.append(data_count)
            graph_calls.append(len(mock.calls) - calls_before)
            seconds.append(elapsed)
    return summary(name, statements, data_statements, graph_calls, seconds)


def main():
    setup_test_environment()
    # The benchmark's one client address would be throttled like a token-guessing one.
    settings.FACEBOOK_APP_THROTTLE = {"client": (10**6, 60), "facebook_id": (10**6, 60)}
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    user_model = get_user_model()
    try:
        for number in range(ROUNDS):
            user = user_model.objects.create_user(f"returning{number}", f"r{number}@example.org")
            FacebookAccount.objects.create(user=user, facebook_id=str(2 * 10**15 + number))

        def returning_profile(number):
            return profile_for(number) | {"id": str(2 * 10**15 + number), "email": ""}

        def returning(number):
            return Client(), returning_profile(number)

        def new(number):
            return Client(), profile_for(number)

        def connecting(number):
            user = user_model.objects.create_user(f"connecting{number}", f"c{number}@example.org")
            client = Client()
            client.force_login(user)
            return client, profile_for(10_000 + number) | {"email": ""}

        results = [
            measure("login (returning user)", returning),
            measure("register (new user)", new),
            measure("connect (logged-in user)", connecting),
            measure_app("app login, SDK access token", returning_profile, id_token=False),
            measure_app("app login, Limited Login ID token", returning_profile, id_token=True),
        ]
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    print(json.dumps({"database": connection.vendor, "flows": results}))


if __name__ == "__main__":
    main()
