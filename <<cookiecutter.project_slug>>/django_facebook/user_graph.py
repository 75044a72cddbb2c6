"""The person's Graph access: a view's own Graph API calls, made with the token the site kept.

Django Facebook's `get_persistent_graph(request)` found a token wherever it could (a request
parameter, the session, a cookie, the database) and kept it everywhere. Here there is one
source: the token of the person's last Facebook login, kept encrypted on their
FacebookAccount, and only when the site asks for it (FACEBOOK_STORE_ACCESS_TOKEN; a login-only
site keeps none). Every call carries an appsecret_proof and goes through the pooled,
guarded client of graph.py. When Facebook says the token expired or was revoked, it is
erased and NewTokenRequired raised: a new Facebook login (which @facebook_required views
start themselves) brings a new one.
"""

import logging
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from .conf import facebook_url, setting
from .exceptions import FacebookError, NewTokenRequired, OAuthError
from .graph import AccessToken, GraphClient
from .models import FacebookAccount
from .profile import permissions_of
from .types import User

logger = logging.getLogger(__name__)

# Where a request keeps the account a @facebook_required check loaded, for get_persistent_graph.
ACCOUNT_ATTRIBUTE = "_facebook_account"


class UserGraph:
    """Graph API calls for one person, with their kept token."""

    def __init__(self, account: FacebookAccount, client: GraphClient) -> None:
        self.account = account
        self.client = client

    @property
    def facebook_id(self) -> str:
        return self.account.facebook_id

    @sensitive_variables()
    def get(self, path: str, **params: str) -> dict[str, Any]:
        """GET `path` ("me", "me/friends"...) with the person's token; Graph errors raise the
        exceptions of exceptions.py, and an expired or revoked token NewTokenRequired."""
        if not has_usable_token(self.account):
            raise NewTokenRequired("the access token was erased")
        try:
            return self.client.get(path, self.account.access_token, params)
        except OAuthError as error:
            forget_token(self.account)
            raise NewTokenRequired(str(error)) from error

    def permissions(self) -> tuple[list[str], list[str]]:
        """(granted, declined) as Facebook says now (/me/permissions, one round trip); the
        account's kept permissions are brought up to date with them."""
        granted, declined = permissions_of(self.get("me/permissions"))
        if (granted, declined) != (self.account.scopes, self.account.declined_scopes):
            FacebookAccount.objects.filter(pk=self.account.pk).update(
                scopes=granted, declined_scopes=declined
            )
            self.account.scopes, self.account.declined_scopes = granted, declined
        return granted, declined


def graph_for(user: User | AnonymousUser, request: HttpRequest | None = None) -> UserGraph:
    """The Graph client of `user`; NewTokenRequired when the site holds no usable token of
    theirs (not connected, token erased, expired, or the app removed on Facebook).

    `request` resolves a stand-in's Graph path (the local settings') against the host the
    request came to; with Facebook's own URL it is not needed.
    """
    require_kept_tokens()
    account = kept_account(user, request)
    if account is None or not has_usable_token(account):
        raise NewTokenRequired("no usable access token kept for this person")
    graph_url = setting("FACEBOOK_GRAPH_URL")
    if request is not None:
        graph_url = facebook_url("FACEBOOK_GRAPH_URL", request.build_absolute_uri("/"))
    elif not graph_url.startswith(("https://", "http://")):
        raise ImproperlyConfigured(
            "FACEBOOK_GRAPH_URL is a path (a stand-in on this site): pass the request to "
            "graph_for(user, request)."
        )
    return UserGraph(account, GraphClient(graph_url=graph_url))


def require_kept_tokens() -> None:
    """ImproperlyConfigured unless the site keeps tokens: a developer's mistake, said plainly
    at the first request rather than as a login that never ends."""
    if not setting("FACEBOOK_STORE_ACCESS_TOKEN"):
        raise ImproperlyConfigured(
            "graph_for() and @facebook_required need FACEBOOK_STORE_ACCESS_TOKEN = True: "
            "without it, the site keeps no token to call the Graph API with."
        )


def get_persistent_graph(request: HttpRequest) -> UserGraph:
    """Django Facebook's name: the Graph client of the person making `request`."""
    return graph_for(request.user, request)


def kept_account(user: User | AnonymousUser, request: HttpRequest | None) -> FacebookAccount | None:
    """The user's FacebookAccount (one query, once per request when `request` is given)."""
    if not user.is_authenticated:
        return None
    cached = getattr(request, ACCOUNT_ATTRIBUTE, None)
    if cached is not None and cached.user_id == user.pk:
        return cached
    account = FacebookAccount.objects.filter(user=user).first()
    if request is not None and account is not None:
        setattr(request, ACCOUNT_ATTRIBUTE, account)
    return account


def has_usable_token(account: FacebookAccount) -> bool:
    """A kept token, not past the expiry Facebook gave, of an app the person did not remove."""
    expires_at = account.token_expires_at
    return (
        bool(account.access_token)
        and account.deauthorized_at is None
        and (expires_at is None or expires_at > timezone.now())
    )


def forget_token(account: FacebookAccount) -> None:
    """Erase a token Facebook no longer accepts, unless a login stored a new one meanwhile
    (another tab: the account's `updated_at` moved on)."""
    logger.info("Facebook token of account %s expired or revoked: erased", account.pk)
    FacebookAccount.objects.filter(pk=account.pk, updated_at=account.updated_at).update(
        access_token="", token_expires_at=None
    )
    account.access_token, account.token_expires_at = "", None


@sensitive_variables("token")
def token_to_keep(client: GraphClient, token: AccessToken) -> AccessToken:
    """The token a login keeps: with FACEBOOK_EXTEND_ACCESS_TOKEN, a long-lived one in place
    of the login's short-lived token; if Facebook refuses or fails, the login's own (a login
    never fails for want of a longer token)."""
    if not (
        token.token
        and setting("FACEBOOK_STORE_ACCESS_TOKEN")
        and setting("FACEBOOK_EXTEND_ACCESS_TOKEN")
    ):
        return token
    try:
        return client.exchange_token(token.token)
    except FacebookError as error:
        logger.warning(
            "Long-lived token refused (%s): the login's own is kept", type(error).__name__
        )
        return token
