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
