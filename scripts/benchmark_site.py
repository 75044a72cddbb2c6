"""Measure one baked site's connect flow: SQL statements, Graph round trips, time, CPU.

Run by scripts/benchmark.py inside a baked site (its virtualenv, its directory), with the
settings module it names in DJANGO_SETTINGS_MODULE: the test settings, or the production
ones (Redis cache and sessions, PostgreSQL, HTTPS behind a proxy: every request carries
X-Forwarded-Proto). Each flow is a full round trip through the real views and middleware:
GET /facebook/login/ (start) then GET /facebook/callback/ (code exchange, /me, login).
Facebook's answers come from `responses` in-process, so the figures are the site's own
cost, not the network's. The app logins (the site's docs/apps.md) POST facebook:app_login as
a native app would, with an SDK access token or with a nonce and a Limited Login ID token signed by
the stand-in. Prints one JSON object. With BENCHMARK_PROFILE=N, also prints to
stderr the N functions of the returning logins' callbacks with the most CPU time (cProfile).
"""

import cProfile
import io
import json
import os
import pstats
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
from django.apps import apps  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django_facebook import jwks  # noqa: E402
from django_facebook.conf import setting  # noqa: E402
from django_facebook.models import FacebookAccount  # noqa: E402

TRANSACTION_CONTROL = re.compile(r"^\s*(BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE)", re.I)
ROUNDS = int(os.environ.get("BENCHMARK_ROUNDS", "30"))
PROFILE_LINES = int(os.environ.get("BENCHMARK_PROFILE", "0"))
GRAPH = f"{setting('FACEBOOK_GRAPH_URL')}/{setting('FACEBOOK_API_VERSION')}"
# What the site's HTTPS proxy says on every request in production (SECURE_PROXY_SSL_HEADER).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}


def profile_for(number):
    return {
        "id": str(10**15 + number),
        "name": f"Person {number}",
        "first_name": "Person",
        "last_name": str(number),
        "email": f"person{number}@example.com",
        "picture": {"data": {"url": f"https://example.com/{number}.jpg"}},
        "permissions": {
            "data": [
                {"permission": "email", "status": "granted"},
                {"permission": "public_profile", "status": "granted"},
            ]
        },
    }


def new_client():
    return Client(headers=PROXY_HEADERS)


def costs_of(queries, start_statements, graph_calls, seconds, callback_cpu):
    """One round trip's costs from its captured SQL; the statements after `start_statements`
    are the callback's."""
    sql = [query["sql"] for query in queries.captured_queries]
    data = [statement for statement in sql if not TRANSACTION_CONTROL.match(statement)]
    return {
        "statements": len(sql),
        "data_statements": len(data),
        "callback_statements": len(sql) - start_statements,
        "graph_calls": graph_calls,
        "seconds": seconds,
        "callback_cpu": callback_cpu,
    }


def round_trip(client, mock, profile, profiler=None):
    """One login through both views: a dict of its costs, and where it ended."""
    mock.replace(responses.GET, f"{GRAPH}/me", json=profile)
    calls_before = len(mock.calls)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        start = client.get("/facebook/login/")
        state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
        start_statements = len(queries.captured_queries)
        cpu_started = time.process_time()
        if profiler:
            profiler.enable()
        done = client.get("/facebook/callback/", {"code": "code", "state": state})
        if profiler:
            profiler.disable()
        cpu = time.process_time() - cpu_started
        elapsed = time.perf_counter() - started
    costs = costs_of(queries, start_statements, len(mock.calls) - calls_before, elapsed, cpu)
    return costs, done["Location"]


def measure(name, prepare, profiler=None):
    rounds = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.post(
            f"{GRAPH}/oauth/access_token",
            json={"access_token": "EAAbenchmark", "token_type": "bearer", "expires_in": 5183944},
        )
        mock.get(f"{GRAPH}/me", json={})
        for number in range(ROUNDS):
            client, profile = prepare(number)
            costs, location = round_trip(client, mock, profile, profiler)
            if "fb_error_or_cancel" in location:
                raise RuntimeError(f"{name}: the login failed, redirected to {location}")
            rounds.append(costs)

    return summary(name, rounds)


