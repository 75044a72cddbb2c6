"""System checks: a wrong FACEBOOK_* setting is an error at start-up, with a hint, instead of
a traceback at the first login."""

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from .conf import setting
from .registration_backends import backend_class

APP_ID_RE = re.compile(r"^[0-9]{5,20}$")
VERSION_RE = re.compile(r"^v[1-9][0-9]?\.[0-9]$")
HEADER_SESSIONS_MIDDLEWARE = "django_facebook.session_tokens.SessionTokenMiddleware"


@register(Tags.security, "django_facebook")
def check_facebook_settings(app_configs=None, **kwargs):
    errors = []
    if not APP_ID_RE.match(str(setting("FACEBOOK_APP_ID"))):
        errors.append(
            Error(
                "FACEBOOK_APP_ID is not a Facebook App ID.",
                hint="Set FACEBOOK_APP_ID to the digits shown in the app dashboard.",
                id="django_facebook.E001",
            )
        )
    if not setting("FACEBOOK_APP_SECRET"):
        errors.append(
            Error(
                "FACEBOOK_APP_SECRET is empty.",
                hint="Set the FACEBOOK_APP_SECRET environment variable (App settings > Basic).",
                id="django_facebook.E002",
            )
        )
    if not VERSION_RE.match(str(setting("FACEBOOK_API_VERSION"))):
        errors.append(
            Error(
                "FACEBOOK_API_VERSION must look like 'v26.0'.",
                hint="Pin a Graph API version; unversioned calls follow the dashboard's default.",
                id="django_facebook.E003",
            )
        )
    for name in (
        "FACEBOOK_WWW_URL",
        "FACEBOOK_GRAPH_URL",
        "FACEBOOK_JWKS_URL",
        "FACEBOOK_REDIRECT_URI",
    ):
        value = setting(name)
        if name == "FACEBOOK_REDIRECT_URI" and not value:
            continue
        errors.extend(_check_url(name, value))
    try:
        backend_class(setting("FACEBOOK_REGISTRATION_BACKEND"))
    except ImproperlyConfigured as error:
        errors.append(Error(str(error), id="django_facebook.E005"))
    if "django.contrib.auth.backends.ModelBackend" not in settings.AUTHENTICATION_BACKENDS:
        errors.append(
            Error(
                "django.contrib.auth.backends.ModelBackend is not in AUTHENTICATION_BACKENDS.",
                hint="The connect flow logs users in through it.",
                id="django_facebook.E006",
            )
        )
    scope = setting("FACEBOOK_SCOPE")
    if isinstance(scope, str) or not all(isinstance(item, str) for item in scope):
        errors.append(
            Error(
                "FACEBOOK_SCOPE must be a list of permission names.",
                hint='For example ["email", "public_profile"].',
                id="django_facebook.E007",
            )
        )
    jwks_host = urlsplit(str(setting("FACEBOOK_JWKS_URL"))).hostname or ""
    if not jwks_host.endswith(".facebook.com") and not _is_fakebook(setting("FACEBOOK_JWKS_URL")):
        errors.append(
            Error(
                "FACEBOOK_JWKS_URL is not on facebook.com.",
                hint="Whoever serves these keys can sign Limited Login tokens for any person.",
                id="django_facebook.E011",
            )
        )
    if (
        HEADER_SESSIONS_MIDDLEWARE in settings.MIDDLEWARE
        and settings.SESSION_ENGINE == "django.contrib.sessions.backends.signed_cookies"
    ):
        errors.append(
            Error(
                "App session tokens (X-Session-Token) need sessions kept on the server.",
                hint="A signed-cookie session cannot be ended by logout; use the database or "
                "cache session engines.",
                id="django_facebook.E010",
            )
        )
    return errors


@register(Tags.security, deploy=True)
def check_facebook_deploy(app_configs=None, **kwargs):
    if setting("FACEBOOK_REDIRECT_URI"):
        return []
    return [
        Warning(
            "FACEBOOK_REDIRECT_URI is not set; the callback URL is built from each request.",
            hint="Set it to the exact https URL registered in Valid OAuth Redirect URIs.",
            id="django_facebook.W001",
        )
    ]


def _check_url(name, value):
    parts = urlsplit(str(value))
    if _is_stand_in_path(name, parts):
        return []
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [Error(f"{name} must be an absolute http(s) URL.", id="django_facebook.E004")]
    if parts.scheme != "https" and not settings.DEBUG and not _is_fakebook(value):
        return [Error(f"{name} must use https.", id="django_facebook.E004")]
    return []


def _is_stand_in_path(name, parts):
    """A path such as "/fakebook/graph": the stand-in on this site (conf.facebook_url)."""
    return (
        name != "FACEBOOK_REDIRECT_URI"
        and not parts.scheme
        and not parts.netloc
        and parts.path.startswith("/")
        and _is_fakebook(parts.path)
    )


def _is_fakebook(url):
    """The stand-in runs over plain http; it refuses to load in production (fakebook/apps.py)."""
    from django.apps import apps

    return apps.is_installed("fakebook") and "/fakebook/" in url
