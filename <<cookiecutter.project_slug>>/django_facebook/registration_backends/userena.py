"""UserenaBackend: django-userena-ce's accounts, profiles and activation for the connect flow.

Django Facebook documented `UserenaBackend` with userena's sign-up form and `form.save()`.
This one keeps those names and makes every new user a userena account in full:

- a sign-up by form is userena's own: its form (plus the site's AUTH_PASSWORD_VALIDATORS,
  which userena's form skips), its `UserenaSignup.objects.create_user`, its activation email
  when USERENA_ACTIVATION_REQUIRED;
- a sign-up with Facebook goes through the same `create_user`, so it gets userena's signup
  record, its profile and its guardian object permissions (what `check_permissions` checks).
  It is active at once, its signup record marked activated: Facebook has just authenticated
  the person. With FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION = True it waits for userena's
  activation email instead, like a sign-up by form;
- the Facebook picture becomes the mugshot, fetched once the new user is committed: only
  from Facebook's picture hosts, with a timeout, a deadline and a size limit, and checked to
  be an image. When the picture cannot be had the login goes on without it;
- userena's `signup_complete` and Django Facebook's `user_registered` are sent for every new
  user, by form or with Facebook.

Override in the site's SiteRegistrationBackend: `form_class`, `facebook_form_class`,
`requires_activation()`, `store_facebook_picture()` and the `picture_*` limits.
"""

import logging
from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from userena import forms as userena_forms
from userena import settings as userena_settings
from userena import signals as userena_signals
from userena.models import UserenaSignup
from userena.utils import get_user_profile

from .. import pictures, signals
from ..actions import CONNECT_ACTIONS
from ..conf import facebook_url, setting
from ..forms import FacebookProfileForm, PlainHelpTexts
from ..pictures import PictureRules
from ..profile import FacebookProfile
from ..types import User
from .base import NooptRegistrationBackend

logger = logging.getLogger(__name__)

FORBIDDEN_USERNAME = _("This username is not allowed.")


class SignupForm(PlainHelpTexts, userena_forms.SignupForm):
    """userena's sign-up form, with the password checked by AUTH_PASSWORD_VALIDATORS, and
    inputs that browsers and password managers understand.

    userena's form only compares the two passwords; Django's own forms run the validators.
    Its email is a plain text input and its fields say nothing of what they hold: here the
    email is type="email" (the phone's email keyboard, the browser's own check), and the
    `autocomplete` hints let a password manager offer a new password rather than fill in a
    saved one, as Django's sign-up forms do.
    """

    # userena's USERNAME_RE.
    username_allowed = _("letters, digits, dots and underscores, no spaces")
    email = forms.EmailField(label=_("Email"), widget=forms.EmailInput)
    AUTOCOMPLETE = {
        "username": "username",
        "email": "email",
        "password1": "new-password",
        "password2": "new-password",
    }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, autocomplete in self.AUTOCOMPLETE.items():
            if name in self.fields:
                self.fields[name].widget.attrs["autocomplete"] = autocomplete

    def clean(self) -> dict[str, Any]:
        super().clean()  # userena's, which returns self.cleaned_data
        cleaned_data = self.cleaned_data
        password = cleaned_data.get("password1")
        if password and not self.has_error("password1"):
            user = get_user_model()(
                username=cleaned_data.get("username", ""), email=cleaned_data.get("email", "")
            )
            try:
                password_validation.validate_password(password, user)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned_data


class SignupFormOnlyEmail(SignupForm, userena_forms.SignupFormOnlyEmail):
    """The same without a username (USERENA_WITHOUT_USERNAMES): userena makes one up."""


class FacebookSignupForm(FacebookProfileForm):
    """A sign-up with Facebook: a username and an email, checked as the built-in form checks
    them (unique without regard to case), and not one of USERENA_FORBIDDEN_USERNAMES, which
    would hide a page under userena's /accounts/<username>/ URLs."""

    def clean_username(self) -> str:
        username = super().clean_username()
        if username.lower() in userena_settings.USERENA_FORBIDDEN_USERNAMES:
            raise forms.ValidationError(FORBIDDEN_USERNAME, code="forbidden")
        return username


