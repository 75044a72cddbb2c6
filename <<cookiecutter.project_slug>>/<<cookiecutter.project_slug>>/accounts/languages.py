"""Each person's language: kept on their account, so it follows them to every device.

Django keeps a visitor's choice in the language cookie (LocaleMiddleware reads it before
Accept-Language). This module adds the account: the menu's view saves the choice on it too;
a login on another device puts it back in that device's cookie; a new account starts with
the language it signed up in; and emails render in the recipient's language, whenever they
are sent (`recipient_language`, django_facebook/languages.py).
"""

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from django_facebook.languages import supported_language

from .models import User

# The request attribute the login receiver leaves for the middleware: the account's language,
# to be set in the language cookie of the response.
ACCOUNT_LANGUAGE = "account_language"


@require_POST
def set_language(request: HttpRequest) -> HttpResponseBase:
    """Django's set_language (the cookie and the redirect back), and, for a logged-in person,
    the same choice saved on the account."""
    response = django_set_language(request)
    code = supported_language(request.POST.get("language"))
    if code and request.user.is_authenticated:
        User._default_manager.filter(pk=request.user.pk).update(language=code)
    return response


@receiver(user_logged_in, dispatch_uid="accounts.restore_language")
def restore_language(sender: type, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """At login: the account's language for this request and, through the middleware, for
    this device's cookie. An account without one takes the language this device chose."""
    if request is None:
        return
    code = supported_language(getattr(user, "language", ""))
    if code == supported_language(translation.get_language()):
        return  # this device shows that language already: no cookie needed
    if code:
        translation.activate(code)
        request.LANGUAGE_CODE = code
        setattr(request, ACCOUNT_LANGUAGE, code)
        return
    chosen = supported_language(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME))
    if chosen and isinstance(user, User):
        User._default_manager.filter(pk=user.pk).update(language=chosen)
        user.language = chosen


@receiver(pre_save, sender=User, dispatch_uid="accounts.language_of_new_account")
def language_of_new_account(sender: type, instance: User, **kwargs: Any) -> None:
    """A new account keeps the language it signed up in, for the emails sent to it later."""
    if instance._state.adding and not instance.language:
        instance.language = supported_language(translation.get_language()) or ""


class AccountLanguageMiddleware:
    """Sets the language cookie to the account's language on the response of a login."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        code = getattr(request, ACCOUNT_LANGUAGE, None)
        if code and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != code:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                code,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
