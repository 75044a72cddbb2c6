"""Helpers of the app-login tests: the stand-in answering the site's HTTP calls in-process.

`Fakebook` routes every request the site makes to the stand-in's URLs (Graph API, JWKS)
through Django's test client instead of a socket, so the site's real Graph client, pooled
session and JWKS fetch run unchanged, and the calls are counted.
"""

import re
from urllib.parse import urlsplit

import responses
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from django_facebook import jwks
from django_facebook.session_tokens import HEADER
from fakebook import faults, limited_login, store
from fakebook.facebook_app import FOREIGN_APP_ID
from fakebook.users import USERS

PEOPLE = {user.first_name.lower(): user for user in USERS}
STANDIN = re.compile(r"^http://testserver/fakebook/")


def _forward(request):
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


class Fakebook:
    """The stand-in in-process; `calls` lists the URLs the site requested from it."""

    def __init__(self, mock):
        self.mock = mock
        for method in (responses.GET, responses.POST):
            mock.add_callback(method, STANDIN, callback=_forward)

    @property
    def calls(self):
        return [call.request.url for call in self.mock.calls]

    def graph_calls(self):
        return [url for url in self.calls if "/fakebook/graph/" in url]

    def jwks_calls(self):
        return [url for url in self.calls if url == settings.FACEBOOK_JWKS_URL]

    @staticmethod
    def access_token(person, *, foreign=False, scopes=("email", "public_profile")):
        user = PEOPLE[person]
        token, _ = store.issue_token(
            user.id, user.granted(scopes), FOREIGN_APP_ID if foreign else None
        )
        return token

    @staticmethod
    def id_token(person, nonce, **claims):
        return limited_login.id_token(PEOPLE[person], nonce, **claims)


def fresh_state():
    """No cached JWKS, no pending faults: each test starts from Facebook's first contact."""
    cache.delete(jwks.CACHE_KEY)
    faults.clear()


def native(client, path, body=None, token="", **extra):
    """POST JSON as a native app: the session in the X-Session-Token header, no cookie."""
    return client.post(
        path,
        body if body is not None else {},
        content_type="application/json",
        headers={HEADER: token},
        **extra,
    )


def new_nonce(client):
    answer = native(client, reverse("facebook:app_nonce"))
    assert answer.status_code == 200, answer.content
    return answer.json()["nonce"]


def app_login(client, body, token="", **extra):
    return native(client, reverse("facebook:app_login"), body, token=token, **extra)
