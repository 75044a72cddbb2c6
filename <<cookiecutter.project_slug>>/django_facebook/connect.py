"""Decide what a Facebook login means, and do it: log in, connect, or register.

`connect_user` is the flow's domain logic, free of HTTP details, so a site can call it from
its own views (Django Facebook documented it for mobile clients too):

- an authenticated user      -> CONNECT: link the Facebook profile to that user;
- a known Facebook id        -> LOGIN: log its user in;
- otherwise                  -> REGISTER: make a user through the registration backend.

An email from Facebook that belongs to an existing account is never linked or logged in
silently: anyone could put a victim's address on a Facebook profile (account takeover).
"""

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib import auth
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from . import signals
from .actions import CONNECT_ACTIONS  # Django Facebook's documented place for it
from .conf import setting
from .exceptions import (
    AlreadyConnectedError,
    EmailInUseError,
    InactiveUserError,
    IncompleteProfileError,
    RegistrationClosedError,
)
from .graph import AccessToken
from .models import FacebookAccount
from .profile import FacebookProfile
from .registration_backends import get_registration_backend
from .registration_backends.base import LOGIN_BACKEND  # noqa: F401 (the sign-up views import it here)
from .types import User

if TYPE_CHECKING:
    from .registration_backends.base import NooptRegistrationBackend

# Set (True) on the request once register_user() has committed a new account.
ACCOUNT_COMMITTED = "facebook_account_committed"
# Set on the request when the registration backend's login() answered with a step still to
# pass (allauth's second factor, an address to verify): its response, which the view returns
# through the backend's through_login_step().
LOGIN_STEP = "facebook_login_step"
# Set (True) on the request by the app endpoints, which cannot show a person such a step.
APP_LOGIN = "facebook_app_login"


def connect_user(
    request: HttpRequest,
    profile: FacebookProfile,
    token: AccessToken,
    *,
    backend: "NooptRegistrationBackend | None" = None,
) -> tuple[CONNECT_ACTIONS, User]:
    """Log in, connect or register for `profile`; returns (action, user)."""
    backend = backend or get_registration_backend()
    if request.user.is_authenticated:
        connect_account(request, request.user, profile, token)
        return CONNECT_ACTIONS.CONNECT, request.user
    account = _account_for(profile)
    if account is not None:
        return CONNECT_ACTIONS.LOGIN, login_account(request, account, profile, token, backend)
    return register_user(request, backend, profile, token)


def login_account(
    request: HttpRequest,
    account: FacebookAccount,
    profile: FacebookProfile,
    token: AccessToken,
    backend: "NooptRegistrationBackend | None" = None,
) -> User:
    """Refresh the account's copy of the profile and token, and log its user in."""
    user = account.user
    if not user.is_active:
        raise InactiveUserError
    # First: a login the registration backend refuses (an app login allauth would ask for a
    # second factor) changes nothing.
    log_in(request, backend or get_registration_backend(), user)
    FacebookAccount.objects.filter(pk=account.pk).update(
        **account_values(profile, token), updated_at=timezone.now()
    )
    return user


def log_in(request: HttpRequest, backend: "NooptRegistrationBackend", user: User) -> None:
    """The registration backend's login; a step it answers with is kept for the view."""
    step = backend.login(request, user)
    if step is not None:
        setattr(request, LOGIN_STEP, step)


def connect_account(
    request: HttpRequest, user: User, profile: FacebookProfile, token: AccessToken
) -> FacebookAccount:
    """Link `profile` to `user`; AlreadyConnectedError when either is linked elsewhere."""
    accounts = list(FacebookAccount.objects.filter(Q(facebook_id=profile.id) | Q(user=user)))
    if any(account.facebook_id != profile.id or account.user_id != user.pk for account in accounts):
        raise AlreadyConnectedError
    values = account_values(profile, token)
    if accounts:
        FacebookAccount.objects.filter(pk=accounts[0].pk).update(
            **values, updated_at=timezone.now()
        )
        return accounts[0]
    try:
        with transaction.atomic():
            account = FacebookAccount.objects.create(user=user, facebook_id=profile.id, **values)
    except IntegrityError:
        # A concurrent request linked the same profile or the same user first.
        raise AlreadyConnectedError from None
    signals.facebook_user_connected.send(
        sender=type(user), user=user, request=request, facebook_account=account
    )
    return account


