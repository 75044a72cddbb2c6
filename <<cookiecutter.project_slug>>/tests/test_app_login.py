"""App login (README.md, "Apps"): SDK access tokens and Limited Login ID tokens.

Each action through each token kind, each refusal with nothing written, the session the
client gets (cookie for a browser app, X-Session-Token for a native one) and what ends it,
login CSRF, and the throttles. The stand-in answers the site's Graph and JWKS calls
in-process (tests/facebook_double.py), so the calls are counted: 2 per access-token login, 0 per
ID-token login once the keys are cached.
"""

import base64
import functools
import hashlib
import hmac
import json
import time
import uuid

import jwt
import pytest
import requests
import responses
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core.cache.backends.locmem import LocMemCache
from django.test import Client
from django.urls import reverse

from django_facebook import shared_cache, signals, throttle
from django_facebook.conf import setting
from django_facebook.models import AppNonce, FacebookAccount
from django_facebook.session_tokens import HEADER
from fakebook import faults, limited_login, store
from fakebook.callbacks import signed_request_for

from .browser import password_page
from .conftest import Clock, app_login, graph_error_body, native, new_nonce, signals_sent
from .facebook_double import PEOPLE, fresh_state

pytestmark = [pytest.mark.django_db, pytest.mark.database]
User = get_user_model()
PROFILE = reverse("accounts:profile")


@pytest.fixture(autouse=True)
def generous_throttle(settings):
    """The throttle counts every request of the test client's one address; TestThrottling
    sets its own limits."""
    settings.FACEBOOK_APP_THROTTLE = {"client": (10_000, 60), "facebook_id": (10_000, 60)}


def login_body(kind, fakebook, client, person="katherine"):
    """A valid login body of `kind` for `person`."""
    if kind == "access_token":
        return {"access_token": fakebook.access_token(person)}
    nonce = new_nonce(client)
    return {"id_token": fakebook.id_token(person, nonce), "nonce": nonce}


def snapshot():
    return (
        User.objects.count(),
        FacebookAccount.objects.count(),
        list(FacebookAccount.objects.values_list("access_token", "deauthorized_at")),
    )


def is_logged_in(token, user=None):
    """Does a request with this session token reach the account page as `user`?"""
    answer = Client().get(PROFILE, headers={HEADER: token})
    if answer.status_code != 200:
        return False
    return user is None or answer.context["user"] == user


KINDS = ["access_token", "id_token"]


@pytest.mark.parametrize("kind", KINDS)
class TestActions:
    def test_register(self, client, fakebook, kind):
        body = login_body(kind, fakebook, client)
        with signals_sent(signals.facebook_user_registered) as sent:
            answer = app_login(client, body)
        assert answer.status_code == 200, answer.content
        data = answer.json()
        user = User.objects.get()
        assert data["action"] == "register"
        assert data["user_id"] == user.pk
        assert data["authenticated"] is True
        assert data["session"] == "token"
        assert answer[HEADER] == data["session_token"]
        assert user.email == "katherine@example.com"
        assert user.facebook_account.facebook_id == PEOPLE["katherine"].id
        assert [kwargs["user"] for _, kwargs in sent] == [user]
        assert is_logged_in(data["session_token"], user)
        assert settings_cookie_absent(answer)

    def test_login(self, client, fakebook, kind):
        first = app_login(client, login_body(kind, fakebook, client)).json()
        answer = app_login(Client(), login_body(kind, fakebook, client))
        data = answer.json()
        assert data["action"] == "login"
        assert data["user_id"] == first["user_id"]
        assert data["session_token"] != first["session_token"]
        assert User.objects.count() == 1
        assert is_logged_in(data["session_token"])

    def test_connect(self, client, fakebook, kind):
        grace = User.objects.create_user("grace", "grace@example.org", "pw-12345-long")
        client.force_login(grace)
        token = client.cookies["sessionid"].value
        body = login_body(kind, fakebook, Client())
        with signals_sent(signals.facebook_user_connected) as sent:
            answer = app_login(Client(), body, token=token)
        assert answer.json()["action"] == "connect"
        assert answer.json()["user_id"] == grace.pk
        assert FacebookAccount.objects.get().user == grace
        assert len(sent) == 1
        assert User.objects.count() == 1

    def test_email_of_another_account_is_never_taken_over(self, client, fakebook, kind):
        User.objects.create_user("kj", "Katherine@Example.com", "pw-12345-long")
        before = snapshot()
        answer = app_login(client, login_body(kind, fakebook, client))
        assert answer.status_code == 409
        assert answer.json()["error"] == "email_in_use"
        assert snapshot() == before

    def test_complete_your_account(self, client, fakebook, kind):
        User.objects.create_user("katherine.johnson", "kj@example.org", "pw-12345-long")
        answer = app_login(client, login_body(kind, fakebook, client))
        assert answer.status_code == 422
        data = answer.json()
        assert data["error"] == "incomplete_profile"
        assert "username" in data["fields"]
        assert data["data"]["email"] == "katherine@example.com"
        assert User.objects.count() == 1
        submit = native(
            client,
            data["complete_url"],
            {**data["data"], "username": "katherine"},
            token=data["session_token"],
        )
        assert submit.status_code == 200, submit.content
        assert submit.json()["action"] == "register"
        assert User.objects.get(username="katherine").facebook_account
        # The sign-up is done: the (new) session holds no pending one any more.
        token = submit.json()["session_token"]
        again = native(client, data["complete_url"], {"username": "k2"}, token=token)
        assert again.status_code == 400
        assert again.json()["error"] == "no_pending_registration"


