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
    # Seconds a login started at Facebook may take before its state is refused.
    "FACEBOOK_STATE_MAX_AGE": 600,
    # Seconds a signed_request from Facebook stays acceptable (its issued_at).
    "FACEBOOK_SIGNED_REQUEST_MAX_AGE": 86400,
    # The fields read from /me on every login.
    "FACEBOOK_PROFILE_FIELDS": ["id", "name", "email", "first_name", "last_name", "picture"],
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
