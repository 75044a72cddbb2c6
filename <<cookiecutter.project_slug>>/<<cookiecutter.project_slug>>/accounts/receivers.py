"""Say "You have been logged out." after every logout, whichever view did it.

Django's LogoutView (the builtin and django-registration systems) says nothing; userena's
sign-out said "You have been signed out." One receiver of Django's `user_logged_out` gives
every registration system the same confirmation. The message is stored before the session
is flushed and survives it (messages live in the request until the response is sent).
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.signals import user_logged_out
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _

from django_facebook.types import User


@receiver(user_logged_out, dispatch_uid="accounts.say_logged_out")
def say_logged_out(
    sender: type, request: HttpRequest | None, user: User | None, **kwargs: Any
) -> None:
    if request is not None and user is not None:
        messages.success(request, _("You have been logged out."), fail_silently=True)