def settings_cookie_absent(answer):
    return "sessionid" not in answer.cookies


class TestGraphCalls:
    def test_access_token_login_makes_two_graph_calls(self, client, fakebook):
        app_login(client, login_body("access_token", fakebook, client))
        calls = fakebook.graph_calls()
        assert len(calls) == 2
        assert "/debug_token" in calls[0]
        assert "/me" in calls[1]

    def test_id_token_login_makes_none_once_the_keys_are_cached(self, client, fakebook):
        app_login(client, login_body("id_token", fakebook, client))
        assert len(fakebook.jwks_calls()) == 1
        app_login(Client(), login_body("id_token", fakebook, client))
        assert len(fakebook.jwks_calls()) == 1
        assert fakebook.graph_calls() == []


def refused(client, body, status, error, **extra):
    before = snapshot()
    answer = app_login(client, body, **extra)
    assert answer.status_code == status, answer.content
    assert answer.json()["error"] == error
    assert answer.json()["message"]
    assert snapshot() == before
    return answer


class TestAccessTokenRefusals:
    def test_token_of_another_app(self, client, fakebook):
        token = fakebook.access_token("ada", foreign=True)
        refused(client, {"access_token": token}, 401, "token_substitution")

    def test_token_naming_another_person_than_me(self, client, settings):
        graph = f"{settings.FACEBOOK_GRAPH_URL}/{settings.FACEBOOK_API_VERSION}"
        with responses.RequestsMock() as mock:
            mock.get(
                f"{graph}/debug_token",
                json={
                    "data": {
                        "app_id": settings.FACEBOOK_APP_ID,
                        "type": "USER",
                        "is_valid": True,
                        "user_id": "999",
                        "scopes": ["public_profile"],
                    }
                },
            )
            mock.get(f"{graph}/me", json={"id": "1000", "name": "Someone Else"})
            refused(client, {"access_token": "EAAsomeone"}, 401, "token_substitution")

    def test_revoked_token(self, client, fakebook):
        token = fakebook.access_token("ada")
        store.revoke_user(PEOPLE["ada"].id)
        refused(client, {"access_token": token}, 401, "invalid_token")

    def test_expired_token(self, client, fakebook, monkeypatch):
        token = fakebook.access_token("ada")
        later = time.time() + store.TOKEN_LIFETIME + 60
        monkeypatch.setattr(store, "now", lambda: later)
        refused(client, {"access_token": token}, 401, "invalid_token")

    def test_unknown_token(self, client, fakebook):
        refused(client, {"access_token": "EAAmadeup"}, 401, "invalid_token")

    def test_page_token(self, client, fakebook):
        """A Page's token, issued to this app by a person who manages the Page: valid, but
        debug_token's `type` is PAGE, not USER. Refused before /me is asked."""
        answer = Client().post(
            reverse("fakebook:sdk_access_token"), {"person": "ada", "type": "page"}
        )
        token = answer.json()["access_token"]
        refused(client, {"access_token": token}, 401, "invalid_token")
        assert [url for url in fakebook.graph_calls() if "/me" in url] == []

    def test_app_token(self, client, fakebook, settings):
        """The app's own app token: valid and this app's, but its `type` is APP."""
        token = f"{settings.FACEBOOK_APP_ID}|{settings.FACEBOOK_APP_SECRET}"
        refused(client, {"access_token": token}, 401, "invalid_token")

    def test_missing_permission(self, client, fakebook, settings):
        settings.FACEBOOK_APP_REQUIRED_SCOPES = ["public_profile", "email"]
        token = fakebook.access_token("alan")  # declines email
        refused(client, {"access_token": token}, 403, "permissions_missing")

    @pytest.mark.parametrize(
        ("kind", "status", "error"),
        [
            ("500", 503, "facebook_unavailable"),
            ("rate_limit", 503, "facebook_busy"),
            ("not_json", 502, "facebook_malformed_answer"),
        ],
    )
    def test_graph_failure(self, client, fakebook, settings, kind, status, error):
        settings.FACEBOOK_GRAPH_RETRIES = 0
        token = fakebook.access_token("ada")
        faults.inject("debug_token", kind)
        refused(client, {"access_token": token}, status, error)

    def test_graph_error_on_me(self, client, fakebook, settings):
        settings.FACEBOOK_GRAPH_RETRIES = 0
        token = fakebook.access_token("ada")
        faults.inject("me", "revoked")
        refused(client, {"access_token": token}, 401, "invalid_token")


