"""A model field that stores text encrypted, for access tokens.

A database dump or a read-only SQL injection then yields no usable Facebook token. The key
is derived from SECRET_KEY with Django's salted_hmac, and SECRET_KEY_FALLBACKS keep old
tokens readable while the key is rotated (cryptography's MultiFernet).
"""

import base64
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac

KEY_SALT = "django_facebook.fields.EncryptedTextField"


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet(
        [
            Fernet(
                base64.urlsafe_b64encode(
                    salted_hmac(KEY_SALT, "key", secret=key, algorithm="sha256").digest()
                )
            )
            for key in keys
        ]
    )


def encrypt(text: str) -> str:
    return _fernet().encrypt(text.encode()).decode() if text else ""


def decrypt(ciphertext: str) -> str:
    """The plain text, or "" when no current or fallback key opens it."""
    if not ciphertext:
        return ""
    try:
        return _fernet().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        return ""


class EncryptedTextField(models.TextField):
    """Text encrypted at rest; reads give the plain text ("" if it cannot be decrypted)."""

    def from_db_value(
        self, value: str | None, expression: object, connection: object
    ) -> str | None:
        return decrypt(value) if value else value

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return encrypt(value) if value else value
