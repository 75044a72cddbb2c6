"""The Facebook app the stand-in plays: the site's own FACEBOOK_APP_ID and secret.

Read from settings at request time, so `override_settings` and pytest-django's `settings`
fixture are seen.
"""

from django.conf import settings


def app_id():
    return str(settings.FACEBOOK_APP_ID)


def app_secret():
    return str(settings.FACEBOOK_APP_SECRET)


def app_name():
    """The name the dialog shows: FAKEBOOK_APP_NAME, else the site's SITE_NAME."""
    return getattr(settings, "FAKEBOOK_APP_NAME", "") or getattr(settings, "SITE_NAME", "App")


# Another app on the same Facebook, with its own users' tokens: what a token-substitution
# attack hands to the site (docs/apps.md).
FOREIGN_APP_ID = "200000000000002"
FOREIGN_APP_SECRET = "fakebook-foreign-app-secret"  # noqa: S105 (the stand-in's own)


def secret_of(token_app_id):
    """The secret of the app a token was issued to: the site's app, or the foreign one."""
    return FOREIGN_APP_SECRET if token_app_id == FOREIGN_APP_ID else app_secret()
