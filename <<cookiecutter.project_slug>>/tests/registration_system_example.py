"""docs/other-registration-systems.md's example: a registration system of one's own behind
FACEBOOK_REGISTRATION_BACKEND, kept as a test (tests/test_registration_system_recipe.py runs
it and checks that the page shows this code)."""

from typing import Any

from django import forms
from django.forms import BaseForm
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from django_facebook import signals
from django_facebook.forms import FacebookProfileForm, FacebookRegistrationFormUniqueEmail
from django_facebook.profile import FacebookProfile
from django_facebook.registration_backends import NooptRegistrationBackend
from django_facebook.types import User


class AcceptTerms(forms.Form):
    """The site's own rule: nobody signs up without accepting its terms."""

    accept_terms = forms.BooleanField(label=_("I accept the terms of use"))


class PasswordSignUpForm(AcceptTerms, FacebookRegistrationFormUniqueEmail):
    """The manual sign-up: username, email (no account may have it yet), password twice."""


class FacebookSignUpForm(AcceptTerms, FacebookProfileForm):
    """A Facebook sign-up: filled from Facebook (username, email) and checked as the manual
    one is. A field Facebook cannot fill (the terms) sends the person to "complete your
    account"; an email that an account has already is refused (no account takeover)."""


class TermsBackend(NooptRegistrationBackend):
    """A registration system of one's own: sign-ups accept the terms, and log in at once."""

    def get_form_class(self, request: HttpRequest) -> type[BaseForm]:
        return PasswordSignUpForm

    def get_facebook_form_class(self, request: HttpRequest) -> type[BaseForm]:
        return FacebookSignUpForm

    def register(
        self,
        request: HttpRequest,
        form: Any = None,
        profile: FacebookProfile | None = None,
        **kwargs: Any,
    ) -> User:
        # The form's save() returns the new user: the connect flow links it to Facebook and
        # logs it in (an inactive one, it leaves to its activation).
        user = form.save()
        signals.user_registered.send(sender=type(self), user=user, request=request)
        return user