def b64(data):
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def claims_for(person, nonce, **changes):
    now = int(time.time())
    user = PEOPLE[person]
    claims = {
        "iss": limited_login.ISSUER,
        "aud": "100000000000001",
        "sub": user.id,
        "iat": now,
        "exp": now + 3600,
        "jti": uuid.uuid4().hex,
        "nonce": nonce,
        "name": user.name,
    }
    claims.update(changes)
    return {name: value for name, value in claims.items() if value is not None}


def signed_by_facebook(claims, **headers):
    """Signed with the stand-in's real current key, with these header fields (None: left
    out); a refusal of it is the site's check of a claim or a header, not of the signature."""
    key = limited_login.signing_keys()[0]
    fields = {"typ": "JWT", "kid": key["kid"], **headers}
    token = jwt.encode(claims, key["pem"], algorithm="RS256", headers=fields)
    assert ("typ" in jwt.get_unverified_header(token)) == (fields["typ"] is not None)
    return token


def older_than_a_nonce():
    """An `iat` further back than a nonce lives, clock skew allowed."""
    max_age = setting("FACEBOOK_APP_NONCE_MAX_AGE") + setting("FACEBOOK_ID_TOKEN_LEEWAY")
    return int(time.time()) - max_age - 5


def hs256_with_public_key(claims):
    """The classic forgery: HS256, "signed" with the RSA public key (PEM) as the secret."""
    kid = limited_login.signing_keys()[0]["kid"]
    header = b64({"alg": "HS256", "typ": "JWT", "kid": kid})
    payload = b64(claims)
    private = serialization.load_pem_private_key(
        limited_login.signing_keys()[0]["pem"].encode(), None
    )
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    signature = hmac.new(pem, f"{header}.{payload}".encode(), hashlib.sha256).digest()
    return f"{header}.{payload}.{b64(signature)}"


def alg_none(claims):
    kid = limited_login.signing_keys()[0]["kid"]
    return f"{b64({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{b64(claims)}."


@functools.cache
def stranger_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def signed_by_stranger(claims, kid=None):
    """Signed with a key of nobody's JWKS; `kid` claims one of the stand-in's."""
    headers = {"kid": kid or uuid.uuid4().hex}
    return jwt.encode(claims, stranger_key(), algorithm="RS256", headers=headers)


