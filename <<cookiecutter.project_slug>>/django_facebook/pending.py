"""A Facebook sign-up waiting for the person to complete the registration form.

When Facebook's data does not pass the registration form (no email shared, a username
taken...), the profile and its token are kept in the session, the token encrypted, until the
person submits the missing fields on "complete your account" (the web page or the app
endpoint), for FACEBOOK_STATE_MAX_AGE seconds at most.
"""

import time

from django.views.decorators.debug import sensitive_variables

from .conf import setting
from .fields import decrypt, encrypt
from .graph import AccessToken

SESSION_KEY = "_facebook_pending_registration"


@sensitive_variables("token")
def save(request, profile, token, form):
    """Keep the sign-up of `profile` whose data did not pass `form`."""
    request.session[SESSION_KEY] = {
        "profile": profile.as_dict(),
        "token": encrypt(token.token),
        "data": form.data,
        "next": getattr(request, "facebook_next_parameters", {}),
        "created": int(time.time()),
    }


def pending_registration(request):
    """The session's sign-up waiting to be completed, or None (and forgotten) once expired."""
    pending = request.session.get(SESSION_KEY)
    if not pending or time.time() - pending["created"] > setting("FACEBOOK_STATE_MAX_AGE"):
        request.session.pop(SESSION_KEY, None)
        return None
    return pending


def token_of(pending):
    return AccessToken(decrypt(pending["token"]), None)


def forget(request):
    request.session.pop(SESSION_KEY, None)
