"""Error monitoring with Sentry, scrubbed of every secret before an event leaves the process.

Production settings call `init_sentry` with SENTRY_DSN; without a DSN nothing is sent. An
event of this site would otherwise carry what the Facebook login handles: the callback's
one-time code and state in the URL and in local variables, access tokens, signed requests
of Facebook's callbacks, the session cookie, the app secret. So:

- `data_collection` (sentry-sdk's option in place of the deprecated `send_default_pii`)
  collects no personal data: no user (id, email, IP address), no cookies, no request
  bodies, and filters headers and query parameters named like personal data or secrets;
- `scrub_event` (before_send) runs sentry-sdk's own EventScrubber, recursive, which removes
  any value whose key names a secret (its defaults, token, password, cookie, session...,
  plus this site's: code, state, signed_request, appsecret_proof...): sentry-sdk runs no
  event scrubber of its own once `data_collection` is given. It then filters every local
  variable of a stack frame whose name has a secret's word in it (`state_value`,
  `user_token`: a new variable in a view must not need an entry in a list to stay out of an
  event), and rewrites every string left: query parameters that carry secrets, session keys
  inside cache keys (the Redis integration's breadcrumbs name them), and anything shaped like
  a Facebook token or login code.
"""

import re
from typing import TYPE_CHECKING

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration
from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber
from sentry_sdk.utils import AnnotatedValue

if TYPE_CHECKING:
    from sentry_sdk._types import DataCollectionUserOptions

FILTERED = "[Filtered]"
# Keys (of request data, headers, local variables, extra data) whose values are secrets.
SECRET_KEYS = [
    "code",
    "state",
    "signed_request",
    "access_token",
    "input_token",
    "fb_exchange_token",
    "appsecret_proof",
    "client_secret",
    "secret_key",
    "app_secret",
    "facebook_app_secret",
    "sessionid",
    "cookies",
]
# A secret inside a string: a query parameter (code=..., state=...) or a token's shape.
SECRET_PARAMETER = re.compile(
    r"\b(code|state|signed_request|access_token|input_token|fb_exchange_token|"
    r"appsecret_proof|client_secret)=[^&\s'\"]*",
    re.IGNORECASE,
)
SECRET_SHAPE = re.compile(r"EAA[A-Za-z0-9]{10,}|AQ[A-Za-z0-9_-]{40,}")
# A session key inside a cache key (the Redis integration's breadcrumbs and spans name the
# keys they touch): the site's session stores' "sessions:" prefix, and Django's own.
SESSION_CACHE_KEY = re.compile(r"(sessions:|django\.contrib\.sessions\.cache)[a-z0-9]{8,40}")
# What sentry-sdk collects without personal data: its own mapping of send_default_pii=False
# (sentry_sdk/data_collection.py), with no request bodies (they hold the sign-up forms and
# Facebook's signed requests) and the secrets' names added to the query parameters' denylist.
PERSONAL_HEADERS = ["forwarded", "-ip", "remote-", "via", "-user"]
DATA_COLLECTION: "DataCollectionUserOptions" = {
    "user_info": False,
    "cookies": {"mode": "off"},
    "http_headers": {"request": {"mode": "denylist", "terms": PERSONAL_HEADERS}},
    "http_bodies": [],
    "url_query_params": {"mode": "denylist", "terms": [*PERSONAL_HEADERS, *SECRET_KEYS]},
    "graphql": {"document": False, "variables": False},
    "gen_ai": {"inputs": False, "outputs": False},
    "database_query_data": False,
    "queues": False,
}
EVENT_SCRUBBER = EventScrubber(denylist=[*DEFAULT_DENYLIST, *SECRET_KEYS], recursive=True)
# A local variable holds a secret when one of the words of its name is one of these.
SECRET_WORDS = frozenset(
    ("code", "state", "token", "secret", "signed", "proof", "password", "cookie", "session")
)


def scrub_string(value):
    value = SECRET_PARAMETER.sub(lambda match: f"{match.group(1)}={FILTERED}", value)
    value = SESSION_CACHE_KEY.sub(lambda match: f"{match.group(1)}{FILTERED}", value)
    return SECRET_SHAPE.sub(FILTERED, value)


def scrub(value, secrets):
    """The value with every string scrubbed and every known secret value replaced.

    The EventScrubber's substitutes are AnnotatedValue objects, which sentry-sdk turns into
    plain values before before_send; here, after it, they become their value ("[Filtered]"),
    or the event could not be encoded.
    """
    if isinstance(value, AnnotatedValue):
        return value.value
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, FILTERED)
        return scrub_string(value)
    if isinstance(value, dict):
        return {key: scrub(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item, secrets) for item in value]
    return value


def filter_secret_variables(event):
    """Filter the values of the stack frames' local variables named like secrets."""
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in ((exception or {}).get("stacktrace") or {}).get("frames") or []:
            variables = frame.get("vars") if isinstance(frame, dict) else None
            if isinstance(variables, dict):
                for name in variables:
                    if SECRET_WORDS.intersection(name.lower().split("_")):
                        variables[name] = FILTERED


def known_secrets():
    """The settings' secrets, wherever they might appear as plain text."""
    from django.conf import settings

    values = [
        getattr(settings, "SECRET_KEY", ""),
        *getattr(settings, "SECRET_KEY_FALLBACKS", []),
        getattr(settings, "FACEBOOK_APP_SECRET", ""),
    ]
    return [value for value in values if isinstance(value, str) and len(value) >= 8]


def scrub_event(event, hint):
    """before_send and before_send_transaction: the event with no secret string left."""
    EVENT_SCRUBBER.scrub_event(event)
    request = event.get("request")
    if isinstance(request, dict):
        request.pop("cookies", None)
        headers = request.get("headers")
        if isinstance(headers, dict):
            for name in list(headers):
                if name.lower() in ("cookie", "authorization"):
                    headers[name] = FILTERED
    filter_secret_variables(event)
    return scrub(event, known_secrets())


def init_sentry(dsn, *, environment="production", release=None, **options):
    """Start error monitoring when a DSN is given; do nothing without one."""
    if not dsn:
        return
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release,
        integrations=[DjangoIntegration()],
        data_collection=DATA_COLLECTION,
        before_send=scrub_event,
        before_send_transaction=scrub_event,
        # Request bodies hold the sign-up forms and Facebook's signed requests (and
        # DATA_COLLECTION collects none already).
        max_request_body_size="never",
        **options,
    )
