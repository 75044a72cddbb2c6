"""The Graph API endpoints (graph.facebook.com) and the picture "CDN".

Every Graph view goes through `graph_endpoint`: CSRF-exempt (server-to-server calls carry
no CSRF token, exactly as with Facebook), method check, injected faults, and the
`x-fb-trace-id` / `facebook-api-version` headers. Credentials are compared in constant
time. Parameters are read from the POST body or the query string, as Facebook does.
"""

import functools
import hashlib
import hmac
from datetime import UTC, datetime

from django.http import HttpResponse, HttpResponseNotFound, HttpResponseRedirect
from django.utils.crypto import constant_time_compare
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

from . import errors, faults, fields, pictures, store
from .facebook_app import app_id, app_name, app_secret, secret_of
from .users import USERS, get_user

# Time-stamped appsecret_proofs expire after 5 minutes (Facebook's security docs).
PROOF_MAX_AGE = 300
# Data access expires 90 days after the person was last active (Facebook's login flow docs).
DATA_ACCESS_LIFETIME = 90 * 24 * 3600


def graph_endpoint(name, methods=("GET",)):
    """Wrap a Graph view; `name` is the endpoint that faults target (see faults.ENDPOINTS),
    or a function of the request giving it."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, version, **kwargs):
            if request.method not in methods:
                target = kwargs.get("user_id", name)
                response = errors.unsupported_request(request.method, target)
            else:
                kind = faults.take(name(request) if callable(name) else name)
                response = faults.respond(kind, request) if kind else None
                if response is None:
                    response = view(request, version, fault=kind, **kwargs)
            response.setdefault("x-fb-trace-id", errors.new_trace_id())
            response.setdefault("facebook-api-version", version)
            return response

        return csrf_exempt(wrapper)

    return decorator


def _param(request, name):
    """A parameter from the form body, else from the query string; "" when absent."""
    return request.POST.get(name) or request.GET.get(name) or ""


def _bearer(request):
    """The token of `Authorization: Bearer|OAuth <token>`, else of `access_token`."""
    scheme, _, value = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() in ("bearer", "oauth") and value.strip():
        return value.strip()
    return _param(request, "access_token")


def _facebook_time(timestamp):
    return datetime.fromtimestamp(timestamp, UTC).strftime("%A, %d-%b-%y %H:%M:%S UTC")


def _authenticate(request):
    """(token record, None) for a valid user token with a valid proof; else (None, error)."""
    token = _bearer(request)
    if not token:
        return None, errors.missing_token()
    record, error = _usable_token(token)
    if error:
        return None, error
    return record, _check_proof(request, token, secret_of(record.get("app_id")))


def _usable_token(token):
    """(record, None) for a token that is valid now; else (None, Facebook's error)."""
    record, problem = store.token_status(token)
    if problem == "unknown":
        return None, errors.unknown_token()
    if problem == "revoked":
        return None, errors.revoked_token(app_id())
    if problem == "expired":
        expired = _facebook_time(record["expires_at"])
        return None, errors.expired_token(expired, _facebook_time(store.now()))
    return record, None


def _check_proof(request, token, secret):
    """None when appsecret_proof is right; the stand-in's app has "Require App Secret" on.

    Both forms are accepted: HMAC(token) and the time-stamped HMAC(token|appsecret_time).
    """
    proof = _param(request, "appsecret_proof")
    if not proof:
        return errors.missing_appsecret_proof()
    message = token
    proof_time = _param(request, "appsecret_time")
    if proof_time:
        if not proof_time.isdigit() or abs(store.now() - int(proof_time)) > PROOF_MAX_AGE:
            return errors.invalid_appsecret_proof()
        message = f"{token}|{proof_time}"
    expected = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    if not constant_time_compare(expected, proof.lower()):
        return errors.invalid_appsecret_proof()
    return None


def _token_endpoint(request):
    """The code exchange is "token", the long-lived token's exchange "long_lived_token": a
    fault can fail the one and not the other."""
    return "long_lived_token" if _param(request, "grant_type") == "fb_exchange_token" else "token"


@graph_endpoint(_token_endpoint, methods=("GET", "POST"))
def access_token(request, version, fault=None):
    """Trade an authorization code for a user access token (Facebook's login flow docs)."""
    if not constant_time_compare(_param(request, "client_id"), app_id()):
        return errors.invalid_app_id()
    if not constant_time_compare(_param(request, "client_secret"), app_secret()):
        return errors.invalid_client_secret()
    grant_type = _param(request, "grant_type")
    if grant_type == "client_credentials":
        # The app access token, as allauth fetches it before calling debug_token.
        return errors.json_response(
            {"access_token": f"{app_id()}|{app_secret()}", "token_type": "bearer"}
        )
    if grant_type == "fb_exchange_token":
        return _long_lived_token(_param(request, "fb_exchange_token"))
    code = _param(request, "code")
    if not code:
        return errors.missing_code()
    record = store.find_code(code)
    if record is None:
        return errors.code_used() if store.code_was_used(code) else errors.invalid_code_format()
    if record["expires_at"] <= store.now():
        return errors.code_expired()
    if record["redirect_uri"] != _param(request, "redirect_uri"):
        return errors.redirect_uri_mismatch()
    if not store.consume_code(code):
        return errors.code_used()  # a concurrent exchange of the same code won
    token, expires_in = store.issue_token(
        record["user_id"], record["scopes"], lifetime=store.SHORT_TOKEN_LIFETIME
    )
    return errors.json_response(
        {"access_token": token, "token_type": "bearer", "expires_in": expires_in}
    )


def _long_lived_token(short_lived):
    """A long-lived token for a valid one of this app's (Facebook's long-lived token docs:
    an expired token cannot be exchanged)."""
    if not short_lived:
        return errors.missing_parameter("fb_exchange_token")
    record, error = _usable_token(short_lived)
    if error:
        return error
    if record.get("app_id") not in (None, app_id()):
        return errors.unknown_token()
    token, expires_in = store.issue_token(record["user_id"], record["scopes"])
    return errors.json_response(
        {"access_token": token, "token_type": "bearer", "expires_in": expires_in}
    )


@graph_endpoint("me")
def me(request, version, fault=None):
    """The person's profile, only the fields asked for (Facebook's User docs)."""
    record, error = _authenticate(request)
    if error:
        return error
    user = get_user(record["user_id"])
    spec = _param(request, "fields")
    try:
        requested = fields.parse(spec)
    except fields.FieldsSyntaxError:
        return errors.fields_syntax_error(spec)

    def picture(field):
        modifiers = field.modifiers
        size = pictures.size_for(
            modifiers.get("type"), modifiers.get("width"), modifiers.get("height")
        )
        return pictures.picture_data(request, user, size)

    try:
        answer = fields.profile(
            user, record["scopes"], requested, picture, lambda: _permissions_data(user, record)
        )
    except fields.UnknownField as unknown:
        return errors.nonexisting_field(str(unknown))
    if fault == "missing_id":
        del answer["id"]
    elif fault == "bad_id":
        answer["id"] = int(user.id)
    return errors.json_response(answer)


@graph_endpoint("debug_token")
def debug_token(request, version, fault=None):
    """Describe a user token to the app that holds it (Facebook's debug_token docs)."""
    app_token = _bearer(request)
    if not app_token:
        return errors.missing_app_token()
    if not constant_time_compare(app_token, f"{app_id()}|{app_secret()}"):
        return errors.invalid_app_token()
    input_token = _param(request, "input_token")
    if not input_token:
        return errors.missing_parameter("input_token")
    if constant_time_compare(input_token, f"{app_id()}|{app_secret()}"):
        return errors.json_response({"data": _app_token_description()})
    record, problem = store.token_status(input_token)
    return errors.json_response({"data": _token_description(record, problem)})


def _app_token_description():
    """debug_token's `data` for the app's own app token, as Facebook gives it: type APP, no
    person, no permissions, no expiry."""
    return {
        "app_id": app_id(),
        "type": "APP",
        "application": app_name(),
        "is_valid": True,
        "scopes": [],
    }


def _token_description(record, problem):
    """debug_token's `data` for a token's record and its problem (None, "unknown",
    "revoked", "expired"), with Facebook's error for each problem. A user token is USER, a
    Page token (sdk.py, `type=page`) PAGE."""
    if problem == "unknown":
        return {
            "error": {
                "code": 190,
                "message": "Invalid OAuth access token - Cannot parse access token",
            },
            "is_valid": False,
            "scopes": [],
        }
    issued_at = int(record["issued_at"])
    data = {
        "app_id": record.get("app_id") or app_id(),
        "type": record.get("type", "USER"),
        "application": app_name(),
        "data_access_expires_at": issued_at + DATA_ACCESS_LIFETIME,
        "expires_at": int(record["expires_at"]),
        "is_valid": problem is None,
        "issued_at": issued_at,
        "scopes": list(record["scopes"]),
        "granular_scopes": [{"scope": scope} for scope in record["scopes"]],
        "user_id": record["user_id"],
    }
    if problem == "revoked":
        data["error"] = {
            "code": 190,
            "message": f"Error validating access token: The user has not authorized "
            f"application {app_id()}.",
            "subcode": 458,
        }
    elif problem == "expired":
        data["error"] = {
            "code": 190,
            "message": "Error validating access token: Session has expired on "
            f"{_facebook_time(record['expires_at'])}.",
            "subcode": 463,
        }
    return data


@graph_endpoint("picture")
def picture(request, version, user_id, fault=None):
    """A redirect to the person's picture, or its JSON description with redirect=false."""
    if user_id == "me":
        record, error = _authenticate(request)
        if error:
            return error
        user_id = record["user_id"]
    user = get_user(user_id)
    if user is None:
        return errors.unsupported_request(request.method, user_id)
    size = pictures.size_for(
        request.GET.get("type"), request.GET.get("width"), request.GET.get("height")
    )
    data = pictures.picture_data(request, user, size)
    if request.GET.get("redirect", "").lower() in ("false", "0"):
        return errors.json_response({"data": data})
    return HttpResponseRedirect(data["url"])


@graph_endpoint("permissions", methods=("GET", "DELETE"))
def permissions(request, version, user_id, fault=None):
    """GET: the permissions granted; DELETE: the person removes the app (revokes tokens)."""
    record, error = _authenticate(request)
    if error:
        return error
    if user_id not in ("me", record["user_id"]):
        return errors.unsupported_request(request.method, user_id)
    if request.method == "DELETE":
        store.revoke_user(record["user_id"])
        return errors.json_response({"success": True})
    return errors.json_response({"data": _permissions_data(get_user(record["user_id"]), record)})


@graph_endpoint("friends")
def friends(request, version, user_id, fault=None):
    """/me/friends: the person's friends who use the app, with user_friends only (Facebook's
    User docs); here every other test user, so a permission-gated edge can be tried."""
    record, error = _authenticate(request)
    if error:
        return error
    if user_id not in ("me", record["user_id"]):
        return errors.unsupported_request(request.method, user_id)
    if "user_friends" not in record["scopes"]:
        return errors.missing_permission("user_friends")
    people = [{"id": user.id, "name": user.name} for user in USERS if user.id != record["user_id"]]
    return errors.json_response({"data": people, "summary": {"total_count": len(people)}})


def _permissions_data(user, record):
    """/me/permissions' `data`: each permission the token carries, granted, and each the
    person declined in a dialog (or always declines), declined."""
    _, declined = store.decisions(user.id)
    declined = (declined | user.declines) - set(record["scopes"])
    return [{"permission": scope, "status": "granted"} for scope in record["scopes"]] + [
        {"permission": scope, "status": "declined"} for scope in sorted(declined)
    ]


@require_GET
def avatar(request, user_id):
    """The picture itself: an SVG avatar with the person's initials, or a PNG when asked."""
    user = get_user(user_id)
    if user is None:
        return HttpResponseNotFound("No such picture.", content_type="text/plain")
    size = pictures.size_for(width=request.GET.get("size"))
    if pictures.wants_png(request.headers.get("Accept", "")):
        response = HttpResponse(pictures.avatar_png(user, size), content_type="image/png")
    else:
        response = HttpResponse(pictures.avatar_svg(user, size), content_type="image/svg+xml")
    response["Vary"] = "Accept"
    response["Cache-Control"] = "public, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["x-fb-trace-id"] = errors.new_trace_id()
    return response


@csrf_exempt
def unknown_path(request, path):
    """Anything else under the stand-in, an unsupported version included: Facebook's 404."""
    for host in ("graph/", "www/"):
        path = path.removeprefix(host)
    return errors.unknown_path(path)


@graph_endpoint("app")
def node(request, version, node_id, fault=None):
    """GET /{app-id}?fields=id,name with the app token: how a server checks its credentials."""
    if not constant_time_compare(node_id, app_id()):
        return errors.unsupported_request(request.method, node_id)
    app_token = _bearer(request)
    if not app_token:
        return errors.missing_app_token()
    if not constant_time_compare(app_token, f"{app_id()}|{app_secret()}"):
        return errors.invalid_app_token()
    return errors.json_response({"id": app_id(), "name": app_name()})