class TestIdTokenRefusals:
    @pytest.fixture
    def nonce(self, client, fakebook):
        return new_nonce(client)

    def assert_nonce_kept(self, nonce):
        """A refused forgery never uses up the nonce of a genuine login."""
        assert AppNonce.objects.filter(value=nonce).exists()

    @pytest.mark.parametrize(
        "forge",
        [
            pytest.param(lambda n: alg_none(claims_for("ada", n)), id="alg-none"),
            pytest.param(lambda n: hs256_with_public_key(claims_for("ada", n)), id="hs256"),
            pytest.param(
                lambda n: limited_login.id_token(PEOPLE["ada"], n, aud="200000000000002"),
                id="other-aud",
            ),
            pytest.param(
                lambda n: limited_login.id_token(PEOPLE["ada"], n, iss="https://evil.example"),
                id="other-iss",
            ),
            pytest.param(
                lambda n: limited_login.id_token(
                    PEOPLE["ada"], n, exp=int(time.time()) - 120, iat=int(time.time()) - 3720
                ),
                id="expired",
            ),
            pytest.param(
                lambda n: limited_login.id_token(PEOPLE["ada"], n, iat=int(time.time()) + 3600),
                id="issued-in-the-future",
            ),
            pytest.param(
                lambda n: signed_by_stranger(
                    claims_for("ada", n), kid=limited_login.signing_keys()[0]["kid"]
                ),
                id="known-kid-wrong-key",
            ),
            pytest.param(lambda n: signed_by_stranger(claims_for("ada", n)), id="unknown-kid"),
            pytest.param(
                lambda n: limited_login.id_token(PEOPLE["ada"], n, sub="not-an-id"),
                id="bad-sub",
            ),
            pytest.param(lambda n: "not.a.jwt", id="garbage"),
            pytest.param(lambda n: signed_by_facebook(claims_for("ada", n, jti=None)), id="no-jti"),
            pytest.param(
                lambda n: limited_login.id_token(PEOPLE["ada"], n, jti=""), id="empty-jti"
            ),
            pytest.param(
                lambda n: limited_login.id_token(PEOPLE["ada"], n, jti=12345), id="jti-not-a-string"
            ),
            pytest.param(
                lambda n: signed_by_facebook(claims_for("ada", n), typ=None), id="typ-absent"
            ),
            # An OAuth access token in JWT form (RFC 9068) is not an ID token.
            pytest.param(
                lambda n: signed_by_facebook(claims_for("ada", n), typ="at+jwt"), id="typ-at+jwt"
            ),
            pytest.param(
                lambda n: limited_login.id_token(PEOPLE["ada"], n, iat=older_than_a_nonce()),
                id="older-than-a-nonce",
            ),
        ],
    )
    def test_forgery(self, client, fakebook, nonce, forge):
        refused(client, {"id_token": forge(nonce), "nonce": nonce}, 401, "invalid_token")
        self.assert_nonce_kept(nonce)

    def test_the_real_key_signs_what_the_forgeries_change(self, client, fakebook, nonce):
        """signed_by_facebook and claims_for, unchanged, make a token the site accepts: the
        forgeries above are refused for what they change, not for how they are made."""
        claims = claims_for("katherine", nonce, email=PEOPLE["katherine"].email)
        answer = app_login(client, {"id_token": signed_by_facebook(claims), "nonce": nonce})
        assert answer.status_code == 200, answer.content

    def test_a_token_as_old_as_its_nonce_is_accepted(self, client, fakebook, nonce):
        """The age limit is the nonce's lifetime: a token issued when the nonce was is fine."""
        issued = int(time.time()) - setting("FACEBOOK_APP_NONCE_MAX_AGE")
        token = limited_login.id_token(PEOPLE["katherine"], nonce, iat=issued)
        answer = app_login(client, {"id_token": token, "nonce": nonce})
        assert answer.status_code == 200, answer.content

    def test_nonce_missing(self, client, fakebook, nonce):
        token = fakebook.id_token("ada", nonce)
        refused(client, {"id_token": token}, 400, "invalid_request")

    def test_nonce_never_issued(self, client, fakebook):
        made_up = "x" * 43
        refused(
            client,
            {"id_token": fakebook.id_token("ada", made_up), "nonce": made_up},
            401,
            "invalid_nonce",
        )

    def test_nonce_of_another_login(self, client, fakebook, nonce):
        other = new_nonce(client)
        token = fakebook.id_token("ada", other)
        refused(client, {"id_token": token, "nonce": nonce}, 401, "invalid_nonce")

    def test_nonce_expired(self, client, fakebook, nonce):
        AppNonce.objects.update(expires_at="2000-01-01T00:00:00Z")
        token = fakebook.id_token("ada", nonce)
        refused(client, {"id_token": token, "nonce": nonce}, 401, "invalid_nonce")

    def test_replayed_token(self, client, fakebook, nonce):
        body = {"id_token": fakebook.id_token("ada", nonce), "nonce": nonce}
        assert app_login(client, body).status_code == 200
        refused(Client(), body, 401, "invalid_nonce")
        assert not AppNonce.objects.exists()

    def test_jwks_fetch_failure(self, client, fakebook, nonce, settings):
        settings.FACEBOOK_GRAPH_RETRIES = 0
        faults.inject("jwks", "500")
        token = fakebook.id_token("ada", nonce)
        answer = refused(client, {"id_token": token, "nonce": nonce}, 503, "facebook_unreachable")
        assert answer["Retry-After"]
        self.assert_nonce_kept(nonce)

    def test_jwks_fetch_timeout(self, client, settings):
        fresh_state()
        with responses.RequestsMock() as mock:
            mock.get(settings.FACEBOOK_JWKS_URL, body=requests.ReadTimeout())
            nonce = AppNonce.objects.create(value="n" * 43, expires_at="2999-01-01T00:00:00Z")
            token = limited_login.id_token(PEOPLE["ada"], nonce.value)
            refused(client, {"id_token": token, "nonce": nonce.value}, 503, "facebook_unreachable")

    def test_jwks_not_a_key_set(self, client, fakebook, nonce, settings):
        settings.FACEBOOK_GRAPH_RETRIES = 0
        faults.inject("jwks", "not_json")
        token = fakebook.id_token("ada", nonce)
        refused(client, {"id_token": token, "nonce": nonce}, 502, "facebook_malformed_answer")


