"""The login state: what the login start saves in the session for its callback.

Facebook passes `state` back unchanged; it protects the callback against CSRF and carries
nothing itself (Facebook's login flow docs: Strict Mode allows no extra redirect parameters).
Each started login keeps, in the session under its random state value, the exact
redirect_uri sent to the dialog (the exchange must repeat it byte for byte) and the safe
redirect parameters. A state is single use (taken out before the code is exchanged, so a
replayed callback never reaches Facebook), bound to the session that started it, and
expires after FACEBOOK_STATE_MAX_AGE seconds. A few logins may be pending at once (two
tabs); the oldest are dropped beyond that.
"""

import hashlib
import secrets
import time
from collections.abc import Collection
from typing import Any

from django.http import HttpRequest
from django.utils.crypto import constant_time_compare

from .conf import setting

SESSION_KEY = "_facebook_logins"
MAX_PENDING = 5
# The last login completed in this session: a digest of its state, the Facebook id it logged
# in or connected, and where it landed. A reload or the back button brings its callback again;
# that is no attack and no error for the person it logged in (see completed_login).
COMPLETED_KEY = "_facebook_completed_login"


def new_state(
    request: HttpRequest,
    redirect_uri: str,
    next_parameters: dict[str, str],
    required: Collection[str] = (),
) -> str:
    """Save a new pending login in the session and return its state value.

    `required`: the permissions a @facebook_required view started this login for.
    """
    state = secrets.token_urlsafe(32)
    now = int(time.time())
    pending = _unexpired(request.session.get(SESSION_KEY, {}), now)
    pending[state] = {
        "redirect_uri": redirect_uri,
        "next": next_parameters,
        "created": now,
        "required": list(required),
    }
    request.session[SESSION_KEY] = dict(list(pending.items())[-MAX_PENDING:])
    return state


def pop_state(request: HttpRequest, state: object) -> dict[str, Any] | None:
    """Take the pending login for `state` out of the session; None if there is none.

    Missing, forged, expired, replayed and other sessions' states all give None.
    """
    if not isinstance(state, str) or not state:
        return None
    pending = request.session.get(SESSION_KEY)
    if not isinstance(pending, dict):
        return None
    match = next((key for key in pending if constant_time_compare(key, state)), None)
    if match is None:
        return None
    entry = pending.pop(match)
    request.session[SESSION_KEY] = pending
    if int(time.time()) - entry["created"] > setting("FACEBOOK_STATE_MAX_AGE"):
        return None
    return entry


def _unexpired(pending: dict[str, dict[str, Any]], now: int) -> dict[str, dict[str, Any]]:
    max_age = setting("FACEBOOK_STATE_MAX_AGE")
    return {key: entry for key, entry in pending.items() if now - entry["created"] <= max_age}


def remember_completed(
    request: HttpRequest, state: str, facebook_id: str, landing: str | None
) -> None:
    """Note that the login of `state` logged in or connected `facebook_id`, ending at `landing`."""
    request.session[COMPLETED_KEY] = {
        "state": _digest(state),
        "facebook_id": facebook_id,
        "landing": landing,
    }


def completed_login(request: HttpRequest, state: object) -> dict[str, Any] | None:
    """The record of remember_completed() when `state` is the login it completed; else None.

    The session is the one that completed it (a logout flushes it), so the callback comes
    back to the same person; the caller still checks who is logged in now.
    """
    record = request.session.get(COMPLETED_KEY)
    if not isinstance(state, str) or not state or not isinstance(record, dict):
        return None
    return record if constant_time_compare(record.get("state", ""), _digest(state)) else None


def _digest(state: str) -> str:
    return hashlib.sha256(state.encode()).hexdigest()