def register_user(
    request: HttpRequest,
    backend: "NooptRegistrationBackend",
    profile: FacebookProfile,
    token: AccessToken,
    data: Mapping[str, Any] | None = None,
) -> tuple[CONNECT_ACTIONS, User]:
    """Make a new user for `profile` through `backend`; returns (action, user).

    `data` is the "complete your account" form's input; without it the form is filled from
    Facebook. The user and the account link are created in one transaction, so a failure
    leaves neither. If a concurrent request registered the same Facebook id first (a double
    click, two tabs), this one logs in to that user instead of failing.
    """
    if not backend.registration_allowed(request):
        raise RegistrationClosedError
    try:
        user, account = _create_user(request, backend, profile, token, data)
    except (EmailInUseError, IncompleteProfileError):
        existing = _account_for(profile)
        if existing is None:
            raise
        return CONNECT_ACTIONS.LOGIN, login_account(request, existing, profile, token, backend)
    # From here on the account exists: an error page must say so, never that registering
    # failed (the site's error pages read this).
    setattr(request, ACCOUNT_COMMITTED, True)
    signals.facebook_user_registered.send(
        sender=type(user), user=user, request=request, facebook_account=account, profile=profile
    )
    if user.is_active:
        log_in(request, backend, user)
    return CONNECT_ACTIONS.REGISTER, user


def _create_user(
    request: HttpRequest,
    backend: "NooptRegistrationBackend",
    profile: FacebookProfile,
    token: AccessToken,
    data: Mapping[str, Any] | None,
) -> tuple[User, FacebookAccount]:
    form_class = backend.get_facebook_form_class(request)
    form = form_class(data=registration_data(profile) if data is None else data)
    if not form.is_valid():
        # The form checks that no account has the email yet; Facebook's email in use is no
        # field to correct but a refusal. Asked only when the email was refused, so that a
        # sign-up checks it once.
        if _email_in_use(backend, form, profile):
            raise EmailInUseError
        raise IncompleteProfileError(form)
    try:
        with transaction.atomic():
            user = backend.register(request, form=form, profile=profile)
            account = FacebookAccount.objects.create(
                user=user, facebook_id=profile.id, **account_values(profile, token)
            )
    except IntegrityError:
        # The Facebook id, the username or the email was taken meanwhile; the form now says
        # which, unless the id was (register_user then logs in).
        raise IncompleteProfileError(form_class(data=form.data)) from None
    return user, account


def _email_in_use(
    backend: "NooptRegistrationBackend", form: BaseForm, profile: FacebookProfile
) -> bool:
    if not profile.email or auth.get_user_model().get_email_field_name() not in form.errors:
        return False
    return backend.user_with_email(profile.email) is not None


def _account_for(profile: FacebookProfile) -> FacebookAccount | None:
    return FacebookAccount.objects.select_related("user").filter(facebook_id=profile.id).first()


def account_values(profile: FacebookProfile, token: AccessToken) -> dict[str, Any]:
    """The account's columns after a login with `profile` and `token`.

    The token is kept only with FACEBOOK_STORE_ACCESS_TOKEN (then a login without one,
    Limited Login's, leaves the kept token as it is; without it, any kept before goes); the
    permissions when /me said them.
    """
    values: dict[str, Any] = {
        "name": profile.name,
        "email": profile.email,
        "picture_url": profile.picture_url,
        # A new login is a new authorization, after a deauthorize callback too.
        "deauthorized_at": None,
    }
    keep = setting("FACEBOOK_STORE_ACCESS_TOKEN")
    if token.token or not keep:
        values["access_token"] = token.token if keep else ""
        values["token_expires_at"] = token.expires_at if keep else None
    if profile.granted_scopes is not None:
        values["scopes"] = list(profile.granted_scopes)
        values["declined_scopes"] = list(profile.declined_scopes)
    return values


def registration_data(profile: FacebookProfile) -> dict[str, str]:
    """The registration form's data as Facebook gives it: a suggested username, the email."""
    return {"username": suggest_username(profile), "email": profile.email}


def suggest_username(profile: FacebookProfile) -> str:
    """A username from the person's name ("Ada Lovelace" -> "ada.lovelace")."""
    base = slugify(profile.name, allow_unicode=True).replace("-", ".")
    return (base or f"facebook.{profile.id[-8:]}")[:150]