def summary(name, rounds):
    """The medians of one flow's rounds (each a dict of costs)."""

    def median(key):
        return statistics.median(costs[key] for costs in rounds)

    return {
        "flow": name,
        "sql_statements": median("statements"),
        "sql_without_transaction_control": median("data_statements"),
        "callback_sql_statements": median("callback_statements"),
        "graph_round_trips": median("graph_calls"),
        "median_ms": round(median("seconds") * 1000, 2),
        "callback_cpu_ms": round(median("callback_cpu") * 1000, 2),
        "rounds": ROUNDS,
    }


def app_round_trip(client, mock, body_for, *, nonce):
    """One app login (POST app/nonce first for an ID token): a dict of its costs, and the answer.

    The token is made by the stand-in outside the timed part: it is the app's work, not the
    site's. The "callback" of an app login is its POST to facebook:app_login.
    """
    headers = {"X-Session-Token": ""}
    calls_before = len(mock.calls)
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        issued = client.post("/facebook/app/nonce/", headers=headers).json() if nonce else {}
        paused = time.perf_counter()
        body = body_for(issued.get("nonce"))
        resumed = time.perf_counter()
        start_statements = len(queries.captured_queries)
        cpu_started = time.process_time()
        answer = client.post(
            "/facebook/app/login/", body, content_type="application/json", headers=headers
        )
        cpu = time.process_time() - cpu_started
        elapsed = time.perf_counter() - resumed + paused - started
    costs = costs_of(queries, start_statements, len(mock.calls) - calls_before, elapsed, cpu)
    return costs, answer


def measure_app(name, person_for, *, id_token):
    """App logins of returning users through facebook:app_login, with an access or ID token."""
    from fakebook import limited_login
    from fakebook.users import TestUser

    rounds = []
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(setting("FACEBOOK_JWKS_URL"), json=limited_login.jwks())
        mock.get(f"{GRAPH}/debug_token", json={})
        mock.get(f"{GRAPH}/me", json={})
        jwks.fetch()  # the keys are cached before the first login, as after any earlier one
        for number in range(ROUNDS):
            profile = person_for(number)
            if not id_token:
                info = {
                    "app_id": settings.FACEBOOK_APP_ID,
                    "type": "USER",
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

            costs, answer = app_round_trip(new_client(), mock, body_for, nonce=id_token)
            if answer.status_code != 200 or answer.json()["action"] != "login":
                raise RuntimeError(f"{name}: the app login failed: {answer.content[:200]}")
            rounds.append(costs)
    return summary(name, rounds)


def print_profile(profiler):
    """The functions with the most CPU time of their own, and the most in all, to stderr."""
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(PROFILE_LINES)
    stats.sort_stats("cumulative").print_stats(PROFILE_LINES)
    print(out.getvalue(), file=sys.stderr)


def verified_address(user):
    """In an allauth site, a returning person's address is verified, as every account's is
    once its sign-up is done; allauth's login would otherwise stop to ask for the link."""
    if apps.is_installed("allauth.account"):
        from allauth.account.models import EmailAddress

        EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=True)


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
            verified_address(user)

        def returning_profile(number):
            return profile_for(number) | {"id": str(2 * 10**15 + number), "email": ""}

        def returning(number):
            return new_client(), returning_profile(number)

        def new(number):
            return new_client(), profile_for(number)

        def connecting(number):
            user = user_model.objects.create_user(f"connecting{number}", f"c{number}@example.org")
            client = new_client()
            client.force_login(user)
            return client, profile_for(10_000 + number) | {"email": ""}

        profiler = cProfile.Profile(time.process_time) if PROFILE_LINES else None
        results = [
            measure("login (returning user)", returning, profiler),
            measure("register (new user)", new),
            measure("connect (logged-in user)", connecting),
            measure_app("app login, SDK access token", returning_profile, id_token=False),
            measure_app("app login, Limited Login ID token", returning_profile, id_token=True),
        ]
        # A site that keeps tokens, long-lived ones: the login's third Graph round trip.
        settings.FACEBOOK_STORE_ACCESS_TOKEN = settings.FACEBOOK_EXTEND_ACCESS_TOKEN = True
        results.append(measure("login keeping a long-lived token", returning))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
    if profiler:
        print_profile(profiler)
    settings_module = os.environ["DJANGO_SETTINGS_MODULE"].rsplit(".", 1)[-1]
    print(
        json.dumps({"database": connection.vendor, "settings": settings_module, "flows": results})
    )


if __name__ == "__main__":
    main()
