"""The site's account pages under accounts/: the account page, the welcome page, the password
page."""

from django.urls import path

from . import password_page, views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("welcome/", views.welcome, name="welcome"),
    path("password/", password_page.password, name="password"),
]
