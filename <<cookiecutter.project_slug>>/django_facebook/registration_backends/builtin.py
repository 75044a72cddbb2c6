"""The built-in registration backend: Django Facebook's own form, immediate login."""

from .. import forms, signals
from .base import NooptRegistrationBackend


class FacebookRegistrationBackend(NooptRegistrationBackend):
    """Users register by form (username, email, password) or by Facebook, and are active at once."""

    def get_form_class(self, request):
        return forms.FacebookRegistrationFormUniqueEmail

    def get_facebook_form_class(self, request):
        return forms.FacebookProfileForm

    def register(self, request, form=None, profile=None, **kwargs):
        user = form.save(commit=False)
        if profile is not None:
            user.first_name, user.last_name = profile.first_name, profile.last_name
        user.save()
        signals.user_registered.send(sender=type(self), user=user, request=request)
        return user
