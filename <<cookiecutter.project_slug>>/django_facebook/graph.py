"""The Graph API client: the calls a login makes (code exchange, long-lived token, /me,
debug_token), `get()` for a view's own calls (user_graph.py), and the error handling they share.

One pooled `requests.Session` per process (so a login reuses Facebook's TLS connection),
connect/read timeouts on every request, urllib3 retries for idempotent requests on connection
errors and 5xx answers, a bulkhead and a breaker per process (graph_guard.py),
`appsecret_proof` on every call made with a user token, and Graph errors turned into the typed
exceptions of `exceptions.py`.

Secrets stay out of URLs: the code exchange is a POST with the secret in the body, and user
and app tokens travel in the Authorization header, so no token or secret can reach a log line
that prints a request URL; @sensitive_variables keeps them out of Django's error reports.
"""

import hashlib
import hmac
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

import requests
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from . import graph_guard
from .conf import setting
from .exceptions import (
    FacebookUnreachable,
    GraphError,
    MalformedResponse,
    TransientError,
    graph_error_class,
)

logger = logging.getLogger(__name__)

MAX_TOKEN_LENGTH = 4096


@dataclass(frozen=True)
class AccessToken:
    """A user access token and, when Facebook said, when it expires."""

    token: str = field(repr=False)
    expires_at: datetime | None = None


