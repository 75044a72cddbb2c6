"""Parse and verify Facebook's signed_request (Facebook's callback docs).

Facebook POSTs `signed_request` to the deauthorize and data deletion callbacks: the
base64url (unpadded) HMAC-SHA256 signature of the still-encoded payload, a dot, and the
base64url JSON payload. Only the signature authenticates the request, so everything is
checked before anything is believed, and every defect is one exception, SignedRequestError.
"""

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

from .conf import setting

MAX_LENGTH = 8192
CLOCK_SKEW = 300


class SignedRequestError(ValueError):
    """The signed_request is malformed, unsigned, wrongly signed, or too old."""


def parse_signed_request(
    signed_request: object,
    app_secret: str | None = None,
    *,
    max_age: float | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The verified payload (a dict), or SignedRequestError.

    `max_age` (default FACEBOOK_SIGNED_REQUEST_MAX_AGE, one day as social-core) bounds how
    old `issued_at` may be, so a captured request cannot be replayed forever.
    """
    app_secret = app_secret if app_secret is not None else setting("FACEBOOK_APP_SECRET")
    max_age = max_age if max_age is not None else setting("FACEBOOK_SIGNED_REQUEST_MAX_AGE")
    now = time.time() if now is None else now
    if not isinstance(signed_request, str) or not 0 < len(signed_request) <= MAX_LENGTH:
        raise SignedRequestError("missing or oversized signed_request")
    encoded_signature, dot, encoded_payload = signed_request.partition(".")
    if not dot or not encoded_signature or not encoded_payload:
        raise SignedRequestError("signed_request is not signature.payload")
    signature = _b64decode(encoded_signature)
    expected = hmac.new(app_secret.encode(), encoded_payload.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(signature, expected):
        raise SignedRequestError("bad signature")
    try:
        payload = json.loads(_b64decode(encoded_payload))
    except (UnicodeDecodeError, ValueError):
        raise SignedRequestError("payload is not JSON") from None
    if not isinstance(payload, dict):
        raise SignedRequestError("payload is not a JSON object")
    algorithm = payload.get("algorithm")
    if not isinstance(algorithm, str) or algorithm.upper() != "HMAC-SHA256":
        raise SignedRequestError("algorithm is not HMAC-SHA256")
    issued_at = payload.get("issued_at")
    if not isinstance(issued_at, int) or isinstance(issued_at, bool):
        raise SignedRequestError("issued_at missing")
    if issued_at < now - max_age or issued_at > now + CLOCK_SKEW:
        raise SignedRequestError("issued_at out of range")
    return payload


def make_signed_request(payload: Mapping[str, Any], app_secret: str) -> str:
    """Sign `payload` as Facebook does (for the stand-in and the tests)."""
    encoded_payload = _b64encode(json.dumps(payload, separators=(",", ":")).encode())
    signature = hmac.new(app_secret.encode(), encoded_payload.encode(), hashlib.sha256).digest()
    return f"{_b64encode(signature)}.{encoded_payload}"


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text + "=" * (-len(text) % 4), altchars=b"-_", validate=True)
    except (binascii.Error, ValueError):
        raise SignedRequestError("not base64url") from None


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()
