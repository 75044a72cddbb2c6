"""The site's account pages under accounts/, in an allauth site: the account page, the welcome
page, and `accounts:password`, the account page's password link, which leads to allauth's own
password page (its change view sends a person without a password on to its set view), so that
allauth's limit, signals and notification email see every change."""

from django.urls import path
from django.views.generic import RedirectView

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("welcome/", views.welcome, name="welcome"),
    path(
        "password/", RedirectView.as_view(pattern_name="account_change_password"), name="password"
    ),
]
