"""The two ends of Facebook's login dialog: the redirect that opens it, and the redirect_uri."""

from collections.abc import Collection, Sequence
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponseRedirect
from django.urls import reverse

from . import state
from .conf import facebook_url, setting
from .languages import facebook_locale


def login_redirect(
    request: HttpRequest,
    next_parameters: dict[str, str],
    *,
    scope: Sequence[str] | None = None,
    rerequest: bool = False,
    required: Collection[str] = (),
) -> HttpResponseRedirect:
    """Send the person to the login dialog, with a new state keeping `next_parameters` (and
    the permissions a @facebook_required view needs, `required`) for the callback."""
    redirect_uri = callback_uri(request)
    new_state = state.new_state(request, redirect_uri, next_parameters, required)
    www_url = facebook_url("FACEBOOK_WWW_URL", request.build_absolute_uri("/"))
    return HttpResponseRedirect(
        dialog_url(new_state, redirect_uri, rerequest=rerequest, scope=scope, www_url=www_url)
    )


def callback_uri(request: HttpRequest) -> str:
    """The redirect_uri: FACEBOOK_REDIRECT_URI when set (production), else built from the request.

    Facebook's Strict Mode wants this exact URL in the app's Valid OAuth Redirect URIs.
    """
    return setting("FACEBOOK_REDIRECT_URI") or request.build_absolute_uri(
        reverse("facebook:callback")
    )


def dialog_url(
    state: str,
    redirect_uri: str,
    *,
    rerequest: bool = False,
    scope: Sequence[str] | None = None,
    www_url: str | None = None,
) -> str:
    """The login dialog URL for the server-side code flow (Facebook's login flow docs).

    `scope` defaults to FACEBOOK_SCOPE; `rerequest` asks again for permissions the person
    declined before (auth_type=rerequest: without it, Facebook does not ask for them again).
    The callback gets `granted_scopes` and `denied_scopes` (return_scopes), so that a declined
    permission is known without a Graph call; `locale` asks for the dialog in the language of
    the site's pages. `www_url` is FACEBOOK_WWW_URL made absolute for
    the request (conf.facebook_url).
    """
    parameters = {
        "client_id": setting("FACEBOOK_APP_ID"),
        "redirect_uri": redirect_uri,
        "state": state,
        "response_type": "code",
        "scope": ",".join(setting("FACEBOOK_SCOPE") if scope is None else scope),
        "return_scopes": "true",
    }
    if rerequest:
        parameters["auth_type"] = "rerequest"
    # The dialog in the person's language, as the site's pages are (languages.py).
    locale = facebook_locale()
    if locale:
        parameters["locale"] = locale
    base = (www_url or setting("FACEBOOK_WWW_URL")).rstrip("/")
    return f"{base}/{setting('FACEBOOK_API_VERSION')}/dialog/oauth?{urlencode(parameters)}"
