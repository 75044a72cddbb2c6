"""A Facebook sign-up waiting for the person to complete the registration form.

When Facebook's data does not pass the registration form (no email shared, a username
taken...), the profile is kept in the session until the person submits the missing fields on
"complete your account" (the web page or the app endpoint), for FACEBOOK_STATE_MAX_AGE
seconds at most; its token too, encrypted, when the site keeps tokens
(FACEBOOK_STORE_ACCESS_TOKEN).
"""

import time
from collections.abc import Collection
from datetime import datetime
from typing import Any

from django.forms import BaseForm
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from . import redirects
from .conf import setting
from .fields import decrypt, encrypt
from .graph import AccessToken
from .profile import FacebookProfile

SESSION_KEY = "_facebook_pending_registration"


@sensitive_variables("token")
def save(
    request: HttpRequest,
    profile: FacebookProfile,
    token: AccessToken,
    form: BaseForm,
    declined: Collection[str] = (),
    required: Collection[str] = (),
) -> None:
    """Keep the sign-up of `profile` whose data did not pass `form`, the permissions the
    person declined (the page offers to share them after all) and those the view that
    started the login needs (views._finish)."""
    request.session[SESSION_KEY] = {
        "profile": profile.as_dict(),
        "token": encrypt(token.token) if setting("FACEBOOK_STORE_ACCESS_TOKEN") else "",
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
        "data": form.data,
        "next": getattr(request, redirects.FLOW_PARAMETERS, {}),
        "created": int(time.time()),
        "declined": list(declined),
        "required": list(required),
    }


def pending_registration(request: HttpRequest) -> dict[str, Any] | None:
    """The session's sign-up waiting to be completed, or None (and forgotten) once expired."""
    pending = request.session.get(SESSION_KEY)
    if not pending or time.time() - pending["created"] > setting("FACEBOOK_STATE_MAX_AGE"):
        request.session.pop(SESSION_KEY, None)
        return None
    return pending


def token_of(pending: dict[str, Any]) -> AccessToken:
    expires_at = pending.get("expires_at")
    return AccessToken(
        decrypt(pending["token"]), datetime.fromisoformat(expires_at) if expires_at else None
    )


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)
