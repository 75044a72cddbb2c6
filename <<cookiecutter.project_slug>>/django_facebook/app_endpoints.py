"""What every app endpoint shares (app_views.py): POST only, never cached, CSRF checked the
way Django checks it but answered in JSON, throttled per client address, a JSON object as its
body, and every refusal a JSON answer {"error", "message"} with its status.

`error` is a stable English identifier an app can branch on; `message` is for the person.
"""

import functools
import json
import logging
from collections.abc import Callable
from typing import Any, cast, overload

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from . import throttle
from .client_address import client_address
from .exceptions import (
    AlreadyConnectedError,
    AppTokenError,
    ConnectError,
    EmailInUseError,
    FacebookError,
    FacebookUnreachable,
    GraphPermissionError,
    InactiveUserError,
    InvalidNonceError,
    MalformedResponse,
    OAuthError,
    RateLimitError,
    RegistrationClosedError,
    SecondFactorRequiredError,
    TokenSubstitutionError,
    TransientError,
)
from .types import StrOrPromise

# The app views' logger: their refusals are logged under its name.
logger = logging.getLogger("django_facebook.app_views")

# An app endpoint: a view answering in JSON.
AppView = Callable[[HttpRequest], JsonResponse]

# (exception class, HTTP status, "error" of the JSON answer), the most specific first.
REFUSALS = (
    (TokenSubstitutionError, 401, "token_substitution"),
    (InvalidNonceError, 401, "invalid_nonce"),
    (AppTokenError, 401, "invalid_token"),
    (OAuthError, 401, "invalid_token"),
    (GraphPermissionError, 403, "permissions_missing"),
    (RateLimitError, 503, "facebook_busy"),
    (FacebookUnreachable, 503, "facebook_unreachable"),
    (TransientError, 503, "facebook_unavailable"),
    (MalformedResponse, 502, "facebook_malformed_answer"),
    (FacebookError, 502, "facebook_error"),
    (AlreadyConnectedError, 409, "already_connected"),
    (EmailInUseError, 409, "email_in_use"),
    (RegistrationClosedError, 403, "registration_closed"),
    (InactiveUserError, 403, "inactive_user"),
    (SecondFactorRequiredError, 403, "second_factor_required"),
    (ConnectError, 403, "connect_refused"),
)


class Refusal(Exception):
    """A request this endpoint will not serve; becomes the JSON refusal."""

    def __init__(self, status: int, error: str, message: StrOrPromise, **headers: str) -> None:
        super().__init__(error)
        self.response = refusal(status, error, message, **headers)


def refusal(status: int, error: str, message: StrOrPromise, **headers: str) -> JsonResponse:
    response = JsonResponse({"error": error, "message": str(message)}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def refused(error: FacebookError | ConnectError) -> JsonResponse:
    """The JSON refusal for a FacebookError or ConnectError."""
    for cls, status, code in REFUSALS:
        if isinstance(error, cls):
            logger.info("App login refused: %s (%s)", type(error).__name__, error)
            headers = {"Retry_After": "30"} if status == 503 else {}
            return refusal(status, code, error.user_message, **headers)
    raise error


@overload
def app_endpoint(view: AppView, *, csrf: bool = True) -> AppView: ...
@overload
def app_endpoint(view: None = None, *, csrf: bool = True) -> Callable[[AppView], AppView]: ...
def app_endpoint(
    view: AppView | None = None, *, csrf: bool = True
) -> AppView | Callable[[AppView], AppView]:
    """POST only, never cached, throttled per client; CSRF checked unless `csrf` is False.

    The views are csrf_exempt for Django's middleware and check CSRF here instead, so that a
    failure answers in JSON like every other refusal. Requests with X-Session-Token are
    exempt (session_tokens.py says why).
    """
    if view is None:
        return functools.partial(app_endpoint, csrf=csrf)

    @functools.wraps(view)
    def wrapper(request: HttpRequest) -> JsonResponse:
        if request.method != "POST":
            return refusal(405, "method_not_allowed", _("Use POST."), Allow="POST")
        if csrf and _csrf_failure(request):
            return refusal(
                403,
                "csrf_failed",
                _("Send the CSRF token in the X-CSRFToken header, or use X-Session-Token."),
            )
        if not throttle.allow("client", client_address(request)):
            return throttled("client")
        try:
            return view(request)
        except Refusal as error:
            return error.response

    return csrf_exempt(never_cache(wrapper))


class _CsrfCheck(CsrfViewMiddleware):
    def _reject(self, request: HttpRequest, reason: str) -> str:
        return reason


def _csrf_failure(request: HttpRequest) -> str | None:
    """Django's own CSRF check (origin, referer, token); the reason of a failure, or None."""
    # Neither the response nor the view is ever called: only the checks run. So there is
    # none of either, and _reject turns a failure into its reason instead of a response.
    check = _CsrfCheck(lambda request: None)  # type: ignore[arg-type]
    check.process_request(request)
    failure = check.process_view(request, None, (), {})  # type: ignore[arg-type]
    return cast("str | None", failure)


def throttled(scope: str) -> JsonResponse:
    return refusal(
        429,
        "throttled",
        _("Too many login attempts. Please wait a little."),
        Retry_After=str(throttle.retry_after(scope)),
    )


def json_body(request: HttpRequest) -> dict[str, Any]:
    """The request's JSON object; Refusal for anything else."""
    if request.content_type != "application/json":
        raise Refusal(415, "unsupported_media_type", _("Send a JSON body (application/json)."))
    try:
        body = json.loads(request.body)
    except RequestDataTooBig:
        raise Refusal(413, "too_large", _("The request body is too large.")) from None
    except (ValueError, RecursionError):
        raise Refusal(400, "invalid_json", _("The request body is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise Refusal(400, "invalid_json", _("The request body must be a JSON object."))
    return body
