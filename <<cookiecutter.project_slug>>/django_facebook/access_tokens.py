"""Check an access token an app got from Facebook's SDK, before believing who it names.

The classic Facebook-login hole is token substitution: a token issued to another app (any
app can get one for its own users) or describing another person, accepted as proof of
identity. Facebook's answer (Login Security, "Token Hijacking") is debug_token, read with
this app's own app token: the token must be valid, issued to this app, a user token (its
`type` USER: a Page's or an app's token is no person's login), and hold the permissions the
site needs; then /me, with appsecret_proof, must be the person debug_token named. Two Graph
calls on the pooled connection, with the web flow's error handling.
"""

import re
from datetime import UTC, datetime

from django.views.decorators.debug import sensitive_variables

from .conf import setting
from .exceptions import AppTokenError, GraphPermissionError, TokenSubstitutionError
from .graph import MAX_TOKEN_LENGTH, AccessToken, GraphClient
from .profile import FacebookProfile, requested_fields

# Printable ASCII without spaces: what goes into an Authorization header intact.
TOKEN_RE = re.compile(rf"^[\x21-\x7e]{{1,{MAX_TOKEN_LENGTH}}}$")


@sensitive_variables("access_token")
def verify_access_token(
    client: GraphClient, access_token: object
) -> tuple[FacebookProfile, AccessToken]:
    """(profile, AccessToken) for a token Facebook vouches for; AppTokenError otherwise.

    Graph failures raise the web flow's FacebookError subclasses.
    """
    if not isinstance(access_token, str) or not TOKEN_RE.match(access_token):
        raise AppTokenError("access_token malformed")
    info = client.debug_token(access_token)
    if info.get("is_valid") is not True:
        raise AppTokenError("access_token not valid (expired, revoked or unknown)")
    if str(info.get("app_id")) != str(client.app_id):
        raise TokenSubstitutionError("access_token issued to another app")
    if info.get("type") != "USER":
        raise AppTokenError("access_token is not a user token")
    scopes = info.get("scopes")
    granted = set(scopes) if isinstance(scopes, list) else set()
    if not set(setting("FACEBOOK_APP_REQUIRED_SCOPES")) <= granted:
        raise GraphPermissionError("access_token lacks a required permission")
    profile = FacebookProfile.from_graph(client.me(access_token, requested_fields()))
    if str(info.get("user_id")) != profile.id:
        raise TokenSubstitutionError("debug_token and /me name different people")
    return profile, AccessToken(access_token, _expires_at(info.get("expires_at")))


def _expires_at(timestamp: object) -> datetime | None:
    """debug_token's expires_at: a Unix time, or 0 for a token that does not expire."""
    if isinstance(timestamp, int) and not isinstance(timestamp, bool) and timestamp > 0:
        return datetime.fromtimestamp(timestamp, UTC)
    return None
