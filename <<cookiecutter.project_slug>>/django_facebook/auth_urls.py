"""Account URLs of the built-in registration system (Django Facebook's `auth_urls`):
Django's login, logout and password views, and the manual sign-up form."""

from django.urls import include, path

from . import registration_views

urlpatterns = [
    path("register/", registration_views.register, name="registration_register"),
    path("", include("django.contrib.auth.urls")),
]
