"""`manage.py facebook_settings_reference`: the FACEBOOK_* settings reference as Markdown, on
stdout (`> docs/facebook-settings.md`)."""

from typing import Any

from django.core.management.base import BaseCommand

from django_facebook.settings_reference import PAGE, render


class Command(BaseCommand):
    help = (
        "Print the reference of the FACEBOOK_* settings (defaults and meanings, from "
        f"django_facebook/conf.py) as Markdown; redirect it to {PAGE} to update that page."
    )
    # The reference comes from the code alone: it prints even while a setting is wrong,
    # which is when it is wanted.
    requires_system_checks: list[str] = []

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(render(), ending="")
