"""The app config: the stand-in refuses to load outside development and tests."""

from django.apps import AppConfig
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class FakebookConfig(AppConfig):
    name = "fakebook"
    label = "fakebook"
    verbose_name = "Facebook stand-in (offline)"

    def ready(self):
        refuse_without_debug()


def refuse_without_debug():
    """Stop the process that loads the stand-in while DEBUG is off, unless tests allow it.

    The stand-in logs anyone in as its test users without a password: served by a
    production site it would let anyone log in as anyone. A system check is not enough
    (gunicorn and other WSGI servers run none), so the app refuses at start-up, in every
    process that loads it. Test settings that run with DEBUG off, as production does, set
    FAKEBOOK_ALLOW_WITHOUT_DEBUG = True.
    """
    if settings.DEBUG or getattr(settings, "FAKEBOOK_ALLOW_WITHOUT_DEBUG", False) is True:
        return
    raise ImproperlyConfigured(
        "The Facebook stand-in (fakebook) is installed while DEBUG is off: it logs anyone in "
        "as its test users. Remove 'fakebook' from INSTALLED_APPS (production settings never "
        "install it); test settings that run with DEBUG off may set "
        "FAKEBOOK_ALLOW_WITHOUT_DEBUG = True."
    )
