"""System checks: a wrong FACEBOOK_* setting is an error at start-up, with a hint, instead of
a traceback at the first login.

One function a check, in the order of their ids, as django.contrib.auth's checks are. The ids
are public (SILENCED_SYSTEM_CHECKS names them), so none is ever renumbered or reused:
E008 and E009 were never issued. W002 and E012 judge the pinned Graph API version by the
table of graph_versions.py and today's date, never by a call to Facebook. E012 is a deploy
check (`check --deploy`): a date passing must never stop `migrate` or `runserver`, and so a
deployment, while Facebook still answers the calls; W002 says it there.
"""

import re
from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import SplitResult, urlsplit

from django.apps import AppConfig
from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from . import graph_versions
from .conf import setting
from .graph_versions import VersionStatus
from .registration_backends import backend_class

APP_ID_RE = re.compile(r"^[0-9]{5,20}$")
# Graph API versions are vN.0 (the template's prompt holds the same rule).
VERSION_RE = re.compile(r"^v[1-9][0-9]?\.0$")
HEADER_SESSIONS_MIDDLEWARE = "django_facebook.session_tokens.SessionTokenMiddleware"
URL_SETTINGS = ("FACEBOOK_WWW_URL", "FACEBOOK_GRAPH_URL", "FACEBOOK_JWKS_URL")


