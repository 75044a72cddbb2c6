"""Authentication backends: userena's sign-in by username or email, guardian's object
permissions, each with the check the site needs."""

from django.contrib.auth.backends import ModelBackend
from guardian.backends import ObjectPermissionBackend as GuardianObjectPermissionBackend
from userena.backends import UserenaAuthenticationBackend as BaseUserenaAuthenticationBackend


class UserenaAuthenticationBackend(BaseUserenaAuthenticationBackend):
    """Sign in with a username or an email address (userena's backend).

    userena's `get_user` skips Django's `is_active` check, so a session would outlive the
    deactivation of its user; Django's own `get_user` is used instead. `authenticate` still
    returns an inactive user, so userena's sign-in can say "activation pending".
    """

    get_user = ModelBackend.get_user


class ObjectPermissionBackend(GuardianObjectPermissionBackend):
    """django-guardian's object permissions for signed-in people; none for visitors.

    Guardian answers for a visitor with the permissions of a database user named
    ANONYMOUS_USER_NAME, which this site does not create (see apps.py).
    """

    def has_perm(self, user_obj, perm, obj=None):
        if not user_obj.is_authenticated:
            return False
        return super().has_perm(user_obj, perm, obj)

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_authenticated:
            return set()
        return super().get_all_permissions(user_obj, obj)

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_authenticated:
            return set()
        return super().get_group_permissions(user_obj, obj)
