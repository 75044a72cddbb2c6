"""Facebook's "Apps and websites" settings, played by the stand-in.

A person can remove the app, or ask for their data to be deleted, for any test user; the
stand-in then sends the signed callback to this same site, as Facebook would, and shows
the site's answer. Two more actions play what Facebook does unannounced: every token of the
person expires, or is revoked (a security event, a password change), so that a site's use
of a stored token can be tried against both.
"""

import requests
from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from . import callbacks, store
from .facebook_app import app_name
from .users import USERS, get_user

# Actions on the person's tokens, sending no callback: {kind: what it does}.
TOKEN_ACTIONS = {"expire-tokens": store.expire_user, "revoke-tokens": store.revoke_user}


@require_http_methods(["GET", "POST"])
def app_settings(request):
    result = None
    if request.method == "POST":
        user = get_user(request.POST.get("user_id", ""))
        kind = request.POST.get("kind", "")
        if user is None or kind not in (*callbacks.CALLBACK_PATHS, *TOKEN_ACTIONS):
            result = {"error": "Choose a test user and an action."}
        elif kind in TOKEN_ACTIONS:
            TOKEN_ACTIONS[kind](user.id)
            result = {"user": user, "kind": kind}
        else:
            try:
                response = callbacks.send(kind, user.id, request.build_absolute_uri("/"))
                result = {
                    "user": user,
                    "kind": kind,
                    "status": response.status_code,
                    "body": response.text[:2000],
                }
            except requests.RequestException as error:
                result = {"error": f"The site did not answer: {type(error).__name__}"}
    return render(
        request,
        "fakebook/app_settings.html",
        {"users": USERS, "app_name": app_name(), "result": result},
        status=400 if result and "error" in result else 200,
    )
