"""AllauthBackend: django-allauth's accounts for passwords, this site's flow for Facebook.

django-allauth's `account` and `mfa` apps run the password side on their own pages: sign-up,
login by email or username, email verification, password reset, email management, their
rate limits and second factors. Facebook goes through the site's connect flow, not
allauth.socialaccount; what it makes is what allauth would make:

- a new user is made by allauth's adapter (`new_user`, `save_user`: its username rules,
  `populate_username` when the form has no username), with an unusable password;
- Facebook's email becomes the account's primary, verified EmailAddress (Facebook vouches for
  it); an address the person typed on "complete your account" is recorded unverified, and
  allauth's ACCOUNT_EMAIL_VERIFICATION decides ("mandatory": the emailed link before the
  first login, as allauth asks of a password sign-up);
- allauth's `user_signed_up` is sent, then Django Facebook's `user_registered`;
- every login with Facebook, a new account's first one too, goes through allauth's
  `perform_login` and its login stages: a person with a second factor (TOTP, a security
  key) is asked for it after Facebook, since Facebook's login is one factor; an address to
  verify is asked for; allauth's `user_logged_in` is sent. Where post_connect sends the
  person becomes where that step leads on;
- an email address any account holds, as its User.email or among its EmailAddress rows,
  verified or not, is in use: the takeover rule of every system.

An app login (the JSON endpoints) cannot show a step: a person with a second factor is
refused there (SecondFactorRequiredError, "second_factor_required") and logs in on the web.
"""

from types import SimpleNamespace
from typing import Any

from allauth.account import app_settings as allauth_settings
from allauth.account import forms as allauth_forms
from allauth.account import signals as allauth_signals
from allauth.account.adapter import get_adapter
from allauth.account.internal import stagekit
from allauth.account.models import EmailAddress
from allauth.account.utils import perform_login, setup_user_email
from allauth.core import context as allauth_context
from allauth.mfa.utils import is_mfa_enabled
from allauth.utils import get_form_class
from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MinLengthValidator
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from .. import signals
from ..connect import ACCOUNT_COMMITTED, APP_LOGIN
from ..exceptions import SecondFactorRequiredError
from ..forms import PlainHelpTexts
from ..profile import FacebookProfile
from ..types import User
from .base import NooptRegistrationBackend

# The wording of the connect flow and of the other systems' forms, the same all over the site.
DUPLICATE_EMAIL = _("An account with this email address exists already.")


def user_with_email(email: str) -> User | None:
    """The account holding `email`, in any case: as an EmailAddress of allauth's, verified
    or not, or as the User's own email field."""
    address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
    if address is not None:
        return address.user
    return get_user_model()._default_manager.filter(email__iexact=email).first()


class LoginForm(allauth_forms.LoginForm):
    """allauth's login form (ACCOUNT_FORMS["login"]): its account field labelled with what
    it takes ("Username or email", allauth's placeholder) and marked as the account's name
    for password managers (`username`); the page has its own "Forgotten your password?"."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        account = self.fields["login"]
        account.label = account.widget.attrs.get("placeholder", account.label)
        account.widget.attrs["autocomplete"] = "username"
        if "password" in self.fields:
            self.fields["password"].help_text = ""


class SignupForm(PlainHelpTexts, allauth_forms.SignupForm):
    """allauth's sign-up form (ACCOUNT_FORMS["signup"]), with the help texts of the site's
    other sign-up forms: the same fields and rules, in a product's words."""


