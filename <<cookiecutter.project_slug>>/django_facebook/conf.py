"""The FACEBOOK_* settings with their defaults, read at call time.

Django Facebook read its settings once at import, so `override_settings` was not seen; here
every access goes through `setting()`, which asks django.conf.settings each time.
"""

from urllib.parse import urljoin

from django.conf import settings

DEFAULTS = {
    "FACEBOOK_APP_ID": "",
    "FACEBOOK_APP_SECRET": "",
    "FACEBOOK_API_VERSION": "v26.0",
    "FACEBOOK_SCOPE": ["email", "public_profile"],
    "FACEBOOK_WWW_URL": "https://www.facebook.com",
    "FACEBOOK_GRAPH_URL": "https://graph.facebook.com",
    # The exact callback URL registered in the app dashboard; empty: built from the request.
    "FACEBOOK_REDIRECT_URI": "",
    "FACEBOOK_LOGIN_DEFAULT_REDIRECT": "/",
    "FACEBOOK_REGISTRATION_BACKEND": (
        "django_facebook.registration_backends.FacebookRegistrationBackend"
    ),
    # (connect, read) seconds for every Graph API request.
    "FACEBOOK_GRAPH_TIMEOUT": (3.05, 10.0),
    # Retries of idempotent Graph requests on connection errors and 5xx answers.
    "FACEBOOK_GRAPH_RETRIES": 2,
    # Graph API calls one process makes at once (graph_guard.py). gunicorn runs 4 threads a
    # worker here: 2 keeps half of them for the pages that never call Facebook, however slow
    # it is.
    "FACEBOOK_GRAPH_CONCURRENCY": 2,
    # Seconds a call waits for one of those slots before the login is told Facebook is slow:
    # many times a healthy Graph call (tens of milliseconds), a fraction of a slow one.
    "FACEBOOK_GRAPH_QUEUE_SECONDS": 0.5,
    # Calls that may wait for a slot at once: as many as the slots, enough for the bursts of
    # a busy site's healthy Graph calls (README.md, "Scale-out").
    "FACEBOOK_GRAPH_QUEUE_LENGTH": 2,
    # Failed Graph calls in a row (timeouts, refused connections, 5xx) after which the
    # process stops calling Facebook for FACEBOOK_GRAPH_BREAKER_SECONDS, then tries one call:
    # long enough that a Facebook that is down costs each process one call per window, short
    # enough that logins are back within seconds of its return.
    "FACEBOOK_GRAPH_BREAKER_FAILURES": 5,
    "FACEBOOK_GRAPH_BREAKER_SECONDS": 2,
    # Seconds the throttles and Limited Login keys leave a failed shared cache alone, on
    # this process's memory (shared_cache.py): as the session stores do with theirs.
    "FACEBOOK_CACHE_RETRY_SECONDS": 2,
    # Seconds a login started at Facebook may take before its state is refused.
    "FACEBOOK_STATE_MAX_AGE": 600,
    # Seconds a signed_request from Facebook stays acceptable (its issued_at).
    "FACEBOOK_SIGNED_REQUEST_MAX_AGE": 86400,
    # The fields read from /me on every login.
    "FACEBOOK_PROFILE_FIELDS": ["id", "name", "email", "first_name", "last_name", "picture"],
    # Apps (README.md, "Apps"): the permissions an SDK access token must carry.
    "FACEBOOK_APP_REQUIRED_SCOPES": ["public_profile"],
    # Seconds a nonce from facebook:app_nonce stays usable.
    "FACEBOOK_APP_NONCE_MAX_AGE": 300,
    # (requests, seconds) allowed on the app endpoints per client address and per Facebook id.
    "FACEBOOK_APP_THROTTLE": {"client": (30, 60), "facebook_id": (10, 60)},
    # Limited Login: Facebook's signing keys, the issuer of its ID tokens, the clock leeway.
    "FACEBOOK_JWKS_URL": "https://limited.facebook.com/.well-known/oauth/openid/jwks/",
    "FACEBOOK_ID_TOKEN_ISSUER": "https://www.facebook.com",
    "FACEBOOK_ID_TOKEN_LEEWAY": 30,
    # Seconds the keys are cached, and the least time between two fetches for an unknown key.
    "FACEBOOK_JWKS_CACHE_SECONDS": 86400,
    "FACEBOOK_JWKS_REFRESH_INTERVAL": 300,
    # The path in the URLs of a Facebook stand-in (the local and test settings' "/fakebook/"),
    # which the checks let run over plain http or as a path on this site; None in production.
    "FACEBOOK_STAND_IN_PATH": None,
}


def setting(name):
    """The current value of a FACEBOOK_* setting, or its default."""
    return getattr(settings, name, DEFAULTS[name])


def facebook_url(name, site_url):
    """FACEBOOK_WWW_URL or FACEBOOK_GRAPH_URL as a full URL, without a trailing slash.

    A path (local settings' "/fakebook/www" and "/fakebook/graph") is the offline stand-in
    served by this site: it is joined to `site_url`, the origin the current request came to
    (`request.build_absolute_uri("/")`), so the dialog and the Graph calls follow whatever
    host and port the development server runs on. A full URL (Facebook's) is used as it is.
    """
    return urljoin(site_url, setting(name)).rstrip("/")
