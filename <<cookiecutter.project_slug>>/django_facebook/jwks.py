"""Facebook's Limited Login signing keys (a JWKS), fetched rarely and shared by the workers.

The keys are fetched once and kept in Django's cache (Redis in production, so one fetch
serves every worker) for FACEBOOK_JWKS_CACHE_SECONDS. An ID token signed with a key not in
the cached set makes one new fetch (Facebook rotated its keys), but never more than one per
FACEBOOK_JWKS_REFRESH_INTERVAL: tokens with made-up key ids must not turn this server into
a client hammering Facebook. The fetch uses the Graph client's pooled session, timeouts and
retries, and follows no redirect. While Redis is out of reach each process keeps the keys it
fetched in its own memory (shared_cache.py).
"""

import logging
import time
from typing import Any, TypedDict

import jwt
import requests

from . import shared_cache
from .conf import setting
from .exceptions import FacebookUnreachable, MalformedResponse
from .graph import GraphClient

logger = logging.getLogger(__name__)

CACHE_KEY = "django_facebook:jwks"


class CacheEntry(TypedDict):
    """What the cache holds under CACHE_KEY: the key set as fetched, and when."""

    jwks: dict[str, Any]
    fetched_at: float


class UnknownKeyError(Exception):
    """No key of Facebook's current set has this key id."""


def signing_key(kid: str) -> jwt.PyJWK:
    """Facebook's public key with this `kid`; UnknownKeyError, or a FacebookError on fetch."""
    entry = shared_cache.call("get", CACHE_KEY) or fetch()
    key = _find(entry["jwks"], kid)
    if key is None and time.time() - entry["fetched_at"] >= setting(
        "FACEBOOK_JWKS_REFRESH_INTERVAL"
    ):
        key = _find(fetch()["jwks"], kid)
    if key is None:
        raise UnknownKeyError(kid)
    return key


def fetch() -> CacheEntry:
    """Fetch the key set from FACEBOOK_JWKS_URL, check it, cache it; returns the cache entry."""
    graph = GraphClient()
    try:
        response = graph.session.get(
            setting("FACEBOOK_JWKS_URL"), timeout=graph.timeout, allow_redirects=False
        )
    except requests.RequestException as error:
        logger.warning("JWKS fetch: %s", type(error).__name__)
        raise FacebookUnreachable(f"JWKS: {type(error).__name__}") from None
    if response.status_code != 200:
        logger.warning("JWKS fetch: HTTP %s", response.status_code)
        raise FacebookUnreachable(f"JWKS: HTTP {response.status_code}")
    try:
        jwks = response.json()
        jwt.PyJWKSet.from_dict(jwks)
    except (ValueError, TypeError, AttributeError, jwt.PyJWTError):
        logger.warning("JWKS fetch: not a usable key set")
        raise MalformedResponse("JWKS: not a usable key set") from None
    entry: CacheEntry = {"jwks": jwks, "fetched_at": time.time()}
    shared_cache.call("set", CACHE_KEY, entry, timeout=setting("FACEBOOK_JWKS_CACHE_SECONDS"))
    return entry


def _find(jwks: dict[str, Any], kid: str) -> jwt.PyJWK | None:
    for key in jwt.PyJWKSet.from_dict(jwks).keys:
        if key.key_id == kid and key.public_key_use in (None, "sig"):
            return key
    return None
