"""The Graph API client: requests it sends, error mapping, retries, nothing secret in logs."""

import hashlib
import hmac
import logging

import pytest
import requests
import responses
from responses import matchers

from django_facebook import exceptions
from django_facebook.graph import GraphClient
from django_facebook.profile import FacebookProfile

from .conftest import GRAPH, TOKEN, graph_error_body

pytestmark = pytest.mark.system_independent

SECRET = "fakebook-test-app-secret"
FIELDS = ["id", "name", "email"]


@pytest.fixture
def mock():
    with responses.RequestsMock() as mock:
        yield mock


@pytest.fixture
def client():
    return GraphClient()


class TestRequests:
    def test_code_exchange_posts_the_secret_in_the_body(self, mock, client):
        mock.post(
            f"{GRAPH}/oauth/access_token",
            json={"access_token": TOKEN, "token_type": "bearer", "expires_in": 3600},
            match=[
                matchers.urlencoded_params_matcher(
                    {
                        "client_id": "100000000000001",
                        "client_secret": SECRET,
                        "redirect_uri": "https://example.com/cb/",
                        "code": "the-code",
                    }
                ),
                matchers.query_string_matcher(""),
            ],
        )
        token = client.exchange_code("the-code", "https://example.com/cb/")
        assert token.token == TOKEN
        assert token.expires_at is not None
        assert TOKEN not in repr(token)

    def test_me_sends_token_in_header_and_appsecret_proof(self, mock, client):
        proof = hmac.new(SECRET.encode(), TOKEN.encode(), hashlib.sha256).hexdigest()
        mock.get(
            f"{GRAPH}/me",
            json={"id": "1", "name": "Ada"},
            match=[
                matchers.query_param_matcher({"fields": "id,name,email", "appsecret_proof": proof}),
                matchers.header_matcher({"Authorization": f"Bearer {TOKEN}"}),
            ],
        )
        assert client.me(TOKEN, FIELDS) == {"id": "1", "name": "Ada"}
        assert TOKEN not in mock.calls[0].request.url

    def test_debug_token_uses_the_app_token(self, mock, client):
        mock.get(
            f"{GRAPH}/debug_token",
            json={"data": {"app_id": "100000000000001", "is_valid": True}},
            match=[
                matchers.query_param_matcher({"input_token": TOKEN}),
                matchers.header_matcher({"Authorization": f"Bearer 100000000000001|{SECRET}"}),
            ],
        )
        assert client.debug_token(TOKEN)["is_valid"] is True

    @pytest.mark.parametrize(
        ("answer", "has_expiry"),
        [
            ({"access_token": TOKEN}, False),
            ({"access_token": TOKEN, "expires_in": True}, False),
            ({"access_token": TOKEN, "expires_in": "3600"}, False),
            ({"access_token": TOKEN, "expires_in": 3600}, True),
        ],
    )
    def test_expires_in_is_optional(self, mock, client, answer, has_expiry):
        mock.post(f"{GRAPH}/oauth/access_token", json=answer)
        assert (client.exchange_code("c", "https://e.x/").expires_at is not None) is has_expiry

    @pytest.mark.parametrize(
        "answer", [{}, {"access_token": ""}, {"access_token": 12}, {"access_token": "x" * 5000}]
    )
    def test_unusable_token_answer(self, mock, client, answer):
        mock.post(f"{GRAPH}/oauth/access_token", json=answer)
        with pytest.raises(exceptions.MalformedResponse):
            client.exchange_code("c", "https://e.x/")


