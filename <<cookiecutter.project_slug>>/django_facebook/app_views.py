"""The JSON endpoints for mobile and single-page apps (docs/apps.md).

An app logs the person in with Facebook's SDK and hands the result to this server: an SDK
access token, or (iOS Limited Login) an ID token with the nonce `app_nonce` gave it. The
token is checked (access_tokens.py, id_tokens.py), then the web flow's `connect_user` and
registration backend decide: login, connect or register. The answer says how the client is
authenticated from then on:

- a browser app on this site (no X-Session-Token header) gets Django's session cookie and a
  CSRF token for its later unsafe requests. The endpoints check CSRF themselves, so that a
  page on another site cannot log a visitor's browser in (login CSRF) or connect its own
  Facebook profile to the visitor's account;
- a native app (X-Session-Token header, empty at first) gets a session token to send in
  that header; no cookie is read or set (session_tokens.py).

Every refusal is a 4xx (or, when Facebook fails, 502/503) with {"error", "message"}, and
changes nothing.
"""

import logging
from collections.abc import Mapping
from typing import Any

from django.contrib import auth
from django.forms import BaseForm
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import get_token
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_variables

from . import flows, nonces, pending, throttle
from .access_tokens import verify_access_token
from .app_endpoints import Refusal, app_endpoint, json_body, refused, throttled
from .connect import APP_LOGIN
from .exceptions import (
    FacebookError,
    IncompleteProfileError,
)
from .graph import AccessToken, GraphClient
from .id_tokens import verify_id_token
from .profile import FacebookProfile
from .registration_backends import get_registration_backend
from .session_tokens import HEADER, mark_app_login, uses_session_token
from .user_graph import token_to_keep

logger = logging.getLogger(__name__)


@app_endpoint(csrf=False)
def app_nonce(request: HttpRequest) -> JsonResponse:
    """A fresh single-use nonce for a Limited Login; a browser app gets its CSRF cookie too.

    No CSRF check: it changes no session and no account, and a browser app may call it first.
    """
    nonce, max_age = nonces.issue()
    if not uses_session_token(request):
        get_token(request)
    return JsonResponse({"nonce": nonce, "expires_in": max_age})


@sensitive_variables("body", "token")
@app_endpoint
def app_login(request: HttpRequest) -> JsonResponse:
    """Log in, connect or register with an SDK access token or a Limited Login ID token."""
    body = json_body(request)
    try:
        profile, token = _verified_profile(body)
    except FacebookError as error:
        return refused(error)
    if not throttle.allow("facebook_id", profile.id):
        return throttled("facebook_id")
    return _connect(request, profile, token)


@sensitive_variables("body", "waiting")
@app_endpoint
def app_complete_registration(request: HttpRequest) -> JsonResponse:
    """Submit the fields an "incomplete_profile" answer named; answers as app_login does."""
    body = json_body(request)
    waiting = pending.pending_registration(request)
    if waiting is None:
        raise Refusal(
            400,
            "no_pending_registration",
            _("There is no Facebook sign-up to complete. Log in with Facebook again."),
        )
    if not all(isinstance(value, str) for value in body.values()):
        raise Refusal(400, "invalid_request", _("Every field must be a string."))
    profile = FacebookProfile.from_dict(waiting["profile"])
    return _connect(request, profile, pending.token_of(waiting), data=body)


@app_endpoint
def app_logout(request: HttpRequest) -> JsonResponse:
    """End the session, cookie or token alike."""
    auth.logout(request)
    return JsonResponse({"authenticated": False})


@sensitive_variables("body")
def _verified_profile(body: Mapping[str, Any]) -> tuple[FacebookProfile, AccessToken]:
    """(profile, AccessToken) from whichever token the body holds; Refusal if neither."""
    if ("access_token" in body) == ("id_token" in body):
        raise Refusal(
            400, "invalid_request", _("Send either access_token, or id_token with its nonce.")
        )
    if "access_token" in body:
        client = GraphClient()
        profile, token = verify_access_token(client, body["access_token"])
        return profile, token_to_keep(client, token)
    if "nonce" not in body:
        raise Refusal(400, "invalid_request", _("An id_token needs the nonce it was made with."))
    # Limited Login gives no Graph token: the account keeps none.
    return verify_id_token(body["id_token"], body["nonce"]), AccessToken("")


@sensitive_variables("token", "data")
def _connect(
    request: HttpRequest,
    profile: FacebookProfile,
    token: AccessToken,
    data: Mapping[str, Any] | None = None,
) -> JsonResponse:
    """The flow's outcome (flows.py) as the app's JSON answer."""
    setattr(request, APP_LOGIN, True)
    outcome = flows.connect(request, get_registration_backend(), profile, token, data=data)
    if isinstance(outcome, flows.Incomplete):
        return _incomplete(request, outcome.form)
    if isinstance(outcome, flows.Refused):
        return refused(outcome.error)
    user = outcome.user
    authenticated = request.user == user and user.is_authenticated
    if authenticated:
        mark_app_login(request, user)
    return JsonResponse(
        {
            "action": outcome.action.value,
            "user_id": user.pk,
            "authenticated": authenticated,
            **_session_fields(request),
        }
    )


def _incomplete(request: HttpRequest, form: BaseForm) -> JsonResponse:
    """422: the registration form's fields, their errors, and where to send them."""
    return JsonResponse(
        {
            "error": "incomplete_profile",
            "message": str(IncompleteProfileError.user_message),
            "fields": {name: list(errors) for name, errors in form.errors.items()},
            "data": {name: form.data.get(name, "") for name in form.fields},
            "complete_url": reverse("facebook:app_complete_registration"),
            **_session_fields(request),
        },
        status=422,
    )


def _session_fields(request: HttpRequest) -> dict[str, str | None]:
    """How the client is authenticated now: the session token, or the cookie and CSRF token."""
    if uses_session_token(request):
        if request.session.session_key is None:
            request.session.save()
        return {"session": "token", "session_token": request.session.session_key, "header": HEADER}
    return {"session": "cookie", "csrf_token": get_token(request)}
