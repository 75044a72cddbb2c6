"""signed_request parsing: every defect is one SignedRequestError, never anything else."""

import base64
import json
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from django_facebook.signed_request import SignedRequestError, parse_signed_request
from fakebook.callbacks import b64url, sign

from .hypothesis_examples import examples

pytestmark = pytest.mark.system_independent

SECRET = "fakebook-test-app-secret"
NOW = 1_800_000_000


def payload(**changes):
    return {"algorithm": "HMAC-SHA256", "issued_at": NOW - 60, "user_id": "42", **changes}


def parse(value, **kwargs):
    return parse_signed_request(value, SECRET, now=NOW, **kwargs)


def test_valid_request_gives_its_payload():
    assert parse(sign(payload(), SECRET))["user_id"] == "42"


def test_algorithm_is_compared_case_insensitively():
    assert parse(sign(payload(algorithm="hmac-sha256"), SECRET))["user_id"] == "42"


def test_reads_the_setting_secret_by_default(settings):
    signed = sign(payload(issued_at=int(time.time())), settings.FACEBOOK_APP_SECRET)
    assert parse_signed_request(signed)["user_id"] == "42"


def resigned(raw_payload_bytes):
    """A correctly signed request around arbitrary payload bytes."""
    import hashlib
    import hmac

    encoded = b64url(raw_payload_bytes)
    signature = hmac.new(SECRET.encode(), encoded.encode(), hashlib.sha256).digest()
    return f"{b64url(signature)}.{encoded}"


@pytest.mark.parametrize(
    "value",
    [
        None,
        "",
        123,
        ["a.b"],
        "no-dot",
        ".payload-only",
        "signature-only.",
        "x" * 9000,
        "!!!.@@@",
        "ünïcode.ünïcode",
        sign(payload(), "another-secret"),
        sign(payload(algorithm="HMAC-SHA1"), SECRET),
        sign(payload(algorithm=None), SECRET),
        sign(payload(issued_at=NOW - 86401), SECRET),
        sign(payload(issued_at=NOW + 3600), SECRET),
        sign(payload(issued_at="yesterday"), SECRET),
        sign(payload(issued_at=True), SECRET),
        sign({"algorithm": "HMAC-SHA256"}, SECRET),
        resigned(b"not json"),
        resigned(b"\xff\xfe"),
        resigned(b"[1, 2]"),
        resigned(json.dumps("text").encode()),
    ],
)
def test_defects_are_refused(value):
    with pytest.raises(SignedRequestError):
        parse(value)


def test_tampered_payload_is_refused():
    signature, _, _ = sign(payload(), SECRET).partition(".")
    forged = b64url(json.dumps(payload(user_id="666")).encode())
    with pytest.raises(SignedRequestError, match="signature"):
        parse(f"{signature}.{forged}")


@settings(max_examples=examples(300), deadline=None)
@given(
    st.one_of(
        st.text(max_size=300),
        st.binary(max_size=300).map(lambda b: base64.b64encode(b).decode() + "." + b64url(b)),
    )
)
def test_arbitrary_input_only_ever_raises_signed_request_error(value):
    with pytest.raises(SignedRequestError):
        parse(value)