@lru_cache(maxsize=4)
def pooled_session(retries: int) -> requests.Session:
    """The process-wide session for a retry count.

    Retries cover connection errors (the request never left) for every method, and 5xx
    answers for GET only: a POSTed authorization code is single use, so its exchange is
    never repeated once Facebook may have seen it. Read timeouts are not retried, so a slow
    Facebook costs one timeout, not several.
    """
    retry = Retry(
        total=retries,
        connect=retries,
        read=0,
        status=retries,
        other=0,
        allowed_methods=frozenset({"GET"}),
        status_forcelist=(500, 502, 503, 504),
        backoff_factor=0.1,
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    session = requests.Session()
    # The environment (proxy variables, CA bundle) is read once per Graph URL, by
    # environment_settings(); requests would scan all of it, and look for ~/.netrc, per call.
    session.trust_env = False
    adapter = HTTPAdapter(max_retries=retry, pool_connections=2, pool_maxsize=10)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


@lru_cache(maxsize=4)
def environment_settings(url: str) -> dict[str, Any]:
    """What the environment says for requests to `url`: proxies (HTTPS_PROXY, NO_PROXY...)
    and the CA bundle (REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE), as requests reads them."""
    settings = requests.Session().merge_environment_settings(url, {}, None, None, None)
    return {"proxies": settings["proxies"], "verify": settings["verify"], "cert": settings["cert"]}


def appsecret_proof(access_token: str, app_secret: str) -> str:
    """HMAC-SHA256 of the token keyed with the app secret, hex (Facebook's security docs)."""
    return hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest()


class GraphClient:
    """Calls Facebook's Graph API for one app; every argument defaults to its setting."""

    def __init__(
        self,
        *,
        app_id: str | None = None,
        app_secret: str | None = None,
        version: str | None = None,
        graph_url: str | None = None,
    ) -> None:
        self.app_id: str = app_id if app_id is not None else setting("FACEBOOK_APP_ID")
        self.app_secret: str = (
            app_secret if app_secret is not None else setting("FACEBOOK_APP_SECRET")
        )
        self.version: str = version or setting("FACEBOOK_API_VERSION")
        self.graph_url: str = (graph_url or setting("FACEBOOK_GRAPH_URL")).rstrip("/")
        self.timeout: tuple[float, float] = tuple(setting("FACEBOOK_GRAPH_TIMEOUT"))
        self.session = pooled_session(setting("FACEBOOK_GRAPH_RETRIES"))
        self.environment = environment_settings(self.graph_url)

    @sensitive_variables()
    def exchange_code(self, code: str, redirect_uri: str) -> AccessToken:
        """Trade the authorization code from the login dialog for a user access token."""
        data = self._request(
            "POST",
            "oauth/access_token",
            data={
                "client_id": self.app_id,
                "client_secret": self.app_secret,
                "redirect_uri": redirect_uri,
                "code": code,
            },
            exchanging_code=True,
        )
        return _access_token(data)

    @sensitive_variables()
    def exchange_token(self, access_token: str) -> AccessToken:
        """Trade a valid short-lived user token for a long-lived one (about 60 days;
        Facebook's long-lived token docs). A POST, as the code exchange: the secret stays
        out of the URL."""
        data = self._request(
            "POST",
            "oauth/access_token",
            data={
                "grant_type": "fb_exchange_token",
                "client_id": self.app_id,
                "client_secret": self.app_secret,
                "fb_exchange_token": access_token,
            },
        )
        return _access_token(data)

    @sensitive_variables()
    def me(self, access_token: str, fields: Iterable[str]) -> dict[str, Any]:
        """The person's profile fields, read with their token and an appsecret_proof."""
        return self.get("me", access_token, {"fields": ",".join(fields)})

    @sensitive_variables()
    def get(
        self, path: str, access_token: str, params: Mapping[str, str] | None = None
    ) -> dict[str, Any]:
        """GET a Graph path for the person whose token this is, with an appsecret_proof."""
        params = {
            **(params or {}),
            "appsecret_proof": appsecret_proof(access_token, self.app_secret),
        }
        return self._request("GET", path.strip("/"), params=params, token=access_token)

    @sensitive_variables()
    def debug_token(self, input_token: str) -> dict[str, Any]:
        """Facebook's description of a token (app, user, validity), read with the app token."""
        data = self._request(
            "GET",
            "debug_token",
            params={"input_token": input_token},
            token=f"{self.app_id}|{self.app_secret}",
        )
        if not isinstance(data.get("data"), dict):
            raise MalformedResponse("debug_token answer without data")
        return data["data"]

    @sensitive_variables()
    def app(self) -> dict[str, Any]:
        """The app's id and name, read with the app token: proves the id and secret match."""
        return self._request(
            "GET",
            self.app_id,
            params={"fields": "id,name"},
            token=f"{self.app_id}|{self.app_secret}",
        )

    @sensitive_variables()
    def _request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        data: Mapping[str, str] | None = None,
        token: str | None = None,
        exchanging_code: bool = False,
    ) -> dict[str, Any]:
        with graph_guard.guard.call(f"{method} {path}"):
            return self._guarded_request(method, path, params, data, token, exchanging_code)

    @sensitive_variables()
    def _guarded_request(
        self,
        method: str,
        path: str,
        params: Mapping[str, str] | None,
        data: Mapping[str, str] | None,
        token: str | None,
        exchanging_code: bool,
    ) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        url = f"{self.graph_url}/{self.version}/{path}"
        try:
            response = self.session.request(
                method,
                url,
                params=params,
                data=data,
                headers=headers,
                timeout=self.timeout,
                allow_redirects=False,
                **self.environment,
            )
        except requests.Timeout:
            logger.warning("Graph API %s %s: timed out", method, path)
            raise FacebookUnreachable(f"{method} {path}: timeout") from None
        except requests.RequestException as error:
            logger.warning("Graph API %s %s: %s", method, path, type(error).__name__)
            raise FacebookUnreachable(f"{method} {path}: {type(error).__name__}") from None
        return self._parse(response, method, path, exchanging_code)

    def _parse(
        self, response: requests.Response, method: str, path: str, exchanging_code: bool
    ) -> dict[str, Any]:
        status = response.status_code
        trace_id = response.headers.get("x-fb-trace-id", "")[:64]
        try:
            payload = response.json()
        except ValueError:
            payload = None
            if status < 500:
                logger.warning("Graph API %s %s: HTTP %s, not JSON", method, path, status)
                raise MalformedResponse(f"{method} {path}: HTTP {status}, not JSON") from None
        if isinstance(payload, dict) and isinstance(payload.get("error"), dict):
            raise self._graph_error(payload["error"], method, path, trace_id, exchanging_code)
        if status >= 400:
            logger.warning(
                "Graph API %s %s: HTTP %s", method, path, status, extra={"fbtrace_id": trace_id}
            )
            raise TransientError(f"{method} {path}: HTTP {status}", fbtrace_id=trace_id)
        if not isinstance(payload, dict):
            logger.warning("Graph API %s %s: answer is not a JSON object", method, path)
            raise MalformedResponse(f"{method} {path}: answer is not a JSON object")
        return payload

    @staticmethod
    def _graph_error(
        error: Mapping[str, Any], method: str, path: str, trace_id: str, exchanging_code: bool
    ) -> GraphError:
        code = _int_or_none(error.get("code"))
        subcode = _int_or_none(error.get("error_subcode"))
        error_type = str(error.get("type", ""))[:100]
        fbtrace_id = str(error.get("fbtrace_id") or trace_id)[:64]
        message = str(error.get("message", ""))[:500]
        cls = graph_error_class(code, error_type, exchanging_code=exchanging_code)
        logger.warning(
            "Graph API %s %s: %s code=%s subcode=%s type=%s fbtrace_id=%s",
            method,
            path,
            cls.__name__,
            code,
            subcode,
            error_type,
            fbtrace_id,
            extra={"fbtrace_id": fbtrace_id},
        )
        return cls(
            message, code=code, subcode=subcode, error_type=error_type, fbtrace_id=fbtrace_id
        )


@sensitive_variables()
def _access_token(data: Mapping[str, Any]) -> AccessToken:
    """The AccessToken of an oauth/access_token answer; MalformedResponse without one."""
    token = data.get("access_token")
    if not isinstance(token, str) or not 0 < len(token) <= MAX_TOKEN_LENGTH:
        raise MalformedResponse("token response without a usable access_token")
    expires_in = data.get("expires_in")
    expires_at = None
    # expires_in is optional (Facebook's login flow docs); a bool is not a number of seconds.
    if isinstance(expires_in, int) and not isinstance(expires_in, bool) and expires_in > 0:
        expires_at = timezone.now() + timedelta(seconds=expires_in)
    return AccessToken(token, expires_at)


def _int_or_none(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
