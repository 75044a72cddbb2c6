"""The link between a user and their Facebook profile."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .fields import EncryptedTextField


class FacebookAccount(models.Model):
    """One Facebook profile, known by its app-scoped id, linked to one user.

    The id is unique, so a Facebook profile can belong to one user only, and a user has at
    most one (the one-to-one link). Name, email and picture are Facebook's copy, refreshed
    at every login; the user's own fields are theirs to change.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="facebook_account"
    )
    facebook_id = models.CharField(_("Facebook id (app-scoped)"), max_length=32, unique=True)
    name = models.CharField(max_length=255, blank=True)
    email = models.EmailField(blank=True)
    picture_url = models.URLField(max_length=1000, blank=True)
    # Kept only with FACEBOOK_STORE_ACCESS_TOKEN (user_graph.py), else always empty.
    access_token = EncryptedTextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The permissions the person granted and declined, as of their last Facebook login (or
    # the last permissions() call): @facebook_required asks for what is missing, no Graph call.
    scopes = models.JSONField(default=list, blank=True, editable=False)
    declined_scopes = models.JSONField(default=list, blank=True, editable=False)
    # Set when the person removes the app on Facebook; cleared by their next Facebook login.
    deauthorized_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Facebook account")

    def __str__(self) -> str:
        return f"{self.name or self.facebook_id} (Facebook)"


def confirmation_code() -> str:
    return secrets.token_hex(16)


def facebook_id_digest(facebook_id: str) -> str:
    """A keyed digest of an app-scoped id: matches repeated requests, reveals no id."""
    return salted_hmac("django_facebook.deletion", facebook_id, algorithm="sha256").hexdigest()


class DataDeletionRequest(models.Model):
    """A data deletion request from Facebook, kept so its status page can answer.

    It holds no personal data: not the Facebook id (only a keyed digest, to recognise the same
    request sent twice), not the user. `issued_at` is the signed request's own timestamp.
    """

    confirmation_code = models.CharField(max_length=32, unique=True, default=confirmation_code)
    facebook_id_digest = models.CharField(max_length=64, editable=False)
    issued_at = models.BigIntegerField(editable=False)
    accounts_deleted = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("data deletion request")
        constraints = [
            models.UniqueConstraint(
                fields=["facebook_id_digest", "issued_at"], name="unique_deletion_request"
            )
        ]

    def __str__(self) -> str:
        return self.confirmation_code


class AppNonce(models.Model):
    """A nonce handed to an app for one Limited Login (docs/apps.md).

    The ID token Facebook signs carries it; the login deletes it (single use: of two
    requests racing with the same nonce, one deletes the row, the other finds none). Rows
    older than their `expires_at` are swept when new nonces are issued.
    """

    value = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("app nonce")

    def __str__(self) -> str:
        return self.value[:8]
