"""The link between a user and their Facebook profile."""

from django.conf import settings
from django.db import models
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
    access_token = EncryptedTextField(blank=True, editable=False)
    token_expires_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Facebook account")

    def __str__(self):
        return f"{self.name or self.facebook_id} (Facebook)"
