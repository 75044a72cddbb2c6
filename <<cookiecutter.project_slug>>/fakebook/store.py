"""Authorization codes and access tokens, kept in Django's cache.

The cache, not the database: the stand-in needs no migrations, and state written by the
dialog (in the browser's request) must be seen by the token exchange (the site's server
request), which Redis gives across processes and LocMemCache within one (the test suite
and its live server thread). Every key starts with `fakebook:<site>:` and has a timeout;
nothing here ever clears the whole cache.

`<site>` is a short hash of the site's BASE_DIR: in CI several baked sites may run their
tests at once against one Redis, and one site's injected faults or revoked users must not
reach another's.

Client-supplied codes and tokens are hashed into keys: cache keys must be short and free of
spaces and control characters whatever a client sends.
"""

import hashlib
import secrets
import string
import time

from django.conf import settings
from django.core.cache import cache

# Facebook's codes live 10 minutes (Facebook's login flow docs). An expired code is remembered
# an hour longer, so that it is answered "expired" (36007) rather than "unknown".
CODE_LIFETIME = 600
CODE_MEMORY = CODE_LIFETIME + 3600
# The expires_in Facebook shows for a long-lived user token (Facebook's login flow docs):
# what fb_exchange_token and the SDKs give.
TOKEN_LIFETIME = 5183944
# A token from the code exchange is short-lived, "expiring in hours" (Facebook's long-lived
# token docs); the site exchanges it for a long-lived one when it keeps tokens.
SHORT_TOKEN_LIFETIME = 2 * 3600

_ALPHANUMERIC = string.ascii_letters + string.digits


def now():
    """The current Unix time; tests replace it to age codes and tokens."""
    return time.time()


def cache_key(*parts):
    """`fakebook:<site>:<parts...>`, the key of anything the stand-in keeps."""
    site = hashlib.sha256(str(getattr(settings, "BASE_DIR", "")).encode()).hexdigest()[:10]
    return ":".join(("fakebook", site, *parts))


def _key(kind, value):
    return cache_key(kind, hashlib.sha256(value.encode()).hexdigest())


# Authorization codes.


def create_code(client_id, redirect_uri, user_id, scopes):
    """A new single-use code for this dialog answer."""
    code = "AQ" + secrets.token_urlsafe(96)
    record = {
        "client_id": client_id,
        "redirect_uri": redirect_uri,
        "user_id": user_id,
        "scopes": list(scopes),
        "expires_at": now() + CODE_LIFETIME,
    }
    cache.set(_key("code", code), record, timeout=CODE_MEMORY)
    return code


def find_code(code):
    """The record of a code not used yet (expired or not), or None."""
    return cache.get(_key("code", code))


def code_was_used(code):
    return cache.get(_key("used-code", code)) is not None


def consume_code(code):
    """Use the code up; True for the one caller that did, False for every other.

    The "used" mark is written before the record is deleted, so a concurrent caller that
    finds the record gone also finds the mark, and is told "used" rather than "unknown".
    `cache.delete` returns whether it deleted the key, atomically in LocMemCache and Redis.
    """
    cache.set(_key("used-code", code), True, timeout=CODE_MEMORY)
    return cache.delete(_key("code", code))


# Access tokens.


def issue_token(user_id, scopes, app_id=None, kind="USER", lifetime=TOKEN_LIFETIME):
    """A new access token; returns (token, expires_in).

    `app_id` is the app it is issued to: None for the site's app (read at request time).
    `kind` is what debug_token says the token is: "USER", or "PAGE" for a Page's token (still
    valid, for the same app and person, as Facebook describes one). `lifetime`: seconds.
    """
    token = "EAA" + "".join(secrets.choice(_ALPHANUMERIC) for _ in range(120))
    issued_at = now()
    record = {
        "app_id": app_id,
        "user_id": user_id,
        "scopes": list(scopes),
        "issued_at": issued_at,
        "expires_at": issued_at + lifetime,
        "type": kind,
    }
    # Kept an hour past its expiry, so that it is answered "expired" rather than "unknown".
    cache.set(_key("token", token), record, timeout=lifetime + 3600)
    return token, lifetime


def token_status(token):
    """(record, problem) for a token; problem is None, "unknown", "revoked" or "expired"."""
    record = cache.get(_key("token", token)) if token else None
    if record is None:
        return None, "unknown"
    revoked_at = cache.get(_key("revoked", record["user_id"]))
    if revoked_at is not None and record["issued_at"] <= revoked_at:
        return record, "revoked"
    expired_at = cache.get(_key("expired", record["user_id"]))
    if expired_at is not None and record["issued_at"] <= expired_at:
        return {**record, "expires_at": min(record["expires_at"], expired_at)}, "expired"
    if record["expires_at"] <= now():
        return record, "expired"
    return record, None


def revoke_user(user_id):
    """Invalidate every token issued to this person so far, and forget what they granted:
    they removed the app (their settings page, or DELETE /me/permissions)."""
    cache.set(_key("revoked", user_id), now(), timeout=TOKEN_LIFETIME)
    cache.delete(_key("decisions", user_id))


def expire_user(user_id):
    """Make every token issued to this person so far expired, now (the stand-in's settings
    page, for trying what a site does with a stored token that has run out)."""
    cache.set(_key("expired", user_id), now(), timeout=TOKEN_LIFETIME)


# What each person granted and declined to the app in its dialogs.


def decisions(user_id):
    """(granted, declined): the permissions this person gave the app, and those they
    refused, in its dialogs so far (Facebook keeps both: a plain new dialog does not ask
    again for a declined one, and a new token carries every permission granted before)."""
    record = cache.get(_key("decisions", user_id)) or {}
    return frozenset(record.get("granted", ())), frozenset(record.get("declined", ()))


def forget_people(user_ids):
    """Forget what these people granted, declined, revoked or expired: a new person, for
    Facebook, in one cache round trip (the tests start each from there)."""
    cache.delete_many(
        [
            _key(kind, user_id)
            for user_id in user_ids
            for kind in ("decisions", "revoked", "expired")
        ]
    )


def record_decisions(user_id, granted, declined):
    cache.set(
        _key("decisions", user_id),
        {"granted": sorted(granted), "declined": sorted(set(declined) - set(granted))},
        timeout=TOKEN_LIFETIME,
    )