class TestKeyRotation:
    def test_unknown_kid_refetches_once_then_accepts_the_new_key(self, client, fakebook, settings):
        settings.FACEBOOK_JWKS_REFRESH_INTERVAL = 0
        assert app_login(client, login_body("id_token", fakebook, client, "ada")).status_code == 200
        assert len(fakebook.jwks_calls()) == 1
        self.rotate(client)
        answer = app_login(Client(), login_body("id_token", fakebook, client, "ada"))
        assert answer.status_code == 200, answer.content
        assert len(fakebook.jwks_calls()) == 2

    def test_unknown_kid_within_the_refresh_interval_fetches_nothing(
        self, client, fakebook, settings
    ):
        settings.FACEBOOK_JWKS_REFRESH_INTERVAL = 300
        app_login(client, login_body("id_token", fakebook, client, "ada"))
        self.rotate(client)
        nonce = new_nonce(client)
        refused(
            Client(),
            {"id_token": fakebook.id_token("ada", nonce), "nonce": nonce},
            401,
            "invalid_token",
        )
        assert len(fakebook.jwks_calls()) == 1

    def test_a_made_up_kid_costs_one_fetch_at_most(self, client, fakebook, settings):
        settings.FACEBOOK_JWKS_REFRESH_INTERVAL = 0
        nonce = new_nonce(client)
        refused(
            client,
            {"id_token": signed_by_stranger(claims_for("ada", nonce)), "nonce": nonce},
            401,
            "invalid_token",
        )
        assert len(fakebook.jwks_calls()) == 2  # the first fetch, and one refresh

    @staticmethod
    def rotate(client):
        answer = client.post(reverse("fakebook:sdk_rotate_key"))
        assert answer.status_code == 200
        return answer.json()["kid"]


class TestBadRequests:
    def test_get_is_refused(self, client):
        answer = client.get(reverse("facebook:app_login"))
        assert answer.status_code == 405
        assert answer.json()["error"] == "method_not_allowed"

    def test_form_body_is_refused(self, client, fakebook):
        before = snapshot()
        answer = client.post(
            reverse("facebook:app_login"),
            {"access_token": fakebook.access_token("ada")},
            headers={HEADER: ""},
        )
        assert answer.status_code == 415
        assert snapshot() == before

    def test_both_tokens_are_refused(self, client, fakebook):
        refused(
            client,
            {"access_token": "EAAx", "id_token": "a.b.c", "nonce": "n"},
            400,
            "invalid_request",
        )

    def test_neither_token_is_refused(self, client, fakebook):
        refused(client, {}, 400, "invalid_request")


