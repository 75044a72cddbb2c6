"""Limited Login as the stand-in plays it: ID tokens signed with its own RSA keys, its JWKS.

Facebook's iOS SDK, for a person who declined app tracking, returns an OpenID Connect ID
token (an RS256 JWT) instead of a Graph access token; the site checks it against the keys
Facebook publishes at its JWKS URL (Facebook's Limited Login docs). The stand-in signs such
tokens for its test people with a key of its own, publishes the public half, and rotates it
on demand: the new key signs from then on, the previous one stays published (as during a
real rotation) so tokens signed a moment ago still verify.

The private keys live in the cache (see store.py), so the process that signs and the one
that serves the JWKS agree.
"""

import secrets
from typing import cast

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core.cache import cache

from . import store
from .facebook_app import app_id

ISSUER = "https://www.facebook.com"
ID_TOKEN_LIFETIME = 3600
_KEYS_MEMORY = 7 * 24 * 3600


def _keys_key():
    return store.cache_key("limited-login", "keys")


def _new_key():
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return {"kid": secrets.token_hex(20), "pem": pem.decode()}


def signing_keys():
    """The published keys, newest (the one that signs) first; made on first use."""
    keys = cache.get(_keys_key())
    if keys is None:
        cache.add(_keys_key(), [_new_key()], timeout=_KEYS_MEMORY)
        keys = cache.get(_keys_key())
    return keys


def rotate():
    """Sign with a new key from now on; the previous one stays published. Returns the kid."""
    keys = [_new_key(), *signing_keys()[:1]]
    cache.set(_keys_key(), keys, timeout=_KEYS_MEMORY)
    return keys[0]["kid"]


def jwks():
    """The public keys as Facebook publishes them: {"keys": [JWK, ...]}."""
    published = []
    for key in signing_keys():
        private = serialization.load_pem_private_key(key["pem"].encode(), None)
        public = cast("rsa.RSAPublicKey", private.public_key())  # the stand-in's keys are RSA
        jwk = jwt.algorithms.RSAAlgorithm.to_jwk(public, as_dict=True)
        published.append({**jwk, "kid": key["kid"], "use": "sig", "alg": "RS256"})
    return {"keys": published}


def id_token(user, nonce, *, audience=None, **claims):
    """An ID token for `user`, as the SDK returns it; `claims` override or add claims."""
    now = int(store.now())
    payload = {
        "iss": ISSUER,
        "aud": audience or app_id(),
        "sub": user.id,
        "iat": now,
        "exp": now + ID_TOKEN_LIFETIME,
        "jti": secrets.token_hex(16),
        "nonce": nonce,
        "name": user.name,
        "given_name": user.first_name,
        "family_name": user.last_name,
        **({"email": user.email} if user.email and "email" not in user.declines else {}),
        **claims,
    }
    key = signing_keys()[0]
    # The header Facebook's tokens carry: typ JWT (PyJWT's default, said here), alg, kid.
    headers = {"typ": "JWT", "kid": key["kid"]}
    return jwt.encode(payload, key["pem"], algorithm="RS256", headers=headers)
