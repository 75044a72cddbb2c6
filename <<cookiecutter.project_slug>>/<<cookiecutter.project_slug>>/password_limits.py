"""Rate limits on the password side: logins, sign-ups, password resets, activation resends
and (userena) email changes, in every registration system.

The three systems share Django's URL names for these views (login, registration_register,
password_reset; userena adds its own), so one middleware guards them all, before the view
runs, on the counters of the app throttles (django_facebook.throttle) and with the client
address taken the same way (django_facebook.client_address: behind the trusted proxies,
never from what the client wrote). Limits are PASSWORD_RATE_LIMITS: for each scope a list of
(count, seconds) windows, the first one full refusing until it ends.

- **Failed logins** count per account and per client address (Django's user_login_failed,
  whatever form sent them); a login is refused while either is full, with a 429 page and
  Retry-After. The short window slows a guesser down, the long one stops them for a while;
  neither outlasts its window, so an attacker can keep an account's owner out for minutes,
  never for good. A successful login clears its account's count.
- **Sign-ups, resets, resends, email changes** count every request per address; sign-ups
  and resets also per email address (a flood of activation or reset mails to one person).
  Past the reset's, it answers exactly as a sent reset does (the "check your email" page)
  without sending: whether the account exists is never told.

Every refusal is logged as a security event with the scope and a digest of the identity,
never the email, the username or the password. With Redis out of reach the counters are each
process's own (shared_cache.py): the limits then hold per process, neither open nor closed.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.utils.translation import ngettext

from django_facebook import throttle
from django_facebook.client_address import client_address

from .request_id import current_request

logger = logging.getLogger("security.password_limits")

LOGIN_VIEWS = {"login", "userena_signin"}
# The views whose every request counts, by URL name: (scope per address, scope per email;
# for userena's resend, per activation key: the one account it mails).
COUNTED_VIEWS = {
    "registration_register": ("signup_per_address", "signup_per_email"),
    "userena_signup": ("signup_per_address", "signup_per_email"),
    "password_reset": ("reset_per_address", "reset_per_email"),
    "userena_password_reset": ("reset_per_address", "reset_per_email"),
    "userena_activate_retry": ("activation_resend_per_address", "activation_resend_per_key"),
    "userena_email_change": ("email_change_per_address", None),
}
# The per-email scopes past which the answer is the one of a request that went through, with
# no email sent: a refusal there would tell whether the account exists.
SILENT = {"reset_per_email": "password_reset_done"}
# The views counted whatever the method: userena sends a new activation email on a GET.
ANY_METHOD = {"userena_activate_retry"}
# The login forms' account fields: Django's and django-registration's, userena's.
ACCOUNT_FIELDS = ("username", "identification", "email")


def digest(identity):
    """What the log says of an identity: enough to follow one attacker, nothing readable."""
    return hashlib.sha256(str(identity).encode()).hexdigest()[:12]


def limits(scope):
    return settings.PASSWORD_RATE_LIMITS.get(scope, ())


def account_of(credentials):
    """The account a login names, the same however it is typed."""
    for field in ACCOUNT_FIELDS:
        value = credentials.get(field)
        if isinstance(value, str) and value.strip():
            return value.strip().casefold()
    return None


def full_window(scope, identity):
    """Count the request in every window of the scope; the first window it overfills, or
    None."""
    for limit, window in limits(scope):
        if throttle.hit(scope, identity, window) > limit:
            return window
    return None


def refused(request, scope, identity, window):
    wait = throttle.seconds_left(window)
    logger.warning(
        "Password limit reached: %s, identity %s; refused for %s s",
        scope,
        digest(identity),
        wait,
    )
    minutes = max(1, round(wait / 60))
    message = ngettext(
        "Too many attempts. Please try again in %(minutes)d minute.",
        "Too many attempts. Please try again in %(minutes)d minutes.",
        minutes,
    ) % {"minutes": minutes}
    response = render(request, "429.html", {"message": message}, status=429)
    response["Retry-After"] = str(wait)
    return response


class PasswordLimitsMiddleware:
    """Refuses the guarded views' requests past their limits (after CSRF's check, so that
    a forged request is never counted against someone)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view, args, kwargs):
        name = request.resolver_match.url_name if request.resolver_match else None
        if name in LOGIN_VIEWS and request.method == "POST":
            return self._login(request)
        if name in COUNTED_VIEWS and (request.method == "POST" or name in ANY_METHOD):
            return self._counted(request, name, kwargs)
        return None

    def _login(self, request):
        """Refused while any window of its address or its account is full of failures
        (counted by count_failed_login), read in one call to the cache."""
        address, account = client_address(request), account_of(request.POST)
        windows = [
            (scope, identity, limit, window)
            for scope, identity in (
                ("login_failures_per_address", address),
                ("login_failures_per_account", account),
            )
            if identity is not None
            for limit, window in limits(scope)
        ]
        seen = throttle.counts([(scope, who, window) for scope, who, _, window in windows])
        for (scope, identity, limit, window), failures in zip(windows, seen, strict=True):
            if failures >= limit:
                return refused(request, scope, identity, window)
        return None

    def _counted(self, request, name, kwargs):
        per_address, per_email = COUNTED_VIEWS[name]
        address = client_address(request)
        if window := full_window(per_address, address):
            return refused(request, per_address, address, window)
        # Whom the request would mail: the email it names, or (resend) the sign-up's key.
        mailed = kwargs.get("activation_key") or request.POST.get("email", "").strip().casefold()
        if not (per_email and mailed and (window := full_window(per_email, mailed))):
            return None
        if per_email not in SILENT:
            return refused(request, per_email, mailed, window)
        logger.warning(
            "Password limit reached: %s, identity %s; not sent", per_email, digest(mailed)
        )
        # The page a sent reset lands on (userena's has this name too).
        return redirect(SILENT[per_email])


@receiver(user_login_failed, dispatch_uid="password_limits_failed")
def count_failed_login(sender, credentials, request=None, **kwargs):
    """Count a failed password login against its account and its address."""
    account = account_of(credentials)
    # userena's sign-in form authenticates without the request: the one being served.
    request = request if request is not None else current_request.get()
    address = client_address(request) if request is not None else None
    logger.info(
        "Password login failed: account %s, address %s",
        digest(account) if account else "-",
        digest(address) if address else "-",
    )
    for scope, identity in (
        ("login_failures_per_account", account),
        ("login_failures_per_address", address),
    ):
        if identity:
            for _limit, window in limits(scope):
                throttle.hit(scope, identity, window)


@receiver(user_logged_in, dispatch_uid="password_limits_logged_in")
def clear_account_failures(sender, request, user, **kwargs):
    """The owner got in with their password: the failures against their account are over,
    by either name. Other logins (Facebook's) cost no call to the cache."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name not in LOGIN_VIEWS:
        return
    accounts = {user.get_username().casefold(), (user.email or "").casefold()} - {""}
    windows = [window for _limit, window in limits("login_failures_per_account")]
    throttle.forget("login_failures_per_account", accounts, windows)
