"""Server-issued, single-use nonces for Limited Login ID tokens.

An app asks for a nonce, passes it to Facebook's SDK, and sends the ID token back with it.
The nonce proves the token was made for a login this server started, and using it up makes
the same ID token worthless a second time (a replay). They live in the database, so every
worker sees them and taking one is a single DELETE: atomic on PostgreSQL and SQLite alike.
"""

import re
import secrets
from datetime import timedelta

from django.utils import timezone

from .conf import setting
from .models import AppNonce

NONCE_RE = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


def issue() -> tuple[str, int]:
    """A new nonce and its lifetime in seconds; sweeps the expired ones first."""
    now = timezone.now()
    max_age = setting("FACEBOOK_APP_NONCE_MAX_AGE")
    AppNonce.objects.filter(expires_at__lte=now).delete()
    nonce = AppNonce.objects.create(
        value=secrets.token_urlsafe(32), expires_at=now + timedelta(seconds=max_age)
    )
    return nonce.value, max_age


def consume(value: object) -> bool:
    """Use the nonce up; True for the one caller that did, False if unknown, expired or used."""
    if not isinstance(value, str) or not NONCE_RE.match(value):
        return False
    deleted, _ = AppNonce.objects.filter(value=value, expires_at__gt=timezone.now()).delete()
    return deleted == 1
