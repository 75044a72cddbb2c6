"""The FACEBOOK_* settings with their defaults, read at call time.

Django Facebook read its settings once at import, so `override_settings` was not seen; here
every access goes through `setting()`, which asks django.conf.settings each time.

Each setting's meaning is written once, here (SETTINGS): the settings reference,
docs/facebook-settings.md, is generated from it (`manage.py facebook_settings_reference`).
"""

from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from django.conf import settings


@dataclass(frozen=True)
class Setting:
    """A FACEBOOK_* setting: its default, and what it means (Markdown, one line or two)."""

    default: Any
    meaning: str


SETTINGS: dict[str, Setting] = {
    "FACEBOOK_APP_ID": Setting(
        "",
        "The app's App ID, the digits shown in the Facebook app dashboard; the site's settings "
        "read it from the environment (or `.env`).",
    ),
    "FACEBOOK_APP_SECRET": Setting(
        "",
        "The app's App Secret (App settings > Basic). The real one only ever comes from the "
        "environment (or `.env`); without one, the local settings use the offline stand-in "
        "and the stand-in's own secret.",
    ),
    "FACEBOOK_API_VERSION": Setting(
        "v27.0",
        "The Graph API version, `vN.0`, that the login dialog and every Graph call are pinned "
        "to; the site's settings default it to the version answered at the template's prompt.",
    ),
    "FACEBOOK_SCOPE": Setting(
        ["email", "public_profile"],
        "The permissions the login dialog asks for, a list of names.",
    ),
    "FACEBOOK_STORE_ACCESS_TOKEN": Setting(
        False,
        "`True` keeps each person's access token, encrypted, after they log in with Facebook, so "
        "that `graph_for(user)` and `@facebook_required` views can call the Graph API for them "
        "later ([connect-flow.md](connect-flow.md#permissions-asked-when-needed)); `False`: a "
        "login-only site keeps no token at all.",
    ),
    "FACEBOOK_EXTEND_ACCESS_TOKEN": Setting(
        False,
        "With `FACEBOOK_STORE_ACCESS_TOKEN`: `True` trades the login's short-lived token for a "
        "long-lived one (about 60 days) at each login, one more Graph round trip; if Facebook "
        "refuses, the short-lived token is kept.",
    ),
    "FACEBOOK_WWW_URL": Setting(
        "https://www.facebook.com",
        "Where Facebook's login dialog is: `{FACEBOOK_WWW_URL}/{FACEBOOK_API_VERSION}/dialog/"
        "oauth`. The local settings point it at the stand-in, `{FAKEBOOK_URL}/www`; a path "
        "(`/fakebook/www`) is the stand-in on this site, joined to the host and port each "
        "request came to.",
    ),
    "FACEBOOK_GRAPH_URL": Setting(
        "https://graph.facebook.com",
        "Where the Graph API is: calls go to `{FACEBOOK_GRAPH_URL}/{FACEBOOK_API_VERSION}/...`. "
        "The local settings point it at the stand-in, `{FAKEBOOK_URL}/graph`; a path "
        "(`/fakebook/graph`) is the stand-in on this site, joined to the host and port each "
        "request came to.",
    ),
    "FACEBOOK_REDIRECT_URI": Setting(
        "",
        "The exact callback URL registered in the app dashboard as a Valid OAuth Redirect URI; "
        "empty: built from each request. The production settings default it to "
        "`https://{DOMAIN_NAME}/facebook/callback/`, and `check --deploy` warns when it is "
        "empty.",
    ),
    "FACEBOOK_LOGIN_DEFAULT_REDIRECT": Setting(
        "/",
        "Where people go after a login, connect or registration when neither the outcome's own "
        "parameter nor `next` names a safe place (a URL, a path or a URL name).",
    ),
    "FACEBOOK_REGISTRATION_BACKEND": Setting(
        "django_facebook.registration_backends.FacebookRegistrationBackend",
        "The dotted path of the registration backend class, which turns a Facebook sign-up "
        "into a user; the site's settings name its own "
        "`accounts.backends.SiteRegistrationBackend`.",
    ),
    "FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION": Setting(
        False,
        "With a registration system that activates accounts by email (django-registration, "
        "userena): `True` makes Facebook sign-ups activate by email too; by default they are "
        "active at once, Facebook having just authenticated the person.",
    ),
    "FACEBOOK_GRAPH_TIMEOUT": Setting(
        (3.05, 10.0),
        "The (connect, read) timeouts, in seconds, of every Graph API request.",
    ),
    "FACEBOOK_GRAPH_RETRIES": Setting(
        2,
        "Retries of a Graph request on connection errors, and of GET requests on 5xx answers. "
        "Read timeouts are not retried, and the code exchange (a POST) is never repeated once "
        "Facebook may have seen the code.",
    ),
    "FACEBOOK_GRAPH_CONCURRENCY": Setting(
        2,
        "Graph API calls one process makes at once (`graph_guard.py`). gunicorn runs 4 threads "
        "a worker here: 2 keeps half of them for the pages that never call Facebook, however "
        "slow it is.",
    ),
    "FACEBOOK_GRAPH_QUEUE_SECONDS": Setting(
        0.5,
        "Seconds a call waits for one of those slots before the login is told Facebook is "
        "slow: many times a healthy Graph call (tens of milliseconds), a fraction of a slow "
        "one.",
    ),
    "FACEBOOK_GRAPH_QUEUE_LENGTH": Setting(
        2,
        "Calls that may wait for a slot at once: as many as the slots, enough for the bursts "
        "of a busy site's healthy Graph calls; none waits past the moment a call in flight "
        "has taken longer than the wait ([resilience.md](resilience.md)).",
    ),
    "FACEBOOK_GRAPH_BREAKER_FAILURES": Setting(
        5,
        "Failed Graph calls in a row (timeouts, refused connections, 5xx) after which the "
        "process stops calling Facebook for `FACEBOOK_GRAPH_BREAKER_SECONDS`, then tries one "
        "call.",
    ),
    "FACEBOOK_GRAPH_BREAKER_SECONDS": Setting(
        2,
        "Seconds the process stops calling Facebook after those failures: long enough that a "
        "Facebook that is down costs each process one call per window, short enough that "
        "logins are back within seconds of its return.",
    ),
    "FACEBOOK_CACHE_RETRY_SECONDS": Setting(
        2,
        "Seconds the throttles and the Limited Login keys leave a failed shared cache alone, "
        "working on this process's memory meanwhile (`shared_cache.py`), as the session "
        "stores do with theirs.",
    ),
    "FACEBOOK_STATE_MAX_AGE": Setting(
        600,
        "Seconds a login started at Facebook may take before its state is refused.",
    ),
    "FACEBOOK_SIGNED_REQUEST_MAX_AGE": Setting(
        86400,
        "Seconds a `signed_request` from Facebook (the deauthorize and data deletion "
        "callbacks) stays acceptable, counted from its `issued_at`.",
    ),
    "FACEBOOK_PROFILE_FIELDS": Setting(
        ["id", "name", "email", "first_name", "last_name", "picture"],
        "The fields read from `/me` on every login, in the browser and from the apps.",
    ),
    "FACEBOOK_APP_REQUIRED_SCOPES": Setting(
        ["public_profile"],
        "Apps ([apps.md](apps.md)): the permissions an SDK access token must carry.",
    ),
    "FACEBOOK_APP_NONCE_MAX_AGE": Setting(
        300,
        "Apps: seconds a nonce from `facebook:app_nonce` stays usable.",
    ),
    "FACEBOOK_APP_THROTTLE": Setting(
        {"client": (30, 60), "facebook_id": (10, 60)},
        "Apps: the (requests, seconds) allowed on the app endpoints per client address and "
        "per Facebook id.",
    ),
    "FACEBOOK_JWKS_URL": Setting(
        "https://limited.facebook.com/.well-known/oauth/openid/jwks/",
        "Limited Login: where Facebook's keys that sign ID tokens are; it must be on "
        "facebook.com (or the stand-in), since whoever serves these keys can sign a token for "
        "any person. The local settings point it at `{FAKEBOOK_URL}/limited/...`.",
    ),
    "FACEBOOK_ID_TOKEN_ISSUER": Setting(
        "https://www.facebook.com",
        "Limited Login: the `iss` an ID token must carry.",
    ),
    "FACEBOOK_ID_TOKEN_LEEWAY": Setting(
        30,
        "Limited Login: seconds of clock skew allowed on an ID token's `exp` and `iat`.",
    ),
    "FACEBOOK_JWKS_CACHE_SECONDS": Setting(
        86400,
        "Limited Login: seconds Facebook's signing keys are cached.",
    ),
    "FACEBOOK_JWKS_REFRESH_INTERVAL": Setting(
        300,
        "Limited Login: the least time, in seconds, between two fetches of the keys for a key "
        "id they do not hold.",
    ),
    "FACEBOOK_STAND_IN_PATH": Setting(
        None,
        "The path in the URLs of a Facebook stand-in (the local and test settings' "
        "`/fakebook/`), which the checks let run over plain http or as a path on this site; "
        "`None` in production.",
    ),
}

DEFAULTS: dict[str, Any] = {name: entry.default for name, entry in SETTINGS.items()}


def setting(name: str) -> Any:
    """The current value of a FACEBOOK_* setting, or its default."""
    return getattr(settings, name, DEFAULTS[name])


def facebook_url(name: str, site_url: str) -> str:
    """FACEBOOK_WWW_URL or FACEBOOK_GRAPH_URL as a full URL, without a trailing slash.

    A path (local settings' "/fakebook/www" and "/fakebook/graph") is the offline stand-in
    served by this site: it is joined to `site_url`, the origin the current request came to
    (`request.build_absolute_uri("/")`), so the dialog and the Graph calls follow whatever
    host and port the development server runs on. A full URL (Facebook's) is used as it is.
    """
    return urljoin(site_url, setting(name)).rstrip("/")