@register(Tags.security, "django_facebook")
def check_app_id(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E001: the App ID is the dashboard's digits."""
    if APP_ID_RE.match(str(setting("FACEBOOK_APP_ID"))):
        return []
    return [
        Error(
            "FACEBOOK_APP_ID is not a Facebook App ID.",
            hint="Set FACEBOOK_APP_ID to the digits shown in the app dashboard.",
            id="django_facebook.E001",
        )
    ]


@register(Tags.security, "django_facebook")
def check_app_secret(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E002: an app secret is set."""
    if setting("FACEBOOK_APP_SECRET"):
        return []
    return [
        Error(
            "FACEBOOK_APP_SECRET is empty.",
            hint="Set the FACEBOOK_APP_SECRET environment variable (App settings > Basic).",
            id="django_facebook.E002",
        )
    ]


@register(Tags.security, "django_facebook")
def check_api_version(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E003: the Graph API version is pinned."""
    if VERSION_RE.match(str(setting("FACEBOOK_API_VERSION"))):
        return []
    return [
        Error(
            "FACEBOOK_API_VERSION must look like 'v26.0'.",
            hint="Pin a Graph API version; unversioned calls follow the dashboard's default.",
            id="django_facebook.E003",
        )
    ]


@register(Tags.security, "django_facebook")
def check_urls(app_configs: Sequence[AppConfig] | None = None, **kwargs: Any) -> list[CheckMessage]:
    """E004: Facebook's URLs and the redirect URI are absolute https URLs (the stand-in's
    may be plain http, or a path on this site)."""
    names = [
        *URL_SETTINGS,
        *(["FACEBOOK_REDIRECT_URI"] if setting("FACEBOOK_REDIRECT_URI") else []),
    ]
    return [error for name in names for error in _check_url(name, setting(name))]


@register(Tags.security, "django_facebook")
def check_registration_backend(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E005: FACEBOOK_REGISTRATION_BACKEND names a registration backend class."""
    try:
        backend_class(setting("FACEBOOK_REGISTRATION_BACKEND"))
    except ImproperlyConfigured as error:
        return [Error(str(error), id="django_facebook.E005")]
    return []


@register(Tags.security, "django_facebook")
def check_model_backend(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E006: the authentication backend the connect flow logs users in through is there."""
    if "django.contrib.auth.backends.ModelBackend" in settings.AUTHENTICATION_BACKENDS:
        return []
    return [
        Error(
            "django.contrib.auth.backends.ModelBackend is not in AUTHENTICATION_BACKENDS.",
            hint="The connect flow logs users in through it.",
            id="django_facebook.E006",
        )
    ]


@register(Tags.security, "django_facebook")
def check_scope(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E007: the permissions asked for are a list of names."""
    scope = setting("FACEBOOK_SCOPE")
    if not isinstance(scope, str) and all(isinstance(item, str) for item in scope):
        return []
    return [
        Error(
            "FACEBOOK_SCOPE must be a list of permission names.",
            hint='For example ["email", "public_profile"].',
            id="django_facebook.E007",
        )
    ]


@register(Tags.security, "django_facebook")
def check_session_engine_for_app_tokens(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E010: app session tokens need sessions a logout can end."""
    if not (
        HEADER_SESSIONS_MIDDLEWARE in settings.MIDDLEWARE
        and settings.SESSION_ENGINE == "django.contrib.sessions.backends.signed_cookies"
    ):
        return []
    return [
        Error(
            "App session tokens (X-Session-Token) need sessions kept on the server.",
            hint="A signed-cookie session cannot be ended by logout; use the database or "
            "cache session engines.",
            id="django_facebook.E010",
        )
    ]


@register(Tags.security, "django_facebook")
def check_jwks_host(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E011: Limited Login's signing keys come from facebook.com (or the stand-in)."""
    url = str(setting("FACEBOOK_JWKS_URL"))
    host = urlsplit(url).hostname or ""
    if host.endswith(".facebook.com") or _is_stand_in(url):
        return []
    return [
        Error(
            "FACEBOOK_JWKS_URL is not on facebook.com.",
            hint="Whoever serves these keys can sign Limited Login tokens for any person.",
            id="django_facebook.E011",
        )
    ]


@register(Tags.security, "django_facebook", deploy=True)
def check_api_version_ended(
    app_configs: Sequence[AppConfig] | None = None, today: date | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """E012: Facebook still serves the pinned Graph API version (graph_versions.py; deploy)."""
    current = _pinned_version(today)
    if current.state != "ended" or current.ends is None:
        return []
    return [
        Error(
            f"Graph API {current.name} (FACEBOOK_API_VERSION) ended on "
            f"{current.ends.isoformat()}: Facebook answers its calls as the oldest version it "
            "still serves.",
            hint=_move_hint(current),
            id="django_facebook.E012",
        )
    ]


@register(Tags.security, deploy=True)
def check_facebook_deploy(
    app_configs: Sequence[AppConfig] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W001: production names its callback URL rather than building it from each request."""
    if setting("FACEBOOK_REDIRECT_URI"):
        return []
    return [
        Warning(
            "FACEBOOK_REDIRECT_URI is not set; the callback URL is built from each request.",
            hint="Set it to the exact https URL registered in Valid OAuth Redirect URIs.",
            id="django_facebook.W001",
        )
    ]


@register(Tags.security, "django_facebook")
def check_api_version_ending(
    app_configs: Sequence[AppConfig] | None = None, today: date | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """W002: the pinned Graph API version does not end within graph_versions.WARNING_DAYS."""
    current = _pinned_version(today)
    if current.ends is None:
        return []
    if current.state == "ended":
        message = (
            f"Graph API {current.name} (FACEBOOK_API_VERSION) ended on "
            f"{current.ends.isoformat()}: Facebook answers its calls as the oldest version it "
            "still serves."
        )
    elif current.state == "ending" and current.days_left is not None:
        message = (
            f"Graph API {current.name} (FACEBOOK_API_VERSION) ends on "
            f"{current.ends.isoformat()}, in {graph_versions.days(current.days_left)}."
        )
    else:
        return []
    return [Warning(message, hint=_move_hint(current), id="django_facebook.W002")]


def _today() -> date:
    """The day the version checks judge by (tests replace it to fix the clock)."""
    return date.today()


def _pinned_version(today: date | None) -> VersionStatus:
    return graph_versions.status(str(setting("FACEBOOK_API_VERSION")), today or _today())


def _move_hint(current: VersionStatus) -> str:
    newest = graph_versions.newest(current.today).name
    target = (
        f"the newest, {newest}"
        if newest != current.name
        else "a newer one (`cruft update` brings the template's newer dates)"
    )
    return (
        f"Move FACEBOOK_API_VERSION to {target}, after reading Facebook's changelog for the "
        f"versions in between (docs/facebook-app.md); the dates are in {graph_versions.MODULE}."
    )


def _check_url(name: str, value: object) -> list[CheckMessage]:
    parts = urlsplit(str(value))
    if _is_stand_in_path(name, parts):
        return []
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return [Error(f"{name} must be an absolute http(s) URL.", id="django_facebook.E004")]
    if parts.scheme != "https" and not settings.DEBUG and not _is_stand_in(value):
        return [Error(f"{name} must use https.", id="django_facebook.E004")]
    return []


def _is_stand_in_path(name: str, parts: SplitResult) -> bool:
    """A path such as "/fakebook/graph": the stand-in on this site (conf.facebook_url)."""
    return (
        name != "FACEBOOK_REDIRECT_URI"
        and not parts.scheme
        and not parts.netloc
        and parts.path.startswith("/")
        and _is_stand_in(parts.path)
    )


def _is_stand_in(url: object) -> bool:
    """A URL of the Facebook stand-in the settings name (FACEBOOK_STAND_IN_PATH), which may
    run over plain http; production settings name none."""
    path = setting("FACEBOOK_STAND_IN_PATH")
    return bool(path) and path in str(url)
