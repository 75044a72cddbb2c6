"""django-registration's activation workflow views, run by the registration backend.

The sign-up by form asks FACEBOOK_REGISTRATION_BACKEND whether sign-ups are open, for its form,
template and `register`, and for where to go next (`post_connect` with REGISTER), as a sign-up
with Facebook does; the activation asks it to `activate` and for `post_activation_redirect`.
Everything else (the signed key, its expiry, the emails, the signals) is django-registration's.
"""

from typing import Any

from django.conf import settings
from django.contrib import auth
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django_registration.backends.activation import views as activation

from .actions import CONNECT_ACTIONS
from .connect import LOGIN_BACKEND
from .languages import recipient_language
from .registration_backends import get_registration_backend
from .types import User


@method_decorator(never_cache, name="dispatch")
class RegistrationView(activation.RegistrationView):
    """Sign up with username, email and password; the activation email follows."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        self.backend = get_registration_backend()
        return super().dispatch(request, *args, **kwargs)

    def registration_allowed(self) -> bool:
        return self.backend.registration_allowed(self.request)

    def get_form_class(self) -> type[BaseForm]:
        return self.backend.get_form_class(self.request)

    def get_template_names(self) -> list[str]:
        return [self.backend.get_registration_template()]

    def register(self, form: BaseForm) -> User:
        return self.backend.register(self.request, form=form)

    def form_valid(self, form: BaseForm) -> HttpResponse:
        user = self.register(form)
        if user.is_active:
            auth.login(self.request, user, backend=LOGIN_BACKEND)
        return self.backend.post_connect(self.request, user, CONNECT_ACTIONS.REGISTER)

    def send_activation_email(self, user: User) -> None:
        """In the language of the new account (the one it signed up in)."""
        with recipient_language(user):
            super().send_activation_email(user)

    def form_invalid(self, form: BaseForm) -> HttpResponse:
        """A POST whose data did not pass answers 400 Bad Request, with the form's errors."""
        return self.render_to_response(self.get_context_data(form=form), status=400)


@method_decorator(never_cache, name="dispatch")
class ActivationView(activation.ActivationView):
    """The emailed link shows a button (so that a mail scanner opening links activates
    nothing); pressing it activates the account, or shows why it cannot."""

    failed_template_name = "django_registration/activation_failed.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        self.backend = get_registration_backend()
        return super().dispatch(request, *args, **kwargs)

    def activate(self, form: BaseForm) -> User | None:
        return self.backend.activate(request=self.request, form=form)

    def get_success_url(self, user: User | None = None) -> str:
        return self.backend.post_activation_redirect(self.request, user)

    def get_template_names(self) -> list[str]:
        # A POST that renders a page is an activation that failed: a success redirects.
        if self.request.method == "POST":
            return [self.failed_template_name]
        return super().get_template_names()
