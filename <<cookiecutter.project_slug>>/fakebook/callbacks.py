"""Facebook's platform callbacks, played by the stand-in: deauthorize and data deletion.

When a person removes an app, or asks for their data to be deleted, Facebook POSTs a
signed_request to the URLs registered in the app dashboard. The stand-in signs the same way
(its own implementation, so the site's parser is tested against an independent one), and
posts to the site's `facebook:deauthorize` / `facebook:data_deletion` URLs.
"""

import base64
import hashlib
import hmac
import json
import time

import requests

from .facebook_app import app_secret

CALLBACK_PATHS = {
    "deauthorize": "/facebook/deauthorize/",
    "data-deletion": "/facebook/data-deletion/",
}


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def sign(payload, secret=None):
    """`<signature>.<payload>`, both base64url without padding, HMAC-SHA256 of the payload."""
    encoded = b64url(json.dumps(payload).encode())
    digest = hmac.new((secret or app_secret()).encode(), encoded.encode(), hashlib.sha256)
    return f"{b64url(digest.digest())}.{encoded}"


def signed_request_for(user_id, issued_at=None):
    payload = {
        "algorithm": "HMAC-SHA256",
        "issued_at": int(time.time()) if issued_at is None else issued_at,
        "user_id": str(user_id),
    }
    return sign(payload)


def send(kind, user_id, site_url, timeout=10):
    """POST the `kind` callback for `user_id` to the site at `site_url`; the site's response."""
    url = site_url.rstrip("/") + CALLBACK_PATHS[kind]
    return requests.post(url, data={"signed_request": signed_request_for(user_id)}, timeout=timeout)
