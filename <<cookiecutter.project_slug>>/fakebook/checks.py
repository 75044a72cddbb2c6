"""The system check that refuses the stand-in outside development and tests.

The stand-in accepts any of its test users without a password and hands out tokens for
them: served by a production site it would let anyone log in as anyone. Production
settings never install it; this check makes a mistake there fail loudly at start-up.
"""

from django.apps import apps
from django.conf import settings
from django.core import checks


def check_not_in_production(app_configs=None, **kwargs):
    """fakebook.E001 when fakebook is installed, DEBUG is off and no explicit allowance."""
    allowed = getattr(settings, "FAKEBOOK_ALLOW_WITHOUT_DEBUG", False) is True
    if not apps.is_installed("fakebook") or settings.DEBUG or allowed:
        return []
    return [
        checks.Error(
            "The Facebook stand-in (fakebook) is installed while DEBUG is off.",
            hint=(
                "Remove 'fakebook' from INSTALLED_APPS in production settings: it logs anyone "
                "in as its test users. Test settings that run with DEBUG off may set "
                "FAKEBOOK_ALLOW_WITHOUT_DEBUG = True."
            ),
            id="fakebook.E001",
        )
    ]
