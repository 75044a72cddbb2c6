"""Account URLs of the allauth system: django-allauth's (`allauth.urls`: its account pages and
allauth.mfa's under 2fa/), with Django's URL names too.

The site's pages and Django's own views name the account pages as Django does (login,
logout, password_reset, password_change, and registration_register for the sign-up link),
so each of those names is given to allauth's pattern on the same path; allauth's own names
reverse to the same pages.
"""

from allauth.account import urls as account_urls
from django.urls import URLPattern, include, path

# Django's name: allauth's.
DJANGO_NAMES = {
    "login": "account_login",
    "logout": "account_logout",
    "registration_register": "account_signup",
    "password_reset": "account_reset_password",
    "password_change": "account_change_password",
}


def allauth_alias(allauth_name: str, name: str) -> URLPattern:
    """allauth's own URL pattern `allauth_name`, under Django's name `name` too."""
    pattern = next(p for p in account_urls.urlpatterns if getattr(p, "name", None) == allauth_name)
    return path(str(pattern.pattern), pattern.callback, pattern.default_args, name=name)


urlpatterns = [
    *(allauth_alias(allauth_name, name) for name, allauth_name in DJANGO_NAMES.items()),
    path("", include("allauth.urls")),
]
