"""`manage.py facebook_app [--site-url URL]`: what to register in the Facebook app dashboard,
where the pinned Graph API version stands (django_facebook/graph_versions.py, no call to
Facebook), and a check of the configured app id and secret against the Graph API."""

from datetime import date
from typing import Any
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import NoReverseMatch, reverse

from django_facebook import graph_versions
from django_facebook.conf import facebook_url, setting
from django_facebook.exceptions import FacebookError, FacebookUnreachable
from django_facebook.graph import GraphClient

DASHBOARD_URLS = (
    ("Valid OAuth Redirect URI", "facebook:callback"),
    ("Deauthorize callback URL", "facebook:deauthorize"),
    ("Data deletion request URL", "facebook:data_deletion"),
    ("Privacy policy URL", "privacy"),
)


class Command(BaseCommand):
    help = "Print the URLs to register in the Facebook app dashboard and check the app secret."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--site-url",
            help="the site's public URL (default: the origin of FACEBOOK_REDIRECT_URI)",
        )
        parser.add_argument("--no-check", action="store_true", help="skip the Graph API check")

    def handle(self, site_url: str | None = None, no_check: bool = False, **options: Any) -> None:
        site_url = (site_url or _origin(setting("FACEBOOK_REDIRECT_URI"))).rstrip("/")
        if not site_url:
            raise CommandError(
                "Give --site-url https://your.domain (or set FACEBOOK_REDIRECT_URI)."
            )
        app_id = setting("FACEBOOK_APP_ID")
        self.stdout.write(f"Register these in the Facebook app dashboard (App ID {app_id}):")
        for label, name in DASHBOARD_URLS:
            try:
                path = reverse(name)
            except NoReverseMatch:
                continue
            url = setting("FACEBOOK_REDIRECT_URI") if name == "facebook:callback" else ""
            self.stdout.write(f"  {label:<27} {url or site_url + path}")
        self.write_version_status(date.today())
        if no_check:
            return
        graph_url = facebook_url("FACEBOOK_GRAPH_URL", f"{site_url}/")
        graph = f"{graph_url}/{setting('FACEBOOK_API_VERSION')}"
        self.stdout.write(f"Checking the app id and secret with the Graph API at {graph} ...")
        try:
            app = GraphClient(graph_url=graph_url).app()
        except FacebookUnreachable:
            self.stdout.write(
                self.style.WARNING(
                    "  Facebook could not be reached (no network here?): the app id and "
                    "secret were not checked."
                )
            )
            return
        except FacebookError as error:
            raise CommandError(f"Facebook refused the app id or secret: {error}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"  OK: Facebook knows the app {app.get('name')!r} ({app.get('id')})."
            )
        )

    def write_version_status(self, today: date) -> None:
        """The pinned Graph API version's status on `today`, from the table alone; styled as
        the system check would report it (W002 while it is ending, E012 once it has ended)."""
        version = str(setting("FACEBOOK_API_VERSION"))
        line = f"Graph API version {graph_versions.describe(version, today)}"
        state = graph_versions.status(version, today).state
        if state == "ended":
            line = self.style.ERROR(f"{line} Move to a newer version (docs/facebook-app.md).")
        elif state == "ending":
            line = self.style.WARNING(f"{line} Move to a newer version (docs/facebook-app.md).")
        self.stdout.write(line)


def _origin(url: str | None) -> str:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
