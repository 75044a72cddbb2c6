"""Error monitoring (config/sentry.py), offline: a transport keeps the events instead of
sending them. An exception in a Facebook view gives one event, holding none of the login's
secrets: token, code, state, signed request, cookies, the app secret or SECRET_KEY."""

import json

import pytest
import sentry_sdk
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from sentry_sdk.transport import Transport

from config.sentry import FILTERED, init_sentry, scrub_event
from django_facebook import views

from .conftest import TOKEN, start_login

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.database,
    # A warning of sentry-sdk's fails the test: a deprecated option (send_default_pii), or an
    # option it ignores (an event_scrubber beside data_collection), is one to replace now.
    pytest.mark.filterwarnings("error:::sentry_sdk"),
]
CODE = "AQD-the-one-time-login-code-0123456789"
EXCHANGE_TOKEN = "opaque-exchange-value-4567"


@pytest.fixture
def sentry_events():
    """Sentry started as production starts it, its events kept in this list."""
    events = []

    class KeepEvents(Transport):
        def capture_envelope(self, envelope):
            event = envelope.get_event()
            if event is not None:
                events.append(event)

    init_sentry("https://public-key@sentry.invalid/1", transport=KeepEvents)
    yield events
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: nothing is captured after this test


def test_a_failing_facebook_view_sends_one_scrubbed_event(
    sentry_events, graph, settings, monkeypatch
):
    def broken_connect(request, backend, profile, token, required):
        access_token = token.token  # a local variable Sentry would report
        assert access_token
        # Filtered by its key's name alone (sentry-sdk's EventScrubber, with the site's keys).
        sentry_sdk.set_extra("fb_exchange_token", EXCHANGE_TOKEN)
        raise RuntimeError("the site broke while connecting")

    monkeypatch.setattr(views, "_connect", broken_connect)
    client = Client(raise_request_exception=False)
    user = get_user_model().objects.create_user("grace", "grace@example.org", "pw-12345-long")
    client.force_login(user)
    state = start_login(client)

    response = client.get(reverse("facebook:callback"), {"code": CODE, "state": state})
    sentry_sdk.flush()

    assert response.status_code == 500
    assert len(sentry_events) == 1
    event = json.dumps(sentry_events[0])
    assert "the site broke while connecting" in event
    secrets = [TOKEN, CODE, state, client.cookies["sessionid"].value, EXCHANGE_TOKEN]
    secrets += [settings.SECRET_KEY, settings.FACEBOOK_APP_SECRET]
    for secret in secrets:
        assert secret not in event
    assert FILTERED in event


def test_no_personal_data_is_collected(sentry_events):
    options = sentry_sdk.get_client().options

    assert not sentry_sdk.get_client().should_send_default_pii()
    collected = options["data_collection"]
    assert collected["provided_by_user"]
    assert collected["user_info"] is False
    assert collected["cookies"] == {"mode": "off"}
    assert collected["http_bodies"] == []


def test_every_part_of_an_event_is_scrubbed(settings):
    signed_request = "c2lnbmF0dXJlLWJ5dGVz.eyJ1c2VyX2lkIjoiMTIzIn0"
    event = {
        "request": {
            "url": "https://example.com/facebook/callback/",
            "query_string": f"code={CODE}&state=the-state-value-123&next=/x/",
            "data": {"signed_request": signed_request},
            "cookies": {"sessionid": "the-session-key-123"},
            "headers": {"Cookie": "sessionid=the-session-key-123", "Authorization": "Bearer x"},
        },
        "breadcrumbs": {
            "values": [
                {"message": f"GET /me?access_token={TOKEN}"},
                {"message": "SET 'a1:1:sessions:thesessionkey0123456789abcdef01' [Filtered]"},
            ]
        },
        "exception": {
            "values": [
                {
                    "value": f"failed with {settings.FACEBOOK_APP_SECRET}",
                    "stacktrace": {"frames": [{"vars": {"url": f"/cb/?state=s3cr3t&code={CODE}"}}]},
                }
            ]
        },
        "extra": {"note": f"token {TOKEN} and key {settings.SECRET_KEY}"},
    }
    scrubbed = json.dumps(scrub_event(event, {}))

    secrets = (CODE, "the-state-value-123", "s3cr3t", TOKEN, "the-session-key-123")
    for secret in (*secrets, "thesessionkey0123456789abcdef01"):
        assert secret not in scrubbed
    assert settings.FACEBOOK_APP_SECRET not in scrubbed
    assert settings.SECRET_KEY not in scrubbed
    assert "next=/x/" in scrubbed
    assert "Bearer x" not in scrubbed


def test_local_variables_named_like_secrets_are_filtered():
    variables = {
        "state_value": "a-random-state-456",
        "user_token": "opaque-789",
        "pending_code": "one-time-012",
        "next_url": "/welcome/",
    }
    event = {"exception": {"values": [{"stacktrace": {"frames": [{"vars": variables}]}}]}}

    scrubbed = scrub_event(event, {})["exception"]["values"][0]["stacktrace"]["frames"][0]

    assert scrubbed["vars"] == {
        "state_value": FILTERED,
        "user_token": FILTERED,
        "pending_code": FILTERED,
        "next_url": "/welcome/",
    }


def test_without_a_dsn_nothing_starts(monkeypatch):
    monkeypatch.setattr(sentry_sdk, "init", lambda **options: pytest.fail("started Sentry"))

    init_sentry("")
