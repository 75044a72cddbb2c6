"""Graph API failures, for each action and each of the two calls: the error redirect with a
message, no user, no account link, no half-written row, and a log line with Facebook's trace
id but never the token."""

import logging

import pytest
import requests
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.contrib.sessions.models import Session

from django_facebook.models import FacebookAccount

from .conftest import ADA, TOKEN, facebook_login, graph_error_body

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()


def graph_error(code, subcode=None, status=400):
    return {"status": status, "json": graph_error_body(code, subcode, trace="TRACE-FAULT")}


# (name, responses kwargs, whether the answer carries Facebook's trace id)
FAILURES = [
    ("timeout", {"body": requests.ReadTimeout()}, False),
    ("connect-timeout", {"body": requests.ConnectTimeout()}, False),
    ("connection-refused", {"body": requests.ConnectionError("refused")}, False),
    (
        "500",
        {
            "status": 500,
            "json": {
                "error": {"message": "An unknown error", "code": 1, "fbtrace_id": "TRACE-FAULT"}
            },
        },
        True,
    ),
    ("503", {"status": 503, "body": "<html>Service Unavailable</html>"}, False),
    ("rate-limit-4", graph_error(4, status=403), True),
    ("rate-limit-17", graph_error(17, status=403), True),
    ("rate-limit-32", graph_error(32, status=403), True),
    ("rate-limit-613", graph_error(613, status=403), True),
    ("invalid-token-190", graph_error(190), True),
    *[
        (f"invalid-token-190-{sub}", graph_error(190, sub), True)
        for sub in (458, 459, 460, 463, 464, 467)
    ],
    ("code-used-100-36009", graph_error(100, 36009), True),
    (
        "malformed-json",
        {"status": 200, "body": '{"id": "1", "name": ', "content_type": "application/json"},
        False,
    ),
    ("not-json", {"status": 200, "body": "<html>hello</html>", "content_type": "text/html"}, False),
    ("json-false", {"status": 200, "json": False}, False),
]
ME_ONLY = [
    ("missing-id", {"status": 200, "json": {"name": "Ada Lovelace"}}, False),
    ("id-wrong-type", {"status": 200, "json": {"id": 10000000000000001, "name": "Ada"}}, False),
    ("id-object", {"status": 200, "json": {"id": {"$gt": ""}, "name": "Ada"}}, False),
]
CASES = [("token", *failure) for failure in FAILURES] + [
    ("me", *failure) for failure in FAILURES + ME_ONLY
]


def prepare(action, client):
    """Put the world in the state the action starts from; returns the user, if any."""
    if action == "login":
        user = User.objects.create_user("ada", "ada@example.org", "pw-12345-long")
        FacebookAccount.objects.create(user=user, facebook_id=ADA["id"], access_token="old")
        return user
    if action == "connect":
        user = User.objects.create_user("grace", "grace@example.org", "pw-12345-long")
        client.force_login(user)
        return user
    return None


def snapshot():
    return (
        list(User.objects.order_by("pk").values_list("pk", "username", "email", "last_login")),
        list(FacebookAccount.objects.order_by("pk").values()),
    )


@pytest.mark.parametrize("action", ["login", "register", "connect"])
@pytest.mark.parametrize(
    ("endpoint", "name", "answer", "traced"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_failure_changes_nothing(
    client, graph, caplog, settings, action, endpoint, name, answer, traced
):
    settings.FACEBOOK_GRAPH_RETRIES = 0
    caplog.set_level(logging.DEBUG)
    user = prepare(action, client)
    before = snapshot()
    target = graph.token if endpoint == "token" else graph.me
    graph.mock.replace(target.method, target.url, **answer)

    response = facebook_login(client, error_next="/oops/", next="/next/")

    assert response.status_code == 302
    assert response["Location"] == "/oops/?fb_error_or_cancel=1"
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert len(messages) == 1 and "Facebook" in messages[0]
    assert snapshot() == before
    # Still the same user after a failed connect; still anonymous after any other failure.
    if action == "connect":
        assert response.wsgi_request.user == user
    else:
        assert not response.wsgi_request.user.is_authenticated
    if traced:
        assert "fbtrace_id=TRACE-FAULT" in caplog.text
    assert TOKEN not in caplog.text
    assert settings.FACEBOOK_APP_SECRET not in caplog.text
    for session in Session.objects.all():
        assert TOKEN not in str(session.get_decoded())


def test_a_closed_port_is_an_expected_failure(client, settings):
    """A real refused connection, not a mocked one."""
    settings.FACEBOOK_GRAPH_URL = "http://127.0.0.1:9"
    settings.FACEBOOK_GRAPH_RETRIES = 1
    response = facebook_login(client, error_next="/oops/")
    assert response["Location"] == "/oops/?fb_error_or_cancel=1"
    assert not User.objects.exists()
