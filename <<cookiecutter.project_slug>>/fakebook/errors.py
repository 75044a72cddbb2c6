"""Facebook's error answers: the JSON body, the trace id and the WWW-Authenticate header.

Shape (Facebook's error docs):
{"error": {"message", "type", "code", "error_subcode"?, "is_transient"?, "fbtrace_id"}}.
Every answer of the stand-in carries an `x-fb-trace-id` header, and every error body the
same id as `fbtrace_id`, so the site's logging of both can be tested.
"""

import secrets
import string

from django.http import JsonResponse

_TRACE_ALPHABET = string.ascii_letters + string.digits


def new_trace_id():
    """A random support id shaped like Facebook's (11 letters and digits)."""
    return "".join(secrets.choice(_TRACE_ALPHABET) for _ in range(11))


def json_response(payload, *, status=200, trace_id=None):
    """A JSON answer with an x-fb-trace-id header."""
    response = JsonResponse(payload, status=status, safe=False)
    response["x-fb-trace-id"] = trace_id or new_trace_id()
    return response


def graph_error(
    message,
    code,
    *,
    subcode=None,
    error_type="OAuthException",
    status=400,
    challenge=None,
    is_transient=None,
):
    """A Graph API error answer.

    `challenge` ("invalid_code", "invalid_token", "invalid_request") adds Facebook's
    `WWW-Authenticate: OAuth "Facebook Platform" "<challenge>" "<message>"` header.
    """
    trace_id = new_trace_id()
    error = {"message": message, "type": error_type, "code": code}
    if subcode is not None:
        error["error_subcode"] = subcode
    if is_transient is not None:
        error["is_transient"] = is_transient
    error["fbtrace_id"] = trace_id
    response = json_response({"error": error}, status=status, trace_id=trace_id)
    if challenge:
        quoted = message.replace("\\", "\\\\").replace('"', '\\"')
        response["WWW-Authenticate"] = f'OAuth "Facebook Platform" "{challenge}" "{quoted}"'
    return response


# The code-for-token exchange (Facebook's login flow docs).


def invalid_app_id():
    return graph_error("Error validating application. Invalid application ID.", 101)


def invalid_client_secret():
    # Facebook answers a wrong secret with code 1, the code it also uses for "unknown
    # error, retry": a client must not treat code 1 from the exchange as transient blindly.
    return graph_error("Error validating client secret.", 1)


def missing_code():
    return graph_error("Missing authorization code", 100, challenge="invalid_request")


def invalid_code_format():
    return graph_error("Invalid verification code format.", 100, challenge="invalid_code")


def code_used():
    return graph_error(
        "This authorization code has been used.", 100, subcode=36009, challenge="invalid_code"
    )


def code_expired():
    return graph_error(
        "This authorization code has expired.", 100, subcode=36007, challenge="invalid_code"
    )


def redirect_uri_mismatch():
    return graph_error(
        "Error validating verification code. Please make sure your redirect_uri is identical "
        "to the one you used in the OAuth dialog request",
        100,
        challenge="invalid_code",
    )


# Calls made with a user token (Facebook's security docs).


def missing_token():
    return graph_error(
        "An active access token must be used to query information about the current user.",
        2500,
        challenge="invalid_request",
    )


def invalid_token(message, subcode=None):
    return graph_error(
        f"Error validating access token: {message}",
        190,
        subcode=subcode,
        challenge="invalid_token",
    )


def unknown_token():
    return invalid_token(
        "Session is invalid. This could be because the application was uninstalled after "
        "the session was created.",
        subcode=467,
    )


def revoked_token(app_id):
    """The token of a person who removed the app (DELETE /{user-id}/permissions): 190/458."""
    return invalid_token(f"The user has not authorized application {app_id}.", subcode=458)


def password_changed_token():
    return invalid_token(
        "The session has been invalidated because the user changed their password or "
        "Facebook has changed the session for security reasons.",
        subcode=460,
    )


def expired_token(expired_at_text, now_text):
    return invalid_token(
        f"Session has expired on {expired_at_text}. The current time is {now_text}.",
        subcode=463,
    )


def missing_appsecret_proof():
    return graph_error("API calls from the server require an appsecret_proof argument", 100)


def invalid_appsecret_proof():
    return graph_error(
        "Invalid appsecret_proof provided in the API argument",
        100,
        error_type="GraphMethodException",
    )


def invalid_app_token():
    return graph_error("Invalid OAuth access token signature.", 190, challenge="invalid_token")


def missing_app_token():
    return graph_error(
        "An access token is required to request this resource.",
        104,
        challenge="invalid_request",
    )


# Objects, fields and paths.


def nonexisting_field(name):
    return graph_error(
        f"(#100) Tried accessing nonexisting field ({name}) on node type (User)", 100
    )


def fields_syntax_error(spec):
    return graph_error(f'Syntax error "Expected end of string" in fields: {spec}', 2500)


def missing_permission(permission):
    """(#200): the token lacks the permission an edge needs (Facebook's error codes:
    200-299, "permission not granted or removed")."""
    return graph_error(
        f"(#200) This endpoint requires the '{permission}' permission", 200, status=403
    )


def missing_parameter(name):
    return graph_error(f"(#100) The parameter {name} is required", 100)


def unsupported_request(method, object_id):
    return graph_error(
        f"Unsupported {method.lower()} request. Object with ID '{object_id}' does not exist, "
        "cannot be loaded due to missing permissions, or does not support this operation.",
        100,
        error_type="GraphMethodException",
    )


def unknown_path(path):
    """Facebook's answer to a path it does not know, an unknown version included."""
    return graph_error(f"Unknown path components: /{path}", 2500, status=404)
