"""Account URLs of userena, under /accounts/ beside the site's own account pages.

userena's URLs come last (`userena.urls`); the views the site runs differently come first,
on the same routes, so that userena's URL names lead to them. Django's URL names, which the
site's pages and Django's own views use (login, logout, password_change, password_reset...,
and registration_register for the sign-up link), name userena's pages too.
"""

from django.urls import include, path, re_path
from userena import urls as userena_urls

from . import views

USERNAME = r"(?P<username>[\@\.\+\w-]+)"


def userena_alias(userena_name, name):
    """userena's own URL pattern `userena_name`, under Django's name `name` too."""
    pattern = next(p for p in userena_urls.urlpatterns if p.name == userena_name)
    return re_path(str(pattern.pattern), pattern.callback, pattern.default_args, name=name)


urlpatterns = [
    # Django's names.
    path("login/", views.signin, name="login"),
    re_path(r"^signout/$", views.SignoutView.as_view(), name="logout"),
    re_path(r"^signup/$", views.signup, name="registration_register"),
    path("password/change/", views.password_change_redirect, name="password_change"),
    re_path(r"^password/reset/$", views.password_reset, name="password_reset"),
    userena_alias("userena_password_reset_done", "password_reset_done"),
    userena_alias("userena_password_reset_confirm", "password_reset_confirm"),
    userena_alias("userena_password_reset_complete", "password_reset_complete"),
    # userena's views as this site runs them (views.py says how and why).
    re_path(r"^signup/$", views.signup, name="userena_signup"),
    re_path(r"^password/reset/$", views.password_reset, name="userena_password_reset"),
    re_path(r"^signin/$", views.signin, name="userena_signin"),
    re_path(r"^signout/$", views.SignoutView.as_view(), name="userena_signout"),
    re_path(rf"^{USERNAME}/password/$", views.password_change, name="userena_password_change"),
    re_path(rf"^{USERNAME}/email/$", views.email_change, name="userena_email_change"),
    re_path(rf"^{USERNAME}/edit/$", views.profile_edit, name="userena_profile_edit"),
    re_path(rf"^{USERNAME}/mugshot/$", views.mugshot, name="userena_mugshot"),
    path("", include(userena_urls)),
]
