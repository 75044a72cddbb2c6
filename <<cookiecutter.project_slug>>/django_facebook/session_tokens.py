"""Sessions carried in a header, for native apps: Django's own sessions, no second system.

A native app has no cookie jar worth the name, so after an app login it holds its session
key as a token and sends it in the `X-Session-Token` header. The session behind it is an
ordinary Django session in the configured engine, so what ends a session ends the token:
logging out (the session is flushed), changing the password (Django's session hash check
flushes the other sessions), and, for sessions started by an app login, Facebook's
deauthorize and data deletion callbacks (checked here on every request).

A request with the header ignores the session cookie entirely and its answer sets no cookie
at all: not the session's, not the CSRF token's (which Django's auth.login rotates). It is
exempt from CSRF: a page on another site cannot make a browser send a custom header (that
needs a CORS preflight this site never grants), and without the cookie there is no ambient
credential to abuse. Requests without the header are Django's, cookie and CSRF included.
"""

import re
from datetime import UTC, datetime

from django.contrib.sessions.backends.base import SessionBase
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_vary_headers

from .models import FacebookAccount
from .types import User

HEADER = "X-Session-Token"
# Django's session keys: 32 characters of lowercase letters and digits (8 to 40 accepted).
SESSION_KEY_RE = re.compile(r"^[a-z0-9]{8,40}$")
# Put in a session by an app login: the account and the time, for the deauthorize check.
APP_LOGIN_KEY = "_facebook_app_login"
# The attribute set (True) on a request that carries the header.
REQUEST_FLAG = "uses_session_token"


def uses_session_token(request: HttpRequest) -> bool:
    return getattr(request, REQUEST_FLAG, False)


class SessionTokenMiddleware(SessionMiddleware):
    """Django's SessionMiddleware, plus the session named by the X-Session-Token header.

    An empty or unknown token starts a new, empty session; the answer's X-Session-Token
    header always holds the session's current key (it changes at login and password change)
    or is empty when there is no session. The answer to a request with the header carries no
    Set-Cookie: this middleware must come before CsrfViewMiddleware (and any other that sets
    cookies) in MIDDLEWARE, so that it sees their cookies on the way out.
    """

    def process_request(self, request: HttpRequest) -> None:
        token = request.headers.get(HEADER)
        if token is None:
            return super().process_request(request)
        token = token.strip()
        request.session = self.SessionStore(token if SESSION_KEY_RE.match(token) else None)
        setattr(request, REQUEST_FLAG, True)
        # Django's CsrfViewMiddleware reads this attribute; django-stubs does not declare it.
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        end_if_deauthorized(request.session)
        return None

    def process_response(self, request: HttpRequest, response: HttpResponse) -> HttpResponse:
        response = super().process_response(request, response)
        if not uses_session_token(request):
            return response
        # Every cookie, not only the session's: CsrfViewMiddleware sets the CSRF cookie when
        # the token was used or rotated (auth.login rotates it; a page's {% csrf_token %}
        # uses it), and the messages framework may keep messages in a cookie. A native
        # client has no cookie jar to keep them in, and the header session needs none.
        response.cookies.clear()
        patch_vary_headers(response, (HEADER,))
        session = request.session
        response[HEADER] = "" if session.is_empty() else (session.session_key or "")
        return response


def mark_app_login(request: HttpRequest, user: User) -> None:
    """Remember in the session that an app login of `user`'s Facebook account started it."""
    account = FacebookAccount.objects.filter(user=user).values_list("pk", flat=True).first()
    if account is not None:
        request.session[APP_LOGIN_KEY] = {"account": account, "at": datetime.now(UTC).timestamp()}


def end_if_deauthorized(session: SessionBase) -> None:
    """Flush a session started by an app login whose Facebook link was deauthorized since,
    or is gone (Facebook's data deletion callback, a disconnect): the proof it rests on has
    been withdrawn."""
    marker = session.get(APP_LOGIN_KEY)
    if not isinstance(marker, dict):
        return
    logged_in_at = datetime.fromtimestamp(marker["at"], UTC)
    still_linked = (
        FacebookAccount.objects.filter(pk=marker["account"])
        .exclude(deauthorized_at__gte=logged_in_at)
        .exists()
    )
    if not still_linked:
        session.flush()
