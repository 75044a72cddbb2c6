"""The registration backend API (Django Facebook's, modernised)."""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import get_user_model
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from .. import redirects
from ..actions import CONNECT_ACTIONS
from ..exceptions import ConnectError, EmailInUseError, InactiveUserError
from ..models import FacebookAccount
from ..profile import FacebookProfile
from ..types import StrOrPromise, User

# The authentication backend Facebook's logins go through (checked by django_facebook.E006).
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"

EMAIL_AWAITS_ACTIVATION = _(
    "An account with the email address of your Facebook profile is waiting to be activated. "
    "Open the activation link we emailed to that address and log in, then connect Facebook "
    "from your account page."
)
CANCELLED = _("You cancelled the Facebook login. Nothing was shared with us.")
USER_AWAITS_ACTIVATION = _(
    "Your account is not active yet. Open the activation link we emailed to you, then log in "
    "with Facebook again."
)


class NooptRegistrationBackend:
    """The base of every registration backend: redirects per action, nothing else.

    The connect flow calls:
      - registration_allowed(request): may a new user be made now?
      - get_facebook_form_class(request): the form that checks Facebook's data for a new
        user (username, email); shown to the person to complete when it does not pass;
      - register(request, form, profile=None): make the user, return it;
      - login(request, user): log in the user Facebook vouched for (a login, a new account);
        None once logged in, or the response of a step still between them and the login
        (allauth's second factor, an email address to verify);
      - through_login_step(request, step, then): the response when login() answered with
        `step`, `then` being post_connect's: by default the step;
      - post_connect(request, user, action): the response after a login, connect or
        registration;
      - post_error(request, additional_params=None): the response after a failure;
      - post_cancel(request): the response when the person cancelled Facebook's dialog;
      - post_connect_error(request, error, profile): the response when Facebook said who the
        person is but the flow refused them (a ConnectError: registration closed, email in
        use, inactive user...); by default post_error with the error's message.
    A site's manual sign-up uses get_form_class() and get_registration_template().
    Override post_connect and post_error to change where people go.
    """

    # The keys tried, in order, for each action (then FACEBOOK_LOGIN_DEFAULT_REDIRECT).
    next_keys: dict[str, tuple[str, ...]] = {
        "login": ("login_next", "next"),
        "connect": ("connect_next", "next"),
        "register": ("register_next", "next"),
    }

    def registration_allowed(self, request: HttpRequest) -> bool:
        return getattr(settings, "REGISTRATION_OPEN", True)

    def get_form_class(self, request: HttpRequest) -> type[BaseForm]:
        """The form of a manual (password) sign-up."""
        raise NotImplementedError

    def get_facebook_form_class(self, request: HttpRequest) -> type[BaseForm]:
        """The form that validates a Facebook sign-up."""
        raise NotImplementedError

    def get_registration_template(self) -> str:
        return "registration/registration_form.html"

    def register(
        self,
        request: HttpRequest,
        form: Any = None,
        profile: FacebookProfile | None = None,
        **kwargs: Any,
    ) -> User:
        """Make the new user from the valid `form`; return it."""
        raise NotImplementedError

    def login(self, request: HttpRequest, user: User) -> HttpResponse | None:
        """Log `user` in through Django's ModelBackend (checked by django_facebook.E006): the
        session then revalidates them as for any password login.

        A backend whose system puts a step between a person and the login (a second factor)
        returns that step's response instead of logging in; the flow sends the person there
        (through_login_step) once post_connect has said where they go next.
        """
        auth.login(request, user, backend=LOGIN_BACKEND)
        return None

    def through_login_step(
        self, request: HttpRequest, step: HttpResponse, then: HttpResponse
    ) -> HttpResponse:
        """The response of a Facebook login that login() stopped at `step`, where `then`
        (post_connect's response) is where the person goes after it: the step itself. A
        backend whose step can lead on to `then` (allauth's) says so here."""
        return step

    def activate(self, **kwargs: Any) -> User | None:
        raise NotImplementedError

    def post_activation_redirect(self, request: HttpRequest, user: User | None) -> str:
        """The URL people go to once their account is active."""
        raise NotImplementedError

    def post_connect(
        self, request: HttpRequest, user: User, action: CONNECT_ACTIONS
    ) -> HttpResponse:
        """Redirect to `<action>_next`, then `next`, then the default."""
        return HttpResponseRedirect(redirects.next_url(request, self.next_keys[action.value]))

    def post_connect_error(
        self, request: HttpRequest, error: ConnectError, profile: FacebookProfile | None = None
    ) -> HttpResponse:
        """The response when the flow refused `profile` with `error` (a ConnectError).

        An account that waits for its activation link is told so, rather than "log in to
        that account" or "not active". Override to explain other errors in the backend's own
        terms or send people elsewhere.
        """
        if profile is not None and self.awaits_activation(self._refused_user(error, profile)):
            message = (
                EMAIL_AWAITS_ACTIVATION
                if isinstance(error, EmailInUseError)
                else USER_AWAITS_ACTIVATION
            )
            return self.post_error(request, message=message)
        return self.post_error(request, message=error.user_message)

    def awaits_activation(self, user: User | None) -> bool:
        """Is `user` a sign-up whose activation link still works? Never, without activation."""
        return False

    def user_with_email(self, email: str) -> User | None:
        """The account that holds `email`, in any case, if one does: a Facebook email that
        an account holds is never linked to it silently (the takeover rule). A system that
        keeps more addresses per account (allauth) looks at them all."""
        return get_user_model()._default_manager.filter(email__iexact=email).first()

    def _refused_user(self, error: ConnectError, profile: FacebookProfile) -> User | None:
        """The existing user an EmailInUseError or InactiveUserError is about, if any."""
        if isinstance(error, EmailInUseError):
            return self.user_with_email(profile.email) if profile.email else None
        if isinstance(error, InactiveUserError):
            account = (
                FacebookAccount.objects.select_related("user")
                .filter(facebook_id=profile.id)
                .first()
            )
            return account.user if account is not None else None
        return None

    def post_cancel(
        self, request: HttpRequest, message: StrOrPromise | None = None
    ) -> HttpResponse:
        """The person cancelled Facebook's dialog: a neutral notice, not an error.

        Back to `error_next`, then `next` (Django Facebook's rule for an error or a cancel),
        then the page where the login started, then the default; with fb_error_or_cancel=1.
        """
        messages.info(request, message or CANCELLED)
        url = redirects.next_url(request, redirects.CANCEL_KEYS)
        return HttpResponseRedirect(redirects.add_query_parameters(url, {"fb_error_or_cancel": 1}))

    def post_error(
        self,
        request: HttpRequest,
        additional_params: Mapping[str, object] | None = None,
        message: StrOrPromise | None = None,
    ) -> HttpResponse:
        """Redirect to `error_next`, then `next`, then the default, with fb_error_or_cancel=1."""
        if message:
            messages.error(request, message)
        params = {"fb_error_or_cancel": 1, **(additional_params or {})}
        url = redirects.next_url(request, redirects.ERROR_KEYS)
        return HttpResponseRedirect(redirects.add_query_parameters(url, params))
