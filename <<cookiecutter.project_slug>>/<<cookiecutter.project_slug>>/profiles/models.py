"""The profile userena keeps beside each user (AUTH_PROFILE_MODULE = "profiles.Profile")."""

from django.conf import settings
from django.db import models, transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from userena.models import UserenaBaseProfile


class Profile(UserenaBaseProfile):
    """userena's mugshot and privacy setting, and a few words about the person.

    Add the fields your site needs here: userena's "edit profile" form shows every field of
    this model (`makemigrations profiles` after a change).
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="profile",
        verbose_name=_("user"),
    )
    about_me = models.TextField(_("about me"), blank=True, max_length=2000)
    # The stored name of the mugshot fetched from Facebook at sign-up, so that it can be told
    # from one the person uploads, and deleted with the rest of Facebook's data.
    facebook_mugshot = models.CharField(max_length=255, blank=True, editable=False)

    class Meta(UserenaBaseProfile.Meta):
        verbose_name = _("profile")
        ordering = ["pk"]  # userena's profile list is paginated

    def save(self, *args, **kwargs):
        """A mugshot that replaces the one from Facebook deletes that file: Facebook's data
        leaves the site's storage with it."""
        replaced = self.facebook_mugshot and self.mugshot.name != self.facebook_mugshot
        if replaced:
            old, storage = self.facebook_mugshot, self.mugshot.storage
            self.facebook_mugshot = ""
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "facebook_mugshot"}
        super().save(*args, **kwargs)
        if replaced:
            transaction.on_commit(lambda: storage.delete(old), robust=True)

    def get_mugshot_url(self):
        """The mugshot through the site's view, which applies the privacy setting; None
        without one (Gravatar is off: USERENA_MUGSHOT_GRAVATAR)."""
        if self.mugshot:
            url = reverse("userena_mugshot", kwargs={"username": self.user.username})
            # A new picture gets a new URL, so a browser's cached copy is never shown.
            return f"{url}?v={self.mugshot.name.rsplit('/', 1)[-1]}"
        return super().get_mugshot_url()

    def can_view_profile(self, user):
        """userena's rule (open: everyone; registered: signed-in people; closed: the owner
        and staff with the permission), and no question to guardian about visitors who are
        not signed in: they hold no object permissions on this site."""
        if not user.is_authenticated:
            return self.privacy == "open"
        return super().can_view_profile(user)

    @property
    def has_facebook_mugshot(self):
        return bool(self.mugshot) and self.mugshot.name == self.facebook_mugshot
