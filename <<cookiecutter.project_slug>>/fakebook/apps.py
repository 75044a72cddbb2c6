"""The app config: registers the system check that keeps the stand-in out of production."""

from django.apps import AppConfig
from django.core import checks


class FakebookConfig(AppConfig):
    name = "fakebook"
    label = "fakebook"
    verbose_name = "Facebook stand-in (offline)"

    def ready(self):
        from .checks import check_not_in_production

        checks.register(check_not_in_production, checks.Tags.security)