class TestLoginCsrf:
    """A page on another site cannot log a visitor's browser in through these endpoints."""

    def test_browser_post_without_csrf_token_is_refused(self, fakebook):
        browser = Client(enforce_csrf_checks=True)
        before = snapshot()
        answer = browser.post(
            reverse("facebook:app_login"),
            {"access_token": fakebook.access_token("ada")},
            content_type="application/json",
        )
        assert answer.status_code == 403
        assert answer.json()["error"] == "csrf_failed"
        assert "sessionid" not in answer.cookies
        assert snapshot() == before

    def test_cross_site_form_post_is_refused(self, fakebook):
        browser = Client(enforce_csrf_checks=True)
        answer = browser.post(
            reverse("facebook:app_login"),
            {"access_token": fakebook.access_token("ada")},
            headers={"Origin": "https://evil.example"},
        )
        assert answer.status_code == 403
        assert "sessionid" not in answer.cookies
        assert User.objects.count() == 0

    def test_same_site_browser_app_gets_the_session_cookie(self, fakebook):
        browser = Client(enforce_csrf_checks=True)
        assert browser.post(reverse("facebook:app_nonce")).status_code == 200
        csrf = browser.cookies["csrftoken"].value
        answer = browser.post(
            reverse("facebook:app_login"),
            {"access_token": fakebook.access_token("ada")},
            content_type="application/json",
            headers={"X-CSRFToken": csrf},
        )
        assert answer.status_code == 200, answer.content
        data = answer.json()
        assert data["session"] == "cookie"
        assert "session_token" not in data
        assert browser.cookies["sessionid"].value
        # The login rotated the CSRF token, and the answer sets the new cookie.
        assert sorted(answer.cookies) == ["csrftoken", "sessionid"]
        assert answer.cookies["csrftoken"].value != csrf
        # Later unsafe requests carry the new CSRF token.
        logout = browser.post(reverse("facebook:app_logout"), headers={"X-CSRFToken": csrf})
        assert logout.status_code == 403
        logout = browser.post(
            reverse("facebook:app_logout"), headers={"X-CSRFToken": data["csrf_token"]}
        )
        assert logout.status_code == 200

    def test_token_login_never_touches_the_browsers_session(self, client, fakebook):
        victim = User.objects.create_user("victim", "victim@example.org", "pw-12345-long")
        client.force_login(victim)
        cookie = client.cookies["sessionid"].value
        answer = client.post(
            reverse("facebook:app_login"),
            {"access_token": fakebook.access_token("ada")},
            content_type="application/json",
            headers={HEADER: ""},
        )
        assert answer.json()["action"] == "register"  # not "connect" to the victim's account
        assert "sessionid" not in answer.cookies
        assert not FacebookAccount.objects.filter(user=victim).exists()
        assert client.get(PROFILE).context["user"] == victim
        assert client.cookies["sessionid"].value == cookie


