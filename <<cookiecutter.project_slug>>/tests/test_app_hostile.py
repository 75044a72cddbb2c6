"""Hostile input to the app endpoints, generated: never a 500, never a write.

Hypothesis throws arbitrary bytes, arbitrary JSON, and JWTs assembled from every kind of
header and claim (the stand-in's real signing key included, so a signature can be right
while a claim is wrong) at facebook:app_login. Every answer must be a 4xx JSON refusal and
leave the users, the account links and the issued nonces as they were.
"""

import base64
import json
import time

import jwt
import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from django_facebook import nonces
from django_facebook.models import AppNonce, FacebookAccount
from django_facebook.session_tokens import HEADER
from fakebook import limited_login

from .conftest import app_login
from .facebook_double import PEOPLE
from .hypothesis_examples import examples as scaled

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
User = get_user_model()


def examples(count):
    return settings(
        max_examples=scaled(count),
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture],
    )


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
token_like = st.one_of(json_values, st.text(max_size=300), st.just("a.b.c"))
bodies = st.dictionaries(
    st.sampled_from(["access_token", "id_token", "nonce", "other"]) | st.text(max_size=10),
    token_like,
    max_size=4,
)


def state():
    return (User.objects.count(), FacebookAccount.objects.count(), AppNonce.objects.count())


def assert_refused(answer):
    assert 400 <= answer.status_code < 500, (answer.status_code, answer.content[:200])
    data = answer.json()
    assert isinstance(data["error"], str)
    assert isinstance(data["message"], str)


@examples(40)
@given(body=st.binary(max_size=400))
def test_any_bytes(client, fakebook, body):
    before = state()
    answer = client.post(
        reverse("facebook:app_login"), body, content_type="application/json", headers={HEADER: ""}
    )
    assert_refused(answer)
    assert state() == before


@examples(40)
@given(body=json_values | bodies)
def test_any_json(client, fakebook, body):
    before = state()
    assert_refused(app_login(client, body))
    assert state() == before


def b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


claims = st.fixed_dictionaries(
    {},
    optional={
        "iss": st.sampled_from([limited_login.ISSUER, "https://evil.example"]) | json_values,
        "aud": st.sampled_from(["100000000000001", "200000000000002"]) | json_values,
        "sub": st.sampled_from([PEOPLE["ada"].id, "0", "-1", "1e3"]) | json_values,
        "exp": st.integers(-(2**40), 2**40) | json_values,
        "iat": st.integers(-(2**40), 2**40) | json_values,
        "nbf": st.integers(-(2**40), 2**40) | json_values,
        "jti": st.sampled_from(["", "a1b2c3"]) | json_values,
        "nonce": json_values,
        "email": json_values,
        "picture": json_values,
    },
)
headers = st.fixed_dictionaries(
    {"alg": st.sampled_from(["RS256", "HS256", "none", "ES256", "RS512"]) | json_values},
    optional={
        "kid": st.just("current") | json_values,
        "typ": st.sampled_from(["JWT", "at+jwt", ""]) | json_values,
    },
)


@examples(40)
@given(header=headers, payload=claims, sign=st.booleans(), tail=st.binary(max_size=300))
def test_any_jwt(client, fakebook, header, payload, sign, tail):
    """Tokens signed by the stand-in's real key when `sign`, else with `tail` as signature.

    The body's nonce is a real one; the token's `nonce` claim is never it, so no token
    generated here is a genuine login.
    """
    nonce, _ = nonces.issue()
    key = limited_login.signing_keys()[0]
    if header.get("kid") == "current":
        header = {**header, "kid": key["kid"]}
    if sign:
        fields = {name: value for name, value in header.items() if name != "alg"}
        try:
            token = jwt.encode(payload, key["pem"], algorithm="RS256", headers=fields)
        except (TypeError, ValueError, jwt.PyJWTError):
            return  # PyJWT will not encode it; nothing to send
    else:
        try:
            parts = [json.dumps(header).encode(), json.dumps(payload).encode()]
        except ValueError:
            return
        token = ".".join([*(b64(part) for part in parts), b64(tail)])
    before = state()
    assert_refused(app_login(client, {"id_token": token, "nonce": nonce}))
    assert state() == before


def test_time_is_not_frozen():
    """The generated exp/iat cover the present; a sanity check of the strategy's range."""
    assert -(2**40) < int(time.time()) < 2**40