class FacebookSignupForm(PlainHelpTexts, forms.Form):
    """A sign-up with Facebook, checked by allauth's own rules: the username (when
    ACCOUNT_SIGNUP_FIELDS asks for one) by the adapter's `clean_username` (its validators,
    ACCOUNT_USERNAME_BLACKLIST, taken names without case), the email by its `clean_email`
    and unused by any account. No password: Facebook is how the person logs in until they
    set one."""

    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(
        label=_("Email"), max_length=254, help_text=_("Account messages are sent here.")
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = allauth_settings.SIGNUP_FIELDS
        for name in ("username", "email"):
            if name in fields:
                self.fields[name].required = fields[name]["required"]
            else:
                del self.fields[name]
        if "username" in self.fields:
            minimum = MinLengthValidator(allauth_settings.USERNAME_MIN_LENGTH)
            self.fields["username"].validators.append(minimum)

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        return get_adapter().clean_username(username) if username else username

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        if not email:
            return email
        email = get_adapter().clean_email(email)
        if user_with_email(email) is not None:
            raise forms.ValidationError(DUPLICATE_EMAIL, code="duplicate_email")
        return email


class AllauthBackend(NooptRegistrationBackend):
    """Password accounts are allauth's; sign-ups with Facebook are made as allauth makes
    them, and every Facebook login passes allauth's login stages."""

    facebook_form_class = FacebookSignupForm

    def get_form_class(self, request: HttpRequest) -> type[BaseForm]:
        """allauth's sign-up form: ACCOUNT_FORMS["signup"], else SignupForm above."""
        return get_form_class(allauth_settings.FORMS, "signup", SignupForm)

    def registration_allowed(self, request: HttpRequest) -> bool:
        """allauth's rule (its adapter's is_open_for_signup), for both ways in."""
        return get_adapter(request).is_open_for_signup(request)

    def get_facebook_form_class(self, request: HttpRequest) -> type[BaseForm]:
        return self.facebook_form_class

    def get_registration_template(self) -> str:
        return "account/signup.html"

    def user_with_email(self, email: str) -> User | None:
        """Among every EmailAddress too, verified or not."""
        return user_with_email(email)

    def register(
        self,
        request: HttpRequest,
        form: Any = None,
        profile: FacebookProfile | None = None,
        **kwargs: Any,
    ) -> User:
        """Make the user from the valid `form` through allauth's adapter; record the email
        as an EmailAddress, verified when it is the one Facebook gave."""
        data = form.cleaned_data
        email = data.get("email") or ""
        names: dict[str, str] = {}
        if profile is not None:
            names = {"first_name": profile.first_name, "last_name": profile.last_name}
        with allauth_context.request_context(request):
            adapter = get_adapter(request)
            user = adapter.new_user(request)
            # No password among the fields: save_user gives the user an unusable one.
            fields = SimpleNamespace(cleaned_data={**names, **data})
            adapter.save_user(request, user, fields, commit=True)
            if email:
                vouched = profile.email if profile is not None else ""
                verified = bool(vouched) and email.lower() == vouched.lower()
                address = EmailAddress(email=email, primary=True, verified=verified)
                setup_user_email(request, user, [address])
        allauth_signals.user_signed_up.send(sender=type(user), request=request, user=user)
        signals.user_registered.send(sender=type(self), user=user, request=request)
        return user

    def login(self, request: HttpRequest, user: User) -> HttpResponse | None:
        """allauth's login, with its stages: None once logged in, else the stage's response
        (its second factor, an address to verify), which post_connect sends the person to."""
        # allauth reads the request from its context, which its middleware sets for a view;
        # set here too for a caller of connect_user() without it (a command, a test).
        with allauth_context.request_context(request):
            signup = getattr(request, ACCOUNT_COMMITTED, False)
            step = perform_login(request, user, signup=signup)
        if request.user.is_authenticated and request.user.pk == user.pk:
            return None
        if getattr(request, APP_LOGIN, False):
            # No page to show the step on: the login waits for nothing.
            stagekit.clear_login(request)
            if is_mfa_enabled(user):
                raise SecondFactorRequiredError
            return None
        return step

    def through_login_step(
        self, request: HttpRequest, step: HttpResponse, then: HttpResponse
    ) -> HttpResponse:
        """allauth's step first; once past it, allauth's login goes on to `then`'s page."""
        login = stagekit.unstash_login(request, peek=True)
        if login is not None and then.has_header("Location"):
            login.redirect_url = then["Location"]
            stagekit.stash_login(request, login)
        return step