class TestSessionToken:
    @pytest.fixture
    def logged_in(self, client, fakebook):
        answer = app_login(client, login_body("access_token", fakebook, client, "ada"))
        token = answer.json()["session_token"]
        assert is_logged_in(token)
        return User.objects.get(), token

    def test_unsafe_requests_need_no_csrf_token(self, logged_in):
        _, token = logged_in
        answer = Client(enforce_csrf_checks=True).post(
            reverse("facebook:app_logout"), headers={HEADER: token}
        )
        assert answer.status_code == 200

    def test_logout_ends_it(self, logged_in):
        _, token = logged_in
        answer = native(Client(), reverse("facebook:app_logout"), token=token)
        assert answer.status_code == 200
        assert answer[HEADER] == ""
        assert not is_logged_in(token)
        assert not Session.objects.filter(session_key=token).exists()

    def test_password_change_ends_it(self, logged_in):
        user, token = logged_in
        user.set_password("a-brand-new-passphrase")
        user.save()
        assert not is_logged_in(token)

    def test_password_change_through_the_token_keeps_that_session(self, logged_in):
        user, token = logged_in
        page, (new1, new2) = password_page(Client(), headers={HEADER: token})
        answer = Client().post(
            page,
            {new1: "a-brand-new-passphrase", new2: "a-brand-new-passphrase"},
            headers={HEADER: token},
        )
        assert answer.status_code == 302
        assert set_cookies(answer) == []  # no session cookie, no messages cookie
        assert answer[HEADER] != token  # rotated
        assert is_logged_in(answer[HEADER], user)
        assert not is_logged_in(token)

    def test_deauthorize_callback_ends_it(self, client, logged_in):
        _, token = logged_in
        answer = client.post(
            reverse("facebook:deauthorize"),
            {"signed_request": signed_request_for(PEOPLE["ada"].id)},
        )
        assert answer.status_code == 200
        assert not is_logged_in(token)

    def test_data_deletion_callback_ends_it(self, client, logged_in):
        _, token = logged_in
        answer = client.post(
            reverse("facebook:data_deletion"),
            {"signed_request": signed_request_for(PEOPLE["ada"].id)},
        )
        assert answer.status_code == 200
        assert not FacebookAccount.objects.exists()
        assert not is_logged_in(token)

    def test_a_new_login_after_deauthorize_works(self, client, fakebook, logged_in):
        client.post(
            reverse("facebook:deauthorize"),
            {"signed_request": signed_request_for(PEOPLE["ada"].id)},
        )
        answer = app_login(Client(), login_body("access_token", fakebook, client, "ada"))
        assert is_logged_in(answer.json()["session_token"])

    def test_made_up_token_is_a_new_anonymous_session(self):
        for token in ("x" * 32, "not a key!", "a" * 5000):
            assert not is_logged_in(token)


def set_cookies(answer):
    """The names of the cookies an answer sets (its Set-Cookie headers)."""
    return sorted(answer.cookies)


@pytest.mark.parametrize("kind", KINDS)
class TestNativeAppsGetNoCookie:
    """A client sending X-Session-Token gets no Set-Cookie at all, on any answer of its flow:
    not the session's, and not the CSRF token's, which auth.login rotates."""

    def test_nonce_register_complete_and_logout(self, client, fakebook, kind):
        User.objects.create_user("katherine.johnson", "kj@example.org", "pw-12345-long")
        nonce = native(client, reverse("facebook:app_nonce"))
        assert nonce.status_code == 200
        assert set_cookies(nonce) == []
        if kind == "access_token":
            body = {"access_token": fakebook.access_token("katherine")}
        else:
            body = {"id_token": fakebook.id_token("katherine", nonce.json()["nonce"])}
            body["nonce"] = nonce.json()["nonce"]
        incomplete = app_login(client, body)
        assert incomplete.status_code == 422
        assert set_cookies(incomplete) == []
        data = incomplete.json()
        complete = native(
            client,
            data["complete_url"],
            {**data["data"], "username": "katherine"},
            token=data["session_token"],
        )
        assert complete.status_code == 200, complete.content
        assert complete.json()["authenticated"] is True
        assert set_cookies(complete) == []
        token = complete.json()["session_token"]
        page = client.get(PROFILE, headers={HEADER: token})  # a page with {% csrf_token %}
        assert page.status_code == 200
        assert set_cookies(page) == []
        logout = native(client, reverse("facebook:app_logout"), token=token)
        assert logout.status_code == 200
        assert set_cookies(logout) == []
        assert not client.cookies

    def test_login_of_a_known_person(self, client, fakebook, kind):
        app_login(Client(), login_body(kind, fakebook, client))
        answer = app_login(client, login_body(kind, fakebook, client))
        assert answer.json()["action"] == "login"
        assert set_cookies(answer) == []
        assert not client.cookies

    def test_refusal(self, client, fakebook, kind):
        body = {"access_token": "EAAmadeup"}
        if kind == "id_token":
            body = {"id_token": "not.a.jwt", "nonce": new_nonce(client)}
        answer = app_login(client, body)
        assert answer.status_code == 401
        assert set_cookies(answer) == []


