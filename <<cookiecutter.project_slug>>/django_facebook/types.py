"""The types the annotations of the library share.

`User` is the site's AUTH_USER_MODEL to the type checker (django-stubs resolves its `_User`
alias from the settings), so every user is checked against the site's model although the
library never imports it; at run time it is AbstractBaseUser, which every user model is.
`StrOrPromise` is a text a person reads: a string, or a lazy translation of one.
"""

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django.contrib.auth.models import _User as User
    from django_stubs_ext import StrOrPromise
else:
    from django.contrib.auth.base_user import AbstractBaseUser as User
    from django.utils.functional import Promise

    StrOrPromise = str | Promise

__all__ = ["AuthenticatedRequest", "StrOrPromise", "User"]


class AuthenticatedRequest(HttpRequest):
    """The request of a view behind login_required: its user is a User, never anonymous."""

    user: User  # narrower than HttpRequest's User | AnonymousUser
