"""Account URLs of the built-in registration system (Django Facebook's `auth_urls`):
Django's login, logout and password views, and the manual sign-up form."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import registration_views
from .forms import LoginForm, PasswordResetForm

# The reset email names the site (SITE_NAME), not the host the request came in on.
SITE_NAME = getattr(settings, "SITE_NAME", None)
EMAIL_CONTEXT = {"site_name": SITE_NAME} if SITE_NAME else None

urlpatterns = [
    # Django's login view with the form that says when an account is not active (forms.py).
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    path("register/", registration_views.register, name="registration_register"),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(
            extra_email_context=EMAIL_CONTEXT, form_class=PasswordResetForm
        ),
        name="password_reset",
    ),
    path("", include("django.contrib.auth.urls")),
]