@pytest.mark.usefixtures("throttle_clock")
class TestThrottling:
    def test_per_client(self, fakebook, settings):
        settings.FACEBOOK_APP_THROTTLE = {"client": (3, 60), "facebook_id": (100, 60)}
        address = f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.7"
        statuses = [
            app_login(Client(), {"access_token": "EAAguess"}, REMOTE_ADDR=address).status_code
            for _ in range(4)
        ]
        assert statuses == [401, 401, 401, 429]
        answer = native(Client(), reverse("facebook:app_nonce"), REMOTE_ADDR=address)
        assert answer.status_code == 429
        assert int(answer["Retry-After"]) > 0
        other = app_login(Client(), {"access_token": "EAAguess"}, REMOTE_ADDR="10.254.254.254")
        assert other.status_code == 401

    def test_per_facebook_id(self, client, fakebook, settings):
        settings.FACEBOOK_APP_THROTTLE = {"client": (100, 60), "facebook_id": (1, 60)}
        # The counters are shared with other runs through the cache: a fresh person id.
        first = app_login(client, login_body("access_token", fakebook, client, "émilie"))
        second = app_login(Client(), login_body("access_token", fakebook, client, "émilie"))
        assert first.status_code in (200, 429)
        assert second.status_code == 429
        assert second.json()["error"] == "throttled"


def test_graph_error_body_is_not_leaked(client, settings, caplog):
    """A Graph error's message stays in the log; the app sees the site's own sentence."""
    graph = f"{settings.FACEBOOK_GRAPH_URL}/{settings.FACEBOOK_API_VERSION}"
    with responses.RequestsMock() as mock:
        mock.get(f"{graph}/debug_token", status=400, json=graph_error_body(190, 460))
        answer = app_login(client, {"access_token": "EAAsecret-token"})
    assert answer.status_code == 401
    assert "boom" not in answer.content.decode()
    assert "EAAsecret-token" not in caplog.text


class DownCache:
    """Django's cache as Redis out of reach leaves it: every operation raises."""

    def __getattr__(self, name):
        def refused(*args, **kwargs):
            raise ConnectionError("refused")

        return refused


class CountingCache:
    """A cache that counts the calls made to it, and refuses them while `down`."""

    def __init__(self):
        self.calls, self.down = 0, True
        self.memory = LocMemCache("counting", {})

    def __getattr__(self, name):
        self.calls += 1
        if self.down:
            raise ConnectionError("refused")
        return getattr(self.memory, name)


def test_a_failed_cache_is_left_alone_for_a_while(monkeypatch, settings):
    """A Redis that hangs costs each call its timeout: after one failure the process counts
    alone for FACEBOOK_CACHE_RETRY_SECONDS, then tries the cache again."""
    settings.FACEBOOK_CACHE_RETRY_SECONDS = 0.3
    clock = Clock()
    monkeypatch.setattr(shared_cache, "time", clock)
    shared = CountingCache()
    monkeypatch.setattr(shared_cache, "cache", shared)
    shared_cache.LOCAL.clear()
    assert [throttle.allow("client", "203.0.113.7") for _ in range(3)] == [True] * 3
    assert shared.calls == 1, "one call found the cache down; the next ones did not try it"
    shared.down = False
    assert throttle.allow("client", "203.0.113.7")
    assert shared.calls == 1, "within the window, the cache is left alone"
    clock.now += 0.35
    assert throttle.allow("client", "203.0.113.7")
    assert shared.calls > 1, "past the window, the cache is tried again, and answers"
    calls = shared.calls
    assert throttle.allow("client", "203.0.113.7")
    assert shared.calls > calls, "and is used from then on"
    shared_cache.LOCAL.clear()


class TestWithTheCacheDown:
    """The throttles and Facebook's keys fall back to each process's memory (shared_cache.py):
    app logins go on, and the limits still hold, per process."""

    @pytest.fixture(autouse=True)
    def cache_down(self, monkeypatch):
        shared_cache.LOCAL.clear()
        monkeypatch.setattr(shared_cache, "cache", DownCache())
        yield
        shared_cache.LOCAL.clear()

    def test_an_id_token_login_fetches_the_keys_once(self, client, fakebook):
        for person in ("ada", "katherine"):
            answer = app_login(Client(), login_body("id_token", fakebook, client, person))
            assert answer.status_code == 200, answer.content
        assert len(fakebook.jwks_calls()) == 1

    @pytest.mark.usefixtures("throttle_clock")
    def test_the_throttle_still_counts(self, settings):
        settings.FACEBOOK_APP_THROTTLE = {"client": (3, 60), "facebook_id": (10, 60)}

        assert [throttle.allow("client", "203.0.113.9") for _ in range(5)] == [
            True,
            True,
            True,
            False,
            False,
        ]
