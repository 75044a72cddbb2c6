"""`manage.py facebook_app`: the dashboard URLs, the pinned Graph API version's status, and
the app id/secret check."""

from datetime import date
from io import StringIO

import pytest
import responses
from django.core.management import CommandError, call_command

from django_facebook.graph_versions import VERSIONS
from django_facebook.management.commands.facebook_app import Command

from .conftest import GRAPH

pytestmark = pytest.mark.system_independent


def run(**options):
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


def version_status(settings, version, today):
    """The status line for `version` on `today` (a fixed clock)."""
    settings.FACEBOOK_API_VERSION = version
    out = StringIO()
    Command(stdout=out).write_version_status(today)
    return out.getvalue()


def test_prints_the_pinned_versions_status(settings):
    output = run(site_url="https://example.com", no_check=True)
    assert f"Graph API version {settings.FACEBOOK_API_VERSION}: released on " in output


def test_the_status_needs_no_call_to_facebook(settings):
    with responses.RequestsMock() as graph:  # any request would fail: none is registered
        output = run(site_url="https://example.com", no_check=True)
        assert len(graph.calls) == 0
    assert "Graph API version" in output


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (date(2027, 1, 1), "v25.0: released on 2026-02-18; ends on 2028-07-29 (575 days left)."),
        (date(2028, 1, 30), "ends on 2028-07-29 (181 days left)."),
        (date(2028, 7, 28), "ends on 2028-07-29 (1 day left). Move to a newer version"),
        (date(2028, 7, 29), "ended today, 2028-07-29. Move to a newer version"),
        (date(2028, 8, 8), "ended on 2028-07-29 (10 days ago). Move to a newer version"),
    ],
)
def test_the_status_on_a_fixed_clock(settings, today, status):
    output = version_status(settings, "v25.0", today)
    assert output.startswith("Graph API version v25.0: released on 2026-02-18;")
    assert status in output
    # Far from its end: nothing to do yet.
    assert ("Move to" in output) == (today >= date(2028, 1, 31))


def test_the_status_of_an_end_not_announced(settings):
    unannounced = next(version for version in VERSIONS if version.ends is None)
    output = version_status(settings, unannounced.name, date(2030, 1, 1))
    released = unannounced.released.isoformat()
    assert f"{unannounced.name}: released on {released}; Facebook has not announced its end." in (
        output
    )


def test_the_status_of_a_version_not_in_the_table(settings):
    output = version_status(settings, "v99.0", date(2026, 12, 6))
    assert "v99.0: not in this site's table of Graph API versions" in output
    assert "django_facebook/graph_versions.py" in output
