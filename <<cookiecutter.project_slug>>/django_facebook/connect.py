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
from .types import User

if TYPE_CHECKING:
    from .registration_backends.base import NooptRegistrationBackend

# Users are logged in through Django's ModelBackend (checked by django_facebook.E006): the
# session then revalidates them as for any password login.
LOGIN_BACKEND = "django.contrib.auth.backends.ModelBackend"
# Set (True) on the request once register_user() has committed a new account.
ACCOUNT_COMMITTED = "facebook_account_committed"


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
        return CONNECT_ACTIONS.LOGIN, login_account(request, account, profile, token)
    return register_user(request, backend, profile, token)


def login_account(
    request: HttpRequest, account: FacebookAccount, profile: FacebookProfile, token: AccessToken
) -> User:
    """Refresh the account's copy of the profile and token, and log its user in."""
    user = account.user
    if not user.is_active:
        raise InactiveUserError
    FacebookAccount.objects.filter(pk=account.pk).update(
        **account_values(profile, token), updated_at=timezone.now()
    )
    auth.login(request, user, backend=LOGIN_BACKEND)
    return user


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
        return CONNECT_ACTIONS.LOGIN, login_account(request, existing, profile, token)
    # From here on the account exists: an error page must say so, never that registering
    # failed (the site's error pages read this).
    setattr(request, ACCOUNT_COMMITTED, True)
    signals.facebook_user_registered.send(
        sender=type(user), user=user, request=request, facebook_account=account, profile=profile
    )
    if user.is_active:
        auth.login(request, user, backend=LOGIN_BACKEND)
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
        if _email_in_use(form, profile):
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


def _email_in_use(form: BaseForm, profile: FacebookProfile) -> bool:
    user_model = auth.get_user_model()
    if not profile.email or user_model.get_email_field_name() not in form.errors:
        return False
    return user_model._default_manager.filter(email__iexact=profile.email).exists()


def _account_for(profile: FacebookProfile) -> FacebookAccount | None:
    return FacebookAccount.objects.select_related("user").filter(facebook_id=profile.id).first()


def account_values(profile: FacebookProfile, token: AccessToken) -> dict[str, Any]:
    return {
        "name": profile.name,
        "email": profile.email,
        "picture_url": profile.picture_url,
        "access_token": token.token,
        "token_expires_at": token.expires_at,
        # A new login is a new authorization, after a deauthorize callback too.
        "deauthorized_at": None,
    }


def registration_data(profile: FacebookProfile) -> dict[str, str]:
    """The registration form's data as Facebook gives it: a suggested username, the email."""
    return {"username": suggest_username(profile), "email": profile.email}


def suggest_username(profile: FacebookProfile) -> str:
    """A username from the person's name ("Ada Lovelace" -> "ada.lovelace")."""
    base = slugify(profile.name, allow_unicode=True).replace("-", ".")
    return (base or f"facebook.{profile.id[-8:]}")[:150]
