"""Account URLs of the django-registration system: its activation workflow (sign-up,
activation and their pages), and Django's login, logout and password views."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import django_registration_views as views
from .forms import LoginForm, PasswordResetForm

# The reset email names the site (SITE_NAME), not the host the request came in on.
SITE_NAME = getattr(settings, "SITE_NAME", None)
EMAIL_CONTEXT = {"site_name": SITE_NAME} if SITE_NAME else None

urlpatterns = [
    # Django's login view with the form that says when an account is not active (forms.py).
    path("login/", auth_views.LoginView.as_view(authentication_form=LoginForm), name="login"),
    # These two answer the register/ and activate/ paths of django-registration's URLconf
    # below (the first match wins), whose names then reverse to them; the rest is its own.
    path("register/", views.RegistrationView.as_view(), name="registration_register"),
    path("activate/", views.ActivationView.as_view(), name="django_registration_activate"),
    path("", include("django_registration.backends.activation.urls")),
    path(
        "password_reset/",
        auth_views.PasswordResetView.as_view(
            extra_email_context=EMAIL_CONTEXT, form_class=PasswordResetForm
        ),
        name="password_reset",
    ),
    path("", include("django.contrib.auth.urls")),
]
