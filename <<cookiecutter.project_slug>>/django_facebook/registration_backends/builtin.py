"""The built-in registration backend: Django Facebook's own form, immediate login."""

from typing import Any

from django.forms import BaseForm
from django.http import HttpRequest

from .. import forms, signals
from ..profile import FacebookProfile
from ..types import User
from .base import NooptRegistrationBackend


class FacebookRegistrationBackend(NooptRegistrationBackend):
    """Users register by form (username, email, password) or by Facebook, and are active at once."""

    def get_form_class(self, request: HttpRequest) -> type[BaseForm]:
        return forms.FacebookRegistrationFormUniqueEmail

    def get_facebook_form_class(self, request: HttpRequest) -> type[BaseForm]:
        return forms.FacebookProfileForm

    def register(
        self,
        request: HttpRequest,
        form: Any = None,
        profile: FacebookProfile | None = None,
        **kwargs: Any,
    ) -> User:
        user = form.save(commit=False)
        if profile is not None:
            user.first_name, user.last_name = profile.first_name, profile.last_name
        user.save()
        signals.user_registered.send(sender=type(self), user=user, request=request)
        return user
