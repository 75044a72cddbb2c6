"""The views of the connect flow: start, callback, complete-your-account, disconnect.

They deal with HTTP only (state, redirects, messages); what a login means is decided in
connect.py, and where people go next by the registration backend.
"""

import logging
from collections.abc import Collection, Mapping
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_variables
from django.views.decorators.http import require_http_methods, require_POST

from . import flows, oauth, pending, redirects, signals, state, user_graph
from .actions import CONNECT_ACTIONS
from .conf import facebook_url
from .connect import LOGIN_STEP
from .decorators import forget_retry
from .exceptions import FacebookError
from .graph import AccessToken, GraphClient
from .models import FacebookAccount
from .profile import FacebookProfile, requested_fields
from .registration_backends import get_registration_backend
from .registration_backends.base import NooptRegistrationBackend
from .types import AuthenticatedRequest, User

logger = logging.getLogger(__name__)

# The permissions a person who declined them is offered to share again (auth_type=rerequest).
REREQUESTABLE = ("email",)
PERMISSION_REFUSED = gettext_lazy(
    "That page needs a permission you did not give on Facebook. You can give it next time."
)


@never_cache
@require_http_methods(["GET", "POST"])
def login(request: HttpRequest) -> HttpResponse:
    """Start a login: remember the redirect parameters and a state, open Facebook's dialog."""
    data = request.POST if request.method == "POST" else request.GET
    parameters = redirects.safe_next_parameters(request, data)
    origin = redirects.origin_of(request)
    if origin:
        parameters[redirects.ORIGIN_KEY] = origin
    # "Share my email" on the complete-your-account page: ask again for that one permission.
    rerequest = data.get("rerequest") in REREQUESTABLE
    return oauth.login_redirect(
        request, parameters, rerequest=rerequest, scope=[data["rerequest"]] if rerequest else None
    )


@sensitive_variables("token", "client")
@never_cache
@require_http_methods(["GET"])
def callback(request: HttpRequest) -> HttpResponseBase:
    """Facebook's redirect back: check the state, read the profile, log in/connect/register."""
    backend = get_registration_backend()
    state_value = request.GET.get("state", "")
    entry = state.pop_state(request, state_value)
    if entry is None:
        completed = state.completed_login(request, state_value)
        if completed is not None and _is_linked(request.user, completed["facebook_id"]):
            # The callback of the login that logged this person in, again (a reload, the back
            # button): they are where they wanted to be; no Graph call, no error.
            return HttpResponseRedirect(completed["landing"] or redirects.next_url(request, ()))
        logger.info("Facebook callback refused: missing, unknown, expired or used state")
        return backend.post_error(
            request, message=_("Your Facebook login expired or was not started here. Try again.")
        )
    redirects.set_next_parameters(request, entry["next"])
    required = entry.get("required", [])
    if request.GET.get("error_reason") == "user_denied":
        logger.info("Facebook login cancelled by the person")
        _away_from_the_view(request, required)
        return backend.post_cancel(request)
    if "error" in request.GET or "code" not in request.GET:
        reason = request.GET.get("error_reason", "")[:100]
        logger.info("Facebook login not completed: error_reason=%r", reason)
        _away_from_the_view(request, required)
        return backend.post_error(request, message=_("Facebook did not complete the login."))
    try:
        client = GraphClient(
            graph_url=facebook_url("FACEBOOK_GRAPH_URL", request.build_absolute_uri("/"))
        )
        token = client.exchange_code(request.GET["code"], entry["redirect_uri"])
        profile = FacebookProfile.from_graph(client.me(token.token, requested_fields()))
    except FacebookError as error:
        _away_from_the_view(request, required)
        return backend.post_error(request, message=error.user_message)
    token = user_graph.token_to_keep(client, token)
    response = _connect(request, backend, profile, token, required)
    if request.user.is_authenticated:
        landing = response.url if isinstance(response, HttpResponseRedirect) else None
        state.remember_completed(request, state_value, profile.id, landing)
    return response


@sensitive_variables("waiting")
@never_cache
@require_http_methods(["GET", "POST"])
def complete_registration(request: HttpRequest) -> HttpResponseBase:
    """Let the person finish a Facebook sign-up whose data did not pass the form."""
    backend = get_registration_backend()
    waiting = pending.pending_registration(request)
    if waiting is None:
        return backend.post_error(
            request, message=_("Your Facebook sign-up expired. Please log in with Facebook again.")
        )
    redirects.set_next_parameters(request, waiting["next"])
    profile = FacebookProfile.from_dict(waiting["profile"])
    share = _share_again(waiting)
    if request.method == "GET":
        return _first_display(request, backend, waiting["data"], profile, share)
    if any(len(values) > 1 for _, values in request.POST.lists()):
        raise BadRequest("a form field was sent more than once")
    outcome = flows.connect(request, backend, profile, pending.token_of(waiting), data=request.POST)
    if isinstance(outcome, flows.Incomplete):
        return _render_form(request, outcome.form, profile, share, status=400)
    return _finish(request, backend, outcome, profile, waiting.get("required", ()))


