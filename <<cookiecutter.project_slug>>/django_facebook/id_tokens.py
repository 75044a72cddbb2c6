"""Limited Login: check an OpenID Connect ID token from Facebook's iOS SDK, locally.

Facebook's validation rules (Limited Login docs): an RS256 signature by one of the keys of
Facebook's JWKS, chosen by the token's `kid`; `iss` Facebook's; `aud` this app's id; `exp`
and `iat` (with FACEBOOK_ID_TOKEN_LEEWAY seconds of clock skew); and a `nonce`. The nonce
must be one this server issued and has not seen used (nonces.py): python-social-auth skips
that check, which lets a stolen ID token be replayed until it expires.

Facebook's iOS SDK checks more than those docs list (FBSDKLoginKit's AuthenticationTokenHeader
and AuthenticationTokenClaims), and so does this module: the header's `typ` is `JWT`, a
non-empty `jti` is there, and `iat` is recent. The SDK allows an `iat` 10 minutes old; here
the limit is the nonce's lifetime, FACEBOOK_APP_NONCE_MAX_AGE (plus the leeway): a token made
for a nonce of this server is not older than the nonce.

PyJWT does the JWT work. Only RS256 is accepted, before any key is looked at, so neither
`alg: none` nor an HS256 token "signed" with the public key as its secret gets anywhere.
"""

import re
import time
from collections.abc import Mapping
from typing import Any

import jwt
from django.utils.crypto import constant_time_compare

from . import jwks, nonces
from .conf import setting
from .exceptions import AppTokenError, InvalidNonceError, MalformedResponse
from .profile import FacebookProfile

JWT_RE = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
MAX_ID_TOKEN_LENGTH = 8192
# `jti` too: every token Facebook signs has one (its SDK refuses a token without).
REQUIRED_CLAIMS = ["iss", "aud", "sub", "exp", "iat", "jti", "nonce"]


def verify_id_token(id_token: object, nonce: object) -> FacebookProfile:
    """The person an ID token names; AppTokenError (or a JWKS FacebookError) otherwise.

    The nonce is used up only once the token itself has passed every other check, so a
    forged token cannot burn the nonce of a genuine login.
    """
    if not isinstance(id_token, str) or len(id_token) > MAX_ID_TOKEN_LENGTH:
        raise AppTokenError("id_token is not a JWT")
    header = _checked_header(id_token)
    try:
        key = jwks.signing_key(header["kid"])
    except jwks.UnknownKeyError:
        raise AppTokenError("id_token signed with an unknown key") from None
    claims = _checked_claims(id_token, key.key)
    profile = profile_from_claims(claims)
    claimed = claims["nonce"]
    if not isinstance(claimed, str) or not isinstance(nonce, str):
        raise InvalidNonceError("nonce missing")
    if not constant_time_compare(claimed, nonce) or not nonces.consume(nonce):
        raise InvalidNonceError("nonce unknown, expired or used")
    return profile


def _checked_header(id_token: str) -> dict[str, Any]:
    """The JOSE header of a JWT signed RS256 with a key id, `typ` JWT; AppTokenError else."""
    if not JWT_RE.match(id_token):
        raise AppTokenError("id_token is not a JWT")
    try:
        header = jwt.get_unverified_header(id_token)
    except jwt.PyJWTError:
        raise AppTokenError("id_token header unreadable") from None
    if header.get("alg") != "RS256" or not isinstance(header.get("kid"), str):
        raise AppTokenError("id_token is not RS256 with a kid")
    # `typ` is optional in JWS (RFC 7515) and OIDC, but Facebook's ID tokens carry
    # `typ: JWT` and Facebook's iOS SDK refuses one without it (AuthenticationTokenHeader
    # wants alg RS256, typ JWT and a kid): absent or anything else is refused here too.
    # PyJWT has no option for the header's `typ`. Read before the signature is checked, like
    # alg and kid: a header changed on a genuine token fails the signature anyway.
    if header.get("typ") != "JWT":
        raise AppTokenError("id_token typ is not JWT")
    return header


def _checked_claims(id_token: str, key: Any) -> dict[str, Any]:
    """The claims, once signed by `key`, for this app, from Facebook, fresh, with a `jti`;
    AppTokenError else."""
    try:
        claims = jwt.decode(
            id_token,
            key,
            algorithms=["RS256"],
            audience=str(setting("FACEBOOK_APP_ID")),
            issuer=setting("FACEBOOK_ID_TOKEN_ISSUER"),
            leeway=setting("FACEBOOK_ID_TOKEN_LEEWAY"),
            # verify_jti (PyJWT's default, said here): a `jti` that is there is a string.
            options={"require": REQUIRED_CLAIMS, "strict_aud": True, "verify_jti": True},
        )
    except jwt.PyJWTError as error:
        raise AppTokenError(f"id_token refused: {type(error).__name__}") from None
    if not claims["jti"]:
        raise AppTokenError("id_token jti empty")
    # PyJWT has no maximum age for `iat`; it has checked that `iat` reads as an integer
    # (what int() takes) and is not in the future.
    max_age = setting("FACEBOOK_APP_NONCE_MAX_AGE") + setting("FACEBOOK_ID_TOKEN_LEEWAY")
    if int(claims["iat"]) < time.time() - max_age:
        raise AppTokenError("id_token older than a nonce lives")
    return claims


def profile_from_claims(claims: Mapping[str, Any]) -> FacebookProfile:
    """The profile of the ID token's standard claims, checked as a /me answer would be."""
    try:
        return FacebookProfile.from_graph(
            {
                "id": claims.get("sub"),
                "name": claims.get("name"),
                "first_name": claims.get("given_name"),
                "last_name": claims.get("family_name"),
                "email": claims.get("email"),
                "picture": {"data": {"url": claims.get("picture")}},
            }
        )
    except MalformedResponse:
        raise AppTokenError("id_token without a valid sub") from None
