"""DjangoRegistrationDefaultBackend: django-registration 5's two-step activation workflow.

Django Facebook documented this class as both its own registration backend and
django-registration's `DefaultBackend`. django-registration 5 has no backend classes any
more: its workflows are views. So this backend runs the activation workflow's own view code
(its form, its signed activation key, its emails and its signals), and the sign-up and
activation views (django_registration_views.py) run through the backend, as the connect
flow does:

- a sign-up by form makes an inactive user and emails the activation link
  (django-registration's `RegistrationView.register`);
- the link activates the account for ACCOUNT_ACTIVATION_DAYS (its `ActivationView`);
- a sign-up with Facebook passes the same rules for the username and email, without the
  passwords, and is active at once: Facebook has just authenticated the person. With
  FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION = True it waits for the emailed link too;
- django-registration's `user_registered` signal is sent for every new user, then Django
  Facebook's;
- REGISTRATION_OPEN = False closes both ways in, and both end on the "closed" page.
"""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_registration import signals as registration_signals
from django_registration import validators
from django_registration.backends.activation import views as activation
from django_registration.forms import RegistrationForm

from .. import signals
from ..actions import CONNECT_ACTIONS
from ..conf import setting
from ..exceptions import ConnectError, RegistrationClosedError
from ..forms import PlainHelpTexts, UsernameCheckedOnce
from ..profile import FacebookProfile
from ..types import User
from .base import NooptRegistrationBackend

# The wording of the connect flow and of the built-in form, the same all over the site.
DUPLICATE_EMAIL = _("An account with this email address exists already.")


class CaseInsensitiveUnique(validators.CaseInsensitiveUnique):
    """django-registration's uniqueness check, skipped for a value with a NUL character.

    A field runs all its validators, even after one has refused the value; the field refuses
    a NUL anyway, and PostgreSQL cannot even compare a text holding one (DataError).
    """

    def __call__(self, value: object) -> None:
        if isinstance(value, str) and "\x00" in value:
            return
        super().__call__(value)


def nul_safe(validator: Any) -> Any:
    """django-registration's own uniqueness check as CaseInsensitiveUnique; others as they are."""
    if type(validator) is validators.CaseInsensitiveUnique:
        return CaseInsensitiveUnique(validator.model, validator.field_name, validator.error_message)
    return validator


class RegistrationFormUniqueEmail(PlainHelpTexts, UsernameCheckedOnce, RegistrationForm):
    """A sign-up by form: django-registration's form (its username rules, confusable and
    reserved names, HTML5 email rule, password validators), with an email address that no
    account has yet, compared without case."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model = self._meta.model
        for field in self.fields.values():
            field.validators = [nul_safe(validator) for validator in field.validators]
        email = model.get_email_field_name()
        self.fields[email].validators.append(CaseInsensitiveUnique(model, email, DUPLICATE_EMAIL))


class FacebookRegistrationForm(RegistrationFormUniqueEmail):
    """A sign-up with Facebook: the same rules for the username and email, no password.

    The user gets an unusable password: Facebook is how they log in, until they set one.
    """

    password1 = None
    password2 = None

    def validate_passwords(self, *args: Any, **kwargs: Any) -> None:
        """There are no passwords to compare."""

    def set_password_and_save(
        self, user: User, password_field_name: str | None = None, commit: bool = True
    ) -> User:
        user.set_unusable_password()
        if commit:
            user.save()
        return user


class DjangoRegistrationDefaultBackend(NooptRegistrationBackend):
    """Sign-ups by form activate by email; sign-ups with Facebook are active at once."""

    form_class = RegistrationFormUniqueEmail
    facebook_form_class = FacebookRegistrationForm
    template_name = "django_registration/registration_form.html"
    # django-registration's own workflow views: their code makes, emails and activates users.
    registration_view_class = activation.RegistrationView
    activation_view_class = activation.ActivationView

    def get_form_class(self, request: HttpRequest) -> type[BaseForm]:
        return self.form_class

    def get_facebook_form_class(self, request: HttpRequest) -> type[BaseForm]:
        return self.facebook_form_class

    def get_registration_template(self) -> str:
        return self.template_name

    def requires_activation(
        self, request: HttpRequest, profile: FacebookProfile | None = None
    ) -> bool:
        """Must the new user activate the account by email before logging in?

        Sign-ups by form: yes. Sign-ups with Facebook (`profile`): when
        FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION says so.
        """
        return profile is None or setting("FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION")

    def register(
        self,
        request: HttpRequest,
        form: Any = None,
        profile: FacebookProfile | None = None,
        **kwargs: Any,
    ) -> User:
        """Make the user from the valid `form`; return it.

        Inactive with the activation email when `requires_activation`, through
        django-registration's own `register`; otherwise active at once. Either way
        django-registration's `user_registered` is sent, then Django Facebook's.
        """
        if profile is not None:
            form.instance.first_name = profile.first_name
            form.instance.last_name = profile.last_name
        workflow = self._view(self.registration_view_class, request)
        if self.requires_activation(request, profile):
            user = workflow.register(form)
        else:
            user = form.save()
            registration_signals.user_registered.send(
                sender=type(workflow), user=user, request=request
            )
        signals.user_registered.send(sender=type(self), user=user, request=request)
        return user

    def activate(
        self, request: HttpRequest | None = None, form: BaseForm | None = None, **kwargs: Any
    ) -> User | None:
        """Activate the account named by a valid ActivationForm (django-registration's
        signed key); return the user, or raise django-registration's ActivationError."""
        return self._view(self.activation_view_class, request).activate(form)

    def post_activation_redirect(self, request: HttpRequest, user: User | None) -> str:
        """The URL people go to once their account is active."""
        return reverse("django_registration_activation_complete")

    def post_connect(
        self, request: HttpRequest, user: User, action: CONNECT_ACTIONS
    ) -> HttpResponse:
        """New users who must activate first see the "check your email" page."""
        if action is CONNECT_ACTIONS.REGISTER and not user.is_active:
            return HttpResponseRedirect(reverse("django_registration_complete"))
        return super().post_connect(request, user, action)

    def post_connect_error(
        self, request: HttpRequest, error: ConnectError, profile: FacebookProfile | None = None
    ) -> HttpResponse:
        """Closed registration: the closed page, as for the form."""
        if isinstance(error, RegistrationClosedError):
            return HttpResponseRedirect(reverse("django_registration_disallowed"))
        return super().post_connect_error(request, error, profile)

    def awaits_activation(self, user: User | None) -> bool:
        """Is `user` a sign-up whose activation link still works: inactive, never logged in,
        joined less than ACCOUNT_ACTIVATION_DAYS ago? (A user deactivated by staff has
        logged in before, or joined longer ago.)"""
        if user is None or user.is_active or user.last_login is not None:
            return False
        joined = getattr(user, "date_joined", None)
        window = timedelta(days=settings.ACCOUNT_ACTIVATION_DAYS)
        return joined is not None and timezone.now() - joined < window

    @staticmethod
    def _view(view_class: type[Any], request: HttpRequest | None) -> Any:
        """An instance of django-registration's view class, set up for `request`."""
        view = view_class()
        view.setup(request)
        return view
