"""Where the person goes after a login, connect, registration or error.

Django Facebook's rules: each outcome tries its own parameter, then `next`, then the
FACEBOOK_LOGIN_DEFAULT_REDIRECT setting. What is new is that a value is used only when it
is safe: same host (as Django's own login view checks), HTTPS when the request is, no
control characters, not absurdly long. An unsafe value is skipped, never followed.
"""

from collections.abc import Iterable, Mapping
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

from .conf import setting

NEXT_PARAMETERS = ("next", "login_next", "connect_next", "register_next", "error_next")
ERROR_KEYS = ("error_next", "next")
# The page where a login started (its Referer), kept with the parameters: a cancelled login
# goes back there when no parameter says otherwise.
ORIGIN_KEY = "origin"
CANCEL_KEYS = (*ERROR_KEYS, ORIGIN_KEY)
MAX_URL_LENGTH = 2000

# The request attribute holding the redirect parameters of the flow under way.
FLOW_PARAMETERS = "facebook_next_parameters"


def is_safe_url(request: HttpRequest, url: object) -> bool:
    """True for a URL on this site that is fit to put in a Location header."""
    return (
        isinstance(url, str)
        and 0 < len(url) <= MAX_URL_LENGTH
        and url == url.strip()
        and url.isprintable()
        # Scheme-relative, even with no host ("//"): never a path on this site.
        and not url.replace("\\", "/").startswith("//")
        and url_has_allowed_host_and_scheme(
            url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    )


def safe_next_parameters(
    request: HttpRequest, data: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The redirect parameters of a request (or `data`) whose values are safe."""
    data = request.GET if data is None else data
    return {
        key: data[key] for key in NEXT_PARAMETERS if key in data and is_safe_url(request, data[key])
    }


def origin_of(request: HttpRequest) -> str | None:
    """The page of this site the request came from (its Referer), as a path; else None."""
    referer = request.headers.get("Referer", "")
    if not is_safe_url(request, referer):
        return None
    parts = urlsplit(referer)
    path = urlunsplit(("", "", parts.path, parts.query, ""))
    return path if is_safe_url(request, path) else None


def next_parameters(request: HttpRequest) -> Mapping[str, str]:
    """The redirect parameters of the flow under way.

    The flow's views put the parameters saved when the login started on the request as
    `facebook_next_parameters`; a plain request gives its own query parameters.
    """
    saved = getattr(request, FLOW_PARAMETERS, None)
    return saved if saved is not None else safe_next_parameters(request)


def set_next_parameters(request: HttpRequest, parameters: Mapping[str, str]) -> None:
    """Make `parameters` the redirect parameters of the flow under way (next_parameters)."""
    setattr(request, FLOW_PARAMETERS, parameters)


def without_next(parameters: Mapping[str, str]) -> dict[str, str]:
    """`parameters` but `next`: for a way out that must not lead back where the flow began."""
    return {key: value for key, value in parameters.items() if key != "next"}


def next_url(request: HttpRequest, keys: Iterable[str], default: str | None = None) -> str:
    """The first safe value among `keys`, else `default`, else the default setting."""
    parameters = next_parameters(request)
    for key in keys:
        url = parameters.get(key)
        if url and is_safe_url(request, url):
            return url
    return resolve_url(default or setting("FACEBOOK_LOGIN_DEFAULT_REDIRECT"))


def add_query_parameters(url: str, parameters: Mapping[str, object]) -> str:
    """`url` with `parameters` merged into its query string."""
    if not parameters:
        return url
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    query.update({key: str(value) for key, value in parameters.items()})
    return urlunsplit(parts._replace(query=urlencode(query)))