class UserenaBackend(NooptRegistrationBackend):
    """Accounts made the way userena makes them, by form or with Facebook."""

    form_class = SignupForm
    facebook_form_class = FacebookSignupForm
    template_name = "userena/signup_form.html"

    # The Facebook picture: fetched from these hosts only ("." + domain: any host under it),
    # or from the origin of the login's Graph calls (where the offline stand-in serves it).
    picture_hosts = ("platform-lookaside.fbsbx.com", ".fbcdn.net")
    # Image types asked for and kept: what Pillow and easy-thumbnails turn into a mugshot.
    picture_types = {
        "image/jpeg": "jpg",
        "image/png": "png",
        "image/gif": "gif",
        "image/webp": "webp",
    }
    picture_timeout = (3.05, 5.0)  # seconds to connect, and between two bytes
    picture_deadline = 10.0  # seconds for the whole download, redirects included
    picture_max_bytes = 5 * 1024 * 1024
    picture_max_pixels = 4096 * 4096
    picture_max_redirects = 3

    def get_form_class(self, request: HttpRequest) -> type[BaseForm]:
        """userena's sign-up form (Django Facebook's choice), or its email-only variant."""
        if userena_settings.USERENA_WITHOUT_USERNAMES and self.form_class is SignupForm:
            return SignupFormOnlyEmail
        return self.form_class

    def get_facebook_form_class(self, request: HttpRequest) -> type[BaseForm]:
        return self.facebook_form_class

    def get_registration_template(self) -> str:
        return self.template_name

    def registration_allowed(self, request: HttpRequest) -> bool:
        """REGISTRATION_OPEN, and userena's USERENA_DISABLE_SIGNUP, close both ways in."""
        return super().registration_allowed(request) and not (
            userena_settings.USERENA_DISABLE_SIGNUP
        )

    def requires_activation(
        self, request: HttpRequest, profile: FacebookProfile | None = None
    ) -> bool:
        """Must the new user activate the account by email before logging in?

        Sign-ups by form: USERENA_ACTIVATION_REQUIRED. Sign-ups with Facebook (`profile`):
        FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION, False unless set.
        """
        if profile is None:
            return userena_settings.USERENA_ACTIVATION_REQUIRED
        return bool(setting("FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION"))

    def register(
        self,
        request: HttpRequest,
        form: Any = None,
        profile: FacebookProfile | None = None,
        **kwargs: Any,
    ) -> User:
        """Make the user from the valid `form` (with Facebook's `profile`, if any); send
        userena's signup_complete and Django Facebook's user_registered; return the user."""
        if profile is not None:
            user = self.create_facebook_user(request, form, profile)
        else:
            user = form.save()  # userena's own sign-up: activation as USERENA_ACTIVATION_REQUIRED
        userena_signals.signup_complete.send(sender=None, user=user)
        signals.user_registered.send(sender=type(self), user=user, request=request)
        return user

    def create_facebook_user(
        self, request: HttpRequest, form: BaseForm, profile: FacebookProfile
    ) -> User:
        """userena's create_user for a Facebook sign-up; the picture once committed."""
        active = not self.requires_activation(request, profile)
        user = UserenaSignup.objects.create_user(
            form.cleaned_data["username"],
            form.cleaned_data["email"],
            None,  # no usable password: Facebook is how they log in, until they set one
            active=active,
            send_email=False,
        )
        user.first_name, user.last_name = profile.first_name, profile.last_name
        user.save(update_fields=["first_name", "last_name"])
        signup = UserenaSignup.objects.get(user=user)
        if active:
            signup.activation_key = userena_settings.USERENA_ACTIVATED
            signup.save(update_fields=["activation_key"])
        else:
            # Only once the user exists for good: a sign-up rolled back sends no link.
            transaction.on_commit(signup.send_activation_email, robust=True)
        if profile.picture_url:
            graph_url = facebook_url("FACEBOOK_GRAPH_URL", request.build_absolute_uri("/"))
            transaction.on_commit(
                lambda: self.store_facebook_picture(user, profile.picture_url, graph_url),
                robust=True,
            )
        return user

    def post_connect(
        self, request: HttpRequest, user: User, action: CONNECT_ACTIONS
    ) -> HttpResponse:
        """A new user who is not logged in (activation first) sees userena's "check your
        email" page, as after a sign-up by form."""
        if action is CONNECT_ACTIONS.REGISTER and request.user != user:
            return HttpResponseRedirect(
                reverse("userena_signup_complete", kwargs={"username": user.username})
            )
        return super().post_connect(request, user, action)

    def awaits_activation(self, user: User | None) -> bool:
        """Is `user` a userena sign-up whose activation link still works?"""
        if user is None or user.is_active:
            return False
        signup = UserenaSignup.objects.filter(user=user).first()
        return signup is not None and not signup.activation_key_expired()

    # The Facebook picture as the mugshot.

    def store_facebook_picture(self, user: User, url: str, graph_url: str | None = None) -> bool:
        """Fetch the picture at `url` and make it the user's mugshot; True when stored.

        `graph_url` is where the login's Graph calls went (FACEBOOK_GRAPH_URL made absolute
        for the request), whose origin may serve the picture too.

        Any failure (network, size, not an image, storage) is logged and ends here: the
        login that called this goes on without a mugshot.
        """
        try:
            content, extension = pictures.fetch(url, self.picture_rules(), graph_url)
            profile = get_user_profile(user=user)
            profile.mugshot.save(f"facebook.{extension}", ContentFile(content), save=False)
            fields = ["mugshot"]
            # A profile model that records which mugshot came from Facebook lets the site
            # delete it with the rest of Facebook's data.
            if hasattr(profile, "facebook_mugshot"):
                profile.facebook_mugshot = profile.mugshot.name
                fields.append("facebook_mugshot")
            profile.save(update_fields=fields)
        except Exception as error:  # whatever the cause, the login goes on without it
            logger.warning(
                "Facebook picture not stored for user %s: %s: %s",
                user.pk,
                type(error).__name__,
                error,
            )
            return False
        return True

    def picture_rules(self) -> PictureRules:
        """The `picture_*` limits, as the picture fetcher (pictures.py) takes them."""
        return PictureRules(
            hosts=self.picture_hosts,
            types=self.picture_types,
            timeout=self.picture_timeout,
            deadline=self.picture_deadline,
            max_bytes=self.picture_max_bytes,
            max_pixels=self.picture_max_pixels,
            max_redirects=self.picture_max_redirects,
        )
