"""The suite's one Graph test double: Facebook answered in-process, its round trips counted.

Every HTTP request the site makes goes through a `responses` mock, which records it. What
the test does not answer itself goes to the offline stand-in (the `fakebook` app) at its
URLs (Graph API, JWKS), through Django's test client instead of a socket: the site's real
Graph client, pooled session and JWKS fetch run unchanged against the stand-in's people,
tokens and injected faults (the `fakebook` fixture).

`answer_login()` answers the web login's two Graph calls with canned JSON instead, which the
test may change (the `graph` fixture): the code exchange (`token`, answering `token_answer`)
and /me (`me`, answering `profile`); a test replaces either with an error body through
`mock.replace`, or adds answers of its own (a picture on Facebook's CDN) through `mock.add`.
"""

import json
import re
from urllib.parse import urlsplit

import responses
from django.conf import settings
from django.core.cache import cache
from django.test import Client

from django_facebook import jwks
from fakebook import faults, limited_login, store
from fakebook.facebook_app import FOREIGN_APP_ID
from fakebook.users import USERS

PEOPLE = {user.first_name.lower(): user for user in USERS}
STANDIN = re.compile(r"^http://testserver/fakebook/")


def _forward(request):
    """The stand-in's answer to the site's request, through Django's test client."""
    parts = urlsplit(request.url)
    headers = {
        name: value
        for name, value in request.headers.items()
        if name.lower() not in ("content-type", "content-length", "host")
    }
    answer = Client().generic(
        request.method,
        parts.path + (f"?{parts.query}" if parts.query else ""),
        data=request.body or b"",
        content_type=request.headers.get("Content-Type", "application/octet-stream"),
        headers=headers,
    )
    return answer.status_code, dict(answer.items()), answer.content


class FacebookDouble:
    """Facebook for one test; `calls` counts the site's round trips, `urls` lists them."""

    def __init__(self, mock):
        self.mock = mock
        for method in (responses.GET, responses.POST):
            mock.add_callback(method, STANDIN, callback=_forward, match=[self._unanswered])

    def _unanswered(self, request):
        """A request matcher: the stand-in answers what no answer of the test's own does
        (`responses` would otherwise take the first of two matching answers only once)."""
        for answer in self.mock.registered():
            if getattr(answer, "callback", None) is not _forward and answer.matches(request)[0]:
                return False, "answered by the test"
        return True, ""

    def answer_login(self, graph_url, profile, token_answer):
        """Answer the code exchange with `token_answer` and /me with `profile` (a copy, which
        the test may change until the site asks for it)."""
        self.profile = dict(profile)
        self.token_answer = token_answer
        self.token = self.mock.add(
            responses.POST, f"{graph_url}/oauth/access_token", json=self.token_answer
        )
        self.me = self.mock.add_callback(responses.GET, f"{graph_url}/me", callback=self._me)
        return self

    def _me(self, request):
        return 200, {}, json.dumps(self.profile)

    @property
    def urls(self):
        """The URL of every request the site made, in order."""
        return [call.request.url for call in self.mock.calls]

    @property
    def calls(self):
        """How many requests the site made (round trips), whoever answered them."""
        return len(self.mock.calls)

    def graph_calls(self):
        return [url for url in self.urls if "/fakebook/graph/" in url]

    def jwks_calls(self):
        return [url for url in self.urls if url == settings.FACEBOOK_JWKS_URL]

    @staticmethod
    def access_token(person, *, foreign=False, scopes=("email", "public_profile")):
        """A user access token the stand-in issued to `person` (a key of PEOPLE)."""
        user = PEOPLE[person]
        token, _ = store.issue_token(
            user.id, user.granted(scopes), FOREIGN_APP_ID if foreign else None
        )
        return token

    @staticmethod
    def id_token(person, nonce, **claims):
        """A Limited Login ID token the stand-in signed for `person` and `nonce`."""
        return limited_login.id_token(PEOPLE[person], nonce, **claims)


def forget_people():
    """The stand-in's people as new to it: nothing granted, declined, revoked or expired."""
    store.forget_people([user.id for user in USERS])


def fresh_state():
    """No cached JWKS, no pending faults: each test starts from Facebook's first contact."""
    cache.delete(jwks.CACHE_KEY)
    faults.clear()