@require_POST
@login_required
def disconnect(request: AuthenticatedRequest) -> HttpResponse:
    """Unlink the user's Facebook profile, unless that would leave no way to log in."""
    account = FacebookAccount.objects.filter(user=request.user).first()
    redirects.set_next_parameters(request, redirects.safe_next_parameters(request, request.POST))
    next_url = redirects.next_url(request, ("next",))
    if account is None:
        messages.info(request, _("Your account is not connected to Facebook."))
    elif not request.user.has_usable_password():
        messages.error(
            request,
            _("Set a password first: without Facebook you would have no way to log in."),
        )
    else:
        account.delete()
        signals.facebook_user_disconnected.send(
            sender=type(request.user), user=request.user, request=request, facebook_account=account
        )
        messages.success(request, _("Your account is no longer connected to Facebook."))
    return HttpResponseRedirect(next_url)


def declined_scopes(request: HttpRequest, profile: FacebookProfile) -> list[str]:
    """The permissions the person declined, among those the site may ask again: as /me's
    permissions say, or the dialog's `denied_scopes` (input from outside, so only those
    names are kept; at worst it offers to share a permission again)."""
    denied = {*request.GET.get("denied_scopes", "").split(","), *profile.declined_scopes}
    return [name for name in REREQUESTABLE if name in denied]


def _connect(
    request: HttpRequest,
    backend: NooptRegistrationBackend,
    profile: FacebookProfile,
    token: AccessToken,
    required: Collection[str],
) -> HttpResponseBase:
    declined = declined_scopes(request, profile)
    outcome = flows.connect(request, backend, profile, token, declined=declined, required=required)
    if isinstance(outcome, flows.Incomplete):
        return redirect("facebook:complete_registration")
    return _finish(request, backend, outcome, profile, required)


def _finish(
    request: HttpRequest,
    backend: NooptRegistrationBackend,
    outcome: flows.Connected | flows.Refused,
    profile: FacebookProfile,
    required: Collection[str] = (),
) -> HttpResponseBase:
    """A connected or refused outcome, as the registration backend sends people on.

    `required`: the permissions of the @facebook_required view that started the login; a
    refusal, or one the person did not grant, sends them to error_next, not back to the view
    (a new account still goes where its registration system sends it, told why).
    """
    missing = [name for name in required if name not in (profile.granted_scopes or ())]
    if missing or isinstance(outcome, flows.Refused):
        _away_from_the_view(request, required)
    if isinstance(outcome, flows.Refused):
        return backend.post_connect_error(request, outcome.error, profile)
    if outcome.action is CONNECT_ACTIONS.CONNECT:
        messages.success(request, _("Your account is now connected to Facebook."))
    if missing:
        logger.info("Facebook login without the permissions a view needs: %s", missing)
    if missing and outcome.action is not CONNECT_ACTIONS.REGISTER:
        then = backend.post_error(request, message=PERMISSION_REFUSED)
    else:
        if missing:
            messages.warning(request, PERMISSION_REFUSED)
        then = backend.post_connect(request, outcome.user, outcome.action)
    # A login its registration system stopped at a step of its own (allauth's second factor)
    # goes there first, then on to `then`.
    step = getattr(request, LOGIN_STEP, None)
    return then if step is None else backend.through_login_step(request, step, then)


def _away_from_the_view(request: HttpRequest, required: Collection[str]) -> None:
    """The login of a @facebook_required view (`required`, its permissions) goes back to the
    view (`next`) only once it can be shown: a cancel, an error or a refusal goes elsewhere,
    and the view's retry (decorators.py) is over."""
    if required:
        parameters = redirects.next_parameters(request)
        redirects.set_next_parameters(request, redirects.without_next(parameters))
        forget_retry(request)


def _is_linked(user: User | AnonymousUser, facebook_id: str) -> bool:
    return (
        user.is_authenticated
        and FacebookAccount.objects.filter(user=user, facebook_id=facebook_id).exists()
    )


def _share_again(waiting: Mapping[str, Any]) -> dict[str, Any] | None:
    """What the page needs to offer sharing the permissions the person declined again: their
    names, and the sign-up's redirect parameters for the new login; None when none was."""
    declined = [name for name in waiting.get("declined", ()) if name in REREQUESTABLE]
    if not declined:
        return None
    parameters = {
        key: value for key, value in waiting["next"].items() if key in redirects.NEXT_PARAMETERS
    }
    return {"permission": declined[0], "next": parameters}


def _first_display(
    request: HttpRequest,
    backend: NooptRegistrationBackend,
    data: Mapping[str, Any],
    profile: FacebookProfile,
    share: dict[str, Any] | None,
) -> HttpResponse:
    """The form as first shown: no errors yet (the person has typed nothing), but what
    Facebook did not give, or gave and cannot be used, said plainly; what passed is filled in.
    """
    form_class = backend.get_facebook_form_class(request)
    checked = form_class(data=data)
    checked.is_valid()
    asked = [
        {
            "name": name,
            "label": checked.fields[name].label or name,
            "value": data.get(name) or "",
            "error": errors[0],
        }
        for name, errors in checked.errors.items()
        if name in checked.fields
    ]
    initial = {name: value for name, value in data.items() if name not in checked.errors}
    return _render_form(request, form_class(initial=initial), profile, share, asked=asked)


def _render_form(
    request: HttpRequest,
    form: BaseForm,
    profile: FacebookProfile,
    share: dict[str, Any] | None,
    status: int = 200,
    asked: list[dict[str, Any]] | None = None,
) -> HttpResponse:
    """The form, and the offer to share a declined permission after all (`share`); a POST
    whose data did not pass answers 400 Bad Request with the errors."""
    return render(
        request,
        "django_facebook/complete_registration.html",
        {"form": form, "facebook_profile": profile, "asked": asked or [], "share": share},
        status=status,
    )
