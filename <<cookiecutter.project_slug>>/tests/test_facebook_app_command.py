"""`manage.py facebook_app`: the dashboard URLs, and the app id/secret check."""

import pytest
import responses
from django.core.management import CommandError, call_command

from .conftest import GRAPH

pytestmark = pytest.mark.system_independent


def run(**options):
    from io import StringIO

    out = StringIO()
    call_command("facebook_app", stdout=out, **options)
    return out.getvalue()


def test_prints_every_url_to_register():
    output = run(site_url="https://example.com", no_check=True)
    for url in (
        "https://example.com/facebook/callback/",
        "https://example.com/facebook/deauthorize/",
        "https://example.com/facebook/data-deletion/",
        "https://example.com/privacy/",
    ):
        assert url in output


def test_the_configured_redirect_uri_is_the_one_printed(settings):
    settings.FACEBOOK_REDIRECT_URI = "https://www.example.com/facebook/callback/"
    output = run(no_check=True)
    assert "https://www.example.com/facebook/callback/" in output
    assert "https://www.example.com/privacy/" in output


def test_needs_a_site_url(settings):
    settings.FACEBOOK_REDIRECT_URI = ""
    with pytest.raises(CommandError, match="--site-url"):
        run()


@responses.activate
def test_accepted_credentials(settings):
    app_token = f"{settings.FACEBOOK_APP_ID}|{settings.FACEBOOK_APP_SECRET}"
    responses.get(
        f"{GRAPH}/{settings.FACEBOOK_APP_ID}",
        json={"id": settings.FACEBOOK_APP_ID, "name": "My App"},
        match=[responses.matchers.header_matcher({"Authorization": f"Bearer {app_token}"})],
    )
    output = run(site_url="https://example.com")
    assert "OK: Facebook knows the app 'My App'" in output
    assert settings.FACEBOOK_APP_SECRET not in output


@responses.activate
def test_refused_credentials_fail_the_command(settings):
    responses.get(
        f"{GRAPH}/{settings.FACEBOOK_APP_ID}",
        status=400,
        json={
            "error": {"message": "Invalid token signature.", "type": "OAuthException", "code": 190}
        },
    )
    with pytest.raises(CommandError, match="refused"):
        run(site_url="https://example.com")


def test_no_network_is_said_plainly(settings):
    settings.FACEBOOK_GRAPH_URL = "http://127.0.0.1:9"  # nothing listens on the discard port
    settings.FACEBOOK_GRAPH_RETRIES = 0
    output = run(site_url="https://example.com")
    assert "could not be reached" in output
    assert "not checked" in output


def test_checks_against_the_stand_in(live_server, settings):
    settings.FACEBOOK_GRAPH_URL = f"{live_server.url}/fakebook/graph"
    assert "OK: Facebook knows the app" in run(site_url=live_server.url)
