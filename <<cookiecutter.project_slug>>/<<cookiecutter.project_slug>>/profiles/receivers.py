"""What the profiles app does when something happens elsewhere.

- Every new user becomes a full userena account, however it was made (sign-up, Facebook,
  createsuperuser, the admin, a script): a profile, userena's signup record and the guardian
  object permissions userena gives, so that userena's pages work for everyone and
  `manage.py check_permissions` has nothing to fix.
- A mugshot that came from Facebook goes when the person disconnects Facebook or Facebook
  asks for their data to be deleted, with the rest of Facebook's data.
- After `migrate`, the sites framework's Site (userena's emails take the domain and name
  from it) is set from SITE_DOMAIN and SITE_NAME.
"""

from django.conf import settings
from django.contrib.sites.models import Site
from django.db import router, transaction
from django.db.models.signals import post_save
from guardian.shortcuts import assign_perm
from userena.managers import ASSIGNED_PERMISSIONS
from userena.models import UserenaSignup

from django_facebook import signals as facebook_signals

from .models import Profile


def connect():
    post_save.connect(
        make_userena_account, sender=settings.AUTH_USER_MODEL, dispatch_uid="profiles.account"
    )
    facebook_data_gone = (
        facebook_signals.facebook_user_disconnected,
        facebook_signals.facebook_data_deleted,
    )
    for signal in facebook_data_gone:
        signal.connect(delete_facebook_mugshot, dispatch_uid="profiles.facebook_mugshot")


def make_userena_account(sender, instance, created, raw=False, using=None, **kwargs):
    """The profile, signup record and permissions of a new user (userena's create_user makes
    the same; getting them here first changes nothing there)."""
    if not created or raw or instance.get_username() == settings.ANONYMOUS_USER_NAME:
        return
    with transaction.atomic(using=using):
        profile, _ = Profile.objects.using(using).get_or_create(user=instance)
        for codename, _name in ASSIGNED_PERMISSIONS["profile"]:
            assign_perm(codename, instance, profile)
        for codename, _name in ASSIGNED_PERMISSIONS["user"]:
            assign_perm(codename, instance, instance)
        UserenaSignup.objects.db_manager(using).create_userena_profile(instance)


def delete_facebook_mugshot(sender, user, **kwargs):
    """Remove the mugshot that was fetched from Facebook; one the person uploaded stays."""
    profile = Profile.objects.filter(user=user).first()
    if profile is None or not profile.has_facebook_mugshot:
        return
    name, storage = profile.mugshot.name, profile.mugshot.storage
    profile.mugshot = ""
    profile.facebook_mugshot = ""
    profile.save(update_fields=["mugshot", "facebook_mugshot"])
    transaction.on_commit(lambda: storage.delete(name), robust=True)


def sync_site(sender, using="default", **kwargs):
    """Set the Site of SITE_ID to SITE_DOMAIN and SITE_NAME (post_migrate)."""
    if not router.allow_migrate_model(using, Site):
        return
    Site.objects.using(using).update_or_create(
        pk=settings.SITE_ID,
        defaults={"domain": settings.SITE_DOMAIN[:100], "name": settings.SITE_NAME[:50]},
    )
