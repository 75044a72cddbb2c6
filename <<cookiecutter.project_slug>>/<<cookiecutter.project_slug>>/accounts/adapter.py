"""The site's allauth adapter (ACCOUNT_ADAPTER): allauth's, with the site's rules where the two
would otherwise differ.

- The client address that allauth's rate limits count by is the site's
  (django_facebook.client_address: REMOTE_ADDR, or X-Forwarded-For behind TRUSTED_PROXIES
  only), so the password side and the app endpoints count the same address.
- A failed login counts against the account whatever Host header it came with: allauth
  keys it by the current site's domain, which without the sites framework is the request's
  host, port and all, so each port would get an account's 5 failures anew.
- Sign-ups close with REGISTRATION_OPEN = False, Facebook's and allauth's alike.
- Every email is written in its recipient's language (the language on their account),
  whoever's request sends it, and names the site by SITE_NAME (without the sites framework
  allauth would name it by the request's host).
- A password set or changed on allauth's pages takes the person back to their account page,
  as the site's other systems do.
- A login or a logout is not announced in a message: the header says who is logged in, and
  the site's own logout message says the rest (accounts/receivers.py), as in the site's other
  registration systems.
"""

from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core import context as allauth_context
from django.conf import settings
from django.contrib.sites.requests import RequestSite
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.urls import reverse

from django_facebook.client_address import client_address
from django_facebook.languages import recipient_language
from django_facebook.registration_backends.allauth import user_with_email

# allauth's messages the site does not show.
UNSHOWN_MESSAGES = {"account/messages/logged_in.txt", "account/messages/logged_out.txt"}


class SiteAccountAdapter(DefaultAccountAdapter):
    def get_client_ip(self, request: HttpRequest) -> str:
        address = client_address(request)
        if not address:
            raise PermissionDenied("Unable to determine client IP address")
        return address

    def _get_login_attempts_cache_key(self, request: HttpRequest, **credentials: Any) -> str:
        # allauth's own key with the site's one domain for the request's host (allauth_cache.py
        # checks at start-up that allauth still has this method).
        login = credentials.get("email", credentials.get("username", ""))
        return f"{settings.DOMAIN_NAME}:{str(login).lower()}"

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return getattr(settings, "REGISTRATION_OPEN", True)

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        return reverse("accounts:profile")

    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        site = RequestSite(allauth_context.request)
        site.name = settings.SITE_NAME
        recipient = context.get("user") or user_with_email(email)
        with recipient_language(recipient):
            super().send_mail(template_prefix, email, {"current_site": site, **context})

    def add_message(
        self,
        request: HttpRequest,
        level: int,
        message_template: str | None = None,
        message_context: dict[str, Any] | None = None,
        extra_tags: str = "",
        message: str | None = None,
    ) -> None:
        if message_template in UNSHOWN_MESSAGES:
            return
        super().add_message(request, level, message_template, message_context, extra_tags, message)
