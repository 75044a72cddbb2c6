"""What Facebook's SDKs hand an app after a login, served so it can be tried with curl.

A native or single-page app logs in with Facebook's SDK and sends the result to the site's
`facebook:app_login` (docs/apps.md). Offline there is no SDK, so these stand-in pages
play it: POST a person (a test user's id or first name) and get an SDK access token (for the
site's app, or with `app=foreign` for another app, to try token substitution; with
`type=page` a token of a Page that person manages, which debug_token calls PAGE) or a Limited
Login ID token for a nonce. `limited/.well-known/oauth/openid/jwks/` plays Facebook's JWKS
(faults target it as "jwks"), and `sdk/rotate-key` makes the stand-in sign with a new key.
"""

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from . import errors, faults, limited_login, store
from .facebook_app import FOREIGN_APP_ID
from .users import USERS


def _person(request):
    wanted = request.POST.get("person", "").strip().lower()
    return next((user for user in USERS if wanted in (user.id, user.first_name.lower())), None)


def _unknown_person():
    names = ", ".join(user.first_name.lower() for user in USERS)
    return JsonResponse(
        {"error": f"person must be a test user's id or one of: {names}"}, status=400
    )


@csrf_exempt
@require_POST
def access_token(request):
    """POST person=ada [app=foreign] [type=page] -> {"access_token", "expires_in"}."""
    user = _person(request)
    if user is None:
        return _unknown_person()
    foreign = request.POST.get("app") == "foreign"
    token, expires_in = store.issue_token(
        user.id,
        user.granted(["email", "public_profile"]),
        FOREIGN_APP_ID if foreign else None,
        kind="PAGE" if request.POST.get("type") == "page" else "USER",
    )
    return JsonResponse({"access_token": token, "expires_in": expires_in})


@csrf_exempt
@require_POST
def id_token(request):
    """POST person=ada nonce=<from the site's facebook:app_nonce> -> {"id_token"}."""
    user = _person(request)
    if user is None:
        return _unknown_person()
    nonce = request.POST.get("nonce", "")
    if not nonce:
        return JsonResponse({"error": "nonce is required"}, status=400)
    return JsonResponse({"id_token": limited_login.id_token(user, nonce)})


@csrf_exempt
@require_POST
def rotate_key(request):
    """Sign Limited Login tokens with a new key from now on -> {"kid"}."""
    return JsonResponse({"kid": limited_login.rotate()})


@require_GET
def jwks(request):
    """Facebook's Limited Login JWKS, or an injected fault."""
    kind = faults.take("jwks")
    response = faults.respond(kind, request) if kind else None
    if response is None:
        response = errors.json_response(limited_login.jwks())
    return response
