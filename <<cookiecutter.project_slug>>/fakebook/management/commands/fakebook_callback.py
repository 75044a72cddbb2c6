"""`manage.py fakebook_callback deauthorize|data-deletion PERSON [--site URL]`

Sends the callback Facebook would send when PERSON (a test user's id or first name) removes
the app or asks for their data to be deleted, signed with the app secret, to a running site.
"""

import requests
from django.core.management.base import BaseCommand, CommandError

from fakebook.callbacks import CALLBACK_PATHS, send
from fakebook.users import USERS


class Command(BaseCommand):
    help = "Send Facebook's deauthorize or data deletion callback for a test user to the site."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=sorted(CALLBACK_PATHS))
        parser.add_argument("person", help="a test user's id or first name, e.g. ada")
        parser.add_argument("--site", default="http://127.0.0.1:8000", help="the site's URL")

    def handle(self, kind, person, site, **options):
        user = next(
            (u for u in USERS if person in (u.id, u.first_name.lower(), u.first_name)), None
        )
        if user is None:
            names = ", ".join(u.first_name.lower() for u in USERS)
            raise CommandError(f"no test user {person!r}; try one of: {names}")
        try:
            response = send(kind, user.id, site)
        except requests.RequestException as error:
            raise CommandError(
                f"the site at {site} did not answer: {type(error).__name__}"
            ) from None
        self.stdout.write(f"{kind} for {user.name}: HTTP {response.status_code} {response.text}")
        if response.status_code != 200:
            raise CommandError("the site refused the callback")