class TestErrors:
    @pytest.mark.parametrize(
        ("code", "subcode", "cls"),
        [
            (190, None, exceptions.OAuthError),
            (190, 458, exceptions.OAuthError),
            (190, 460, exceptions.OAuthError),
            (190, 463, exceptions.OAuthError),
            (190, 467, exceptions.OAuthError),
            (102, None, exceptions.OAuthError),
            (4, None, exceptions.RateLimitError),
            (17, None, exceptions.RateLimitError),
            (32, None, exceptions.RateLimitError),
            (613, None, exceptions.RateLimitError),
            (80001, None, exceptions.RateLimitError),
            (1, None, exceptions.TransientError),
            (2, None, exceptions.TransientError),
            (10, None, exceptions.GraphPermissionError),
            (200, None, exceptions.GraphPermissionError),
            (100, None, exceptions.GraphError),
        ],
    )
    def test_me_errors_map_by_code(self, mock, client, code, subcode, cls):
        mock.get(f"{GRAPH}/me", status=400, json=graph_error_body(code, subcode))
        with pytest.raises(cls) as raised:
            client.me(TOKEN, FIELDS)
        assert type(raised.value) is cls
        assert (raised.value.code, raised.value.subcode) == (code, subcode)
        assert raised.value.fbtrace_id == "TRACE42"

    def test_code_100_at_the_exchange_is_an_invalid_code(self, mock, client):
        mock.post(f"{GRAPH}/oauth/access_token", status=400, json=graph_error_body(100, 36009))
        with pytest.raises(exceptions.InvalidCodeError):
            client.exchange_code("c", "https://e.x/")

    def test_oauth_exception_without_code(self, mock, client):
        mock.get(f"{GRAPH}/me", status=400, json={"error": {"type": "OAuthException"}})
        with pytest.raises(exceptions.OAuthError):
            client.me(TOKEN, FIELDS)

    def test_error_body_wins_over_http_200(self, mock, client):
        mock.get(f"{GRAPH}/me", status=200, json=graph_error_body(190))
        with pytest.raises(exceptions.OAuthError):
            client.me(TOKEN, FIELDS)

    @pytest.mark.parametrize(
        ("kwargs", "cls"),
        [
            ({"body": requests.ConnectTimeout()}, exceptions.FacebookUnreachable),
            ({"body": requests.ReadTimeout()}, exceptions.FacebookUnreachable),
            ({"body": requests.ConnectionError()}, exceptions.FacebookUnreachable),
            ({"status": 503, "body": "<html>down</html>"}, exceptions.TransientError),
            ({"status": 500, "json": {"unexpected": True}}, exceptions.TransientError),
            ({"status": 404, "json": {"unexpected": True}}, exceptions.TransientError),
            ({"status": 200, "body": "<html>hi</html>"}, exceptions.MalformedResponse),
            ({"status": 200, "body": '{"access_token": '}, exceptions.MalformedResponse),
            ({"status": 200, "json": False}, exceptions.MalformedResponse),
            ({"status": 200, "json": ["a"]}, exceptions.MalformedResponse),
            ({"status": 400, "json": {"error": "text"}}, exceptions.TransientError),
        ],
    )
    def test_failures_become_facebook_errors(self, mock, client, kwargs, cls, settings):
        settings.FACEBOOK_GRAPH_RETRIES = 0
        mock.get(f"{GRAPH}/me", **kwargs)
        with pytest.raises(cls):
            client.me(TOKEN, FIELDS)

    def test_log_names_the_trace_id_never_the_token(self, mock, client, caplog):
        caplog.set_level(logging.DEBUG)
        mock.get(f"{GRAPH}/me", status=400, json=graph_error_body(190, 460))
        with pytest.raises(exceptions.OAuthError):
            client.me(TOKEN, FIELDS)
        assert "fbtrace_id=TRACE42" in caplog.text
        assert "code=190 subcode=460" in caplog.text
        assert TOKEN not in caplog.text
        assert SECRET not in caplog.text


class TestRetries:
    def test_get_is_retried_on_5xx(self, mock, client):
        mock.get(f"{GRAPH}/me", status=503, body="busy")
        mock.get(f"{GRAPH}/me", json={"id": "1"})
        assert client.me(TOKEN, FIELDS) == {"id": "1"}
        assert len(mock.calls) == 2

    def test_get_gives_up_after_the_configured_retries(self, mock, client, settings):
        settings.FACEBOOK_GRAPH_RETRIES = 2
        client = GraphClient()
        for _ in range(3):
            mock.get(f"{GRAPH}/me", status=502, body="bad gateway")
        with pytest.raises(exceptions.TransientError):
            client.me(TOKEN, FIELDS)
        assert len(mock.calls) == 3

    def test_code_exchange_is_not_repeated_on_5xx(self, mock, client):
        mock.post(f"{GRAPH}/oauth/access_token", status=503, body="busy")
        with pytest.raises(exceptions.TransientError):
            client.exchange_code("c", "https://e.x/")
        assert len(mock.calls) == 1


class TestProfile:
    @pytest.mark.parametrize(
        "data",
        [{}, {"id": 123}, {"id": {"x": 1}}, {"id": ""}, {"id": "12a"}, {"id": "1" * 33}],
    )
    def test_id_must_be_a_string_of_digits(self, data):
        with pytest.raises(exceptions.MalformedResponse):
            FacebookProfile.from_graph(data)

    def test_fields_are_checked_and_trimmed(self):
        profile = FacebookProfile.from_graph(
            {
                "id": "42",
                "name": "A\x00da " + "x" * 300,
                "first_name": ["not", "text"],
                "email": "not-an-email",
                "picture": {"data": {"url": "javascript:alert(1)"}},
            }
        )
        assert profile.name.startswith("Ada ")
        assert len(profile.name) == 255
        assert (profile.first_name, profile.email, profile.picture_url) == ("", "", "")

    def test_email_domain_is_normalized(self):
        assert FacebookProfile.from_graph({"id": "1", "email": "Ada@EXAMPLE.com"}).email == (
            "Ada@example.com"
        )


def test_the_environment_is_read_once_per_graph_url(monkeypatch, tmp_path):
    """Proxies and the CA bundle come from the environment as requests reads them, but once:
    requests' own per-call scan of the environment (trust_env) is off."""
    from django_facebook.graph import environment_settings, pooled_session

    bundle = tmp_path / "ca.pem"
    bundle.write_text("")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", str(bundle))
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.invalid:3128")
    monkeypatch.setenv("NO_PROXY", "graph.internal")
    environment_settings.cache_clear()
    try:
        outside = environment_settings("https://graph.example.com")
        assert outside["verify"] == str(bundle)
        assert outside["proxies"]["https"] == "http://proxy.invalid:3128"
        assert environment_settings("https://graph.internal")["proxies"] == {}
        assert pooled_session(2).trust_env is False
    finally:
        environment_settings.cache_clear()
