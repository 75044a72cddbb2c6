"""Production's log lines: one JSON object each, with the request id the response carries,
the user id where known and Facebook's fbtrace_id on Graph failures; and the audit that
checks every test's lines for secrets (tests/log_audit.py) finds them."""

import json
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model

import tasks

from .conftest import BASE_DIR, facebook_login, graph_error_body
from .dev_server import NOT_INHERITED
from .log_audit import leaked, secrets_of_request

pytestmark = [pytest.mark.django_db, pytest.mark.database]

# Lines as the development server logs them: the reloader's, a 404's, the site's own.
DEV_SERVER_LINES = """
import logging
import django
django.setup()
logging.getLogger("django.utils.autoreload").info("Watching for file changes: marker-1")
logging.getLogger("django.request").warning("Not Found: /marker-2/")
logging.getLogger("django_facebook.views").warning("marker-3")
"""


def test_a_graph_failure_line_has_the_trace_request_and_user(client, graph, log_audit):
    user = get_user_model().objects.create_user("grace", "grace@example.org", "pw-12345-long")
    client.force_login(user)
    graph.mock.replace(graph.me.method, graph.me.url, status=400, json=graph_error_body(190))

    response = facebook_login(client)

    records = [json.loads(line) for line in log_audit.lines]
    graph_lines = [record for record in records if record["logger"] == "django_facebook.graph"]
    assert len(graph_lines) == 1
    assert graph_lines[0]["fbtrace_id"] == "TRACE42"
    assert graph_lines[0]["request_id"] == response["X-Request-ID"]
    assert graph_lines[0]["user_id"] == str(user.pk)
    assert graph_lines[0]["level"] == "WARNING"


def test_an_anonymous_request_has_no_user_id(client, log_audit):
    client.get("/facebook/callback/", {"state": "forged-state-value"})

    records = [json.loads(line) for line in log_audit.lines]
    assert records
    assert all("user_id" not in record for record in records)
    assert all(record.get("request_id") for record in records)


@pytest.mark.parametrize(
    "header", ["", "short", "x" * 129, "has space 1234", "line\nbreak-12345", "ümlaut-123456"]
)
def test_an_unsafe_incoming_request_id_is_replaced(client, header):
    response = client.get("/privacy/", headers={"x-request-id": header})

    assert response["X-Request-ID"] != header
    assert len(response["X-Request-ID"]) == 32


def test_a_safe_incoming_request_id_is_kept(client):
    response = client.get("/privacy/", headers={"x-request-id": "haproxy:0A1B2C3D.42"})

    assert response["X-Request-ID"] == "haproxy:0A1B2C3D.42"


def test_the_audit_finds_what_a_request_carried():
    environ = {
        "QUERY_STRING": "code=the-login-code&state=the-state-value&next=/x/",
        "HTTP_AUTHORIZATION": "Bearer the-bearer-token",
        "HTTP_COOKIE": "sessionid=the-session-key; csrftoken=the-csrf-token",
    }
    secrets = secrets_of_request(environ)

    assert secrets == {
        "the-login-code",
        "the-state-value",
        "the-bearer-token",
        "the-session-key",
        "the-csrf-token",
    }
    assert leaked(['{"message": "state the-state-value refused"}'], secrets)
    assert leaked(['{"message": "token EAAabcdefghij1234"}'], set())
    assert not leaked(['{"message": "Facebook callback refused"}'], secrets)


def test_the_development_server_prints_each_line_once():
    """`make run`'s settings (local, as tasks.py run sets them up): every line once, on stdout.
    Django's own console handler on the `django` logger printed them a second time."""
    env = {name: value for name, value in tasks.run_env(8123).items() if name not in NOT_INHERITED}

    result = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", DEV_SERVER_LINES],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr
    for marker in ("Watching for file changes: marker-1", "Not Found: /marker-2/", "marker-3"):
        assert result.stdout.count(marker) == 1, result.stdout
    assert result.stderr == ""
