"""`@facebook_required` and `@facebook_required_lazy`: views that need the person's Graph access.

Django Facebook's names and meaning, on today's Facebook Login (incremental authorization):

- a visitor not logged in, or a user not connected to Facebook, goes through the login
  dialog (login, connect or register, asking FACEBOOK_SCOPE and the view's permissions),
  then back to the view;
- a connected person lacking a permission the view needs is asked for just the missing ones,
  with auth_type=rerequest for those they declined before (without it, Facebook does not ask
  again), then back to the view;
- a person who refuses goes to `error_next` (the request's, else the decorator's, else
  FACEBOOK_LOGIN_DEFAULT_REDIRECT) with a message, never back to the view;
- when the view's own Graph calls (get_persistent_graph(request).get(...)) find the token
  expired or revoked (NewTokenRequired), or a permission removed on Facebook
  (GraphPermissionError), the person logs in again and comes back, once: the same refusal
  right after that login goes to error_next rather than around again; any other Graph
  failure the view does not handle itself (Facebook unreachable, rate limits) goes to
  error_next with its message, never to a 500.

Both check first that the person is connected with a usable token (one query, no Graph call).
The eager `facebook_required` also checks the permissions kept from the person's last login
before the view runs; `facebook_required_lazy` runs the view at once and acts on its Graph
errors only: the view, not the decorator, finds out what is missing. The
view makes its Graph calls itself, inside the view (not while a lazy response renders).
"""

import functools
import time
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.translation import gettext_lazy as _

from . import oauth, redirects
from .conf import setting
from .exceptions import FacebookError, GraphPermissionError, NewTokenRequired
from .types import StrOrPromise
from .user_graph import has_usable_token, kept_account, require_kept_tokens

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

# The session key of the path that just sent the person to Facebook after a Graph refusal
# (its token refused, or a permission), and when: one such round per refusal, not more.
RETRY_KEY = "_facebook_required_retry"
STILL_MISSING = _(
    "Facebook still does not give this site the permission that page needs. "
    "You can give it in your Facebook settings."
)


class FacebookRequired:
    """The check of one decorated view: the permissions it needs, where a refusal goes."""

    def __init__(
        self,
        scope: Sequence[str] | str | None = None,
        error_next: str | None = None,
        lazy: bool = False,
    ) -> None:
        self.scope = scope
        self.error_next = error_next
        self.lazy = lazy

    def required(self) -> list[str]:
        """The view's permissions: `scope` (a list or "a,b"), else FACEBOOK_SCOPE."""
        scope = setting("FACEBOOK_SCOPE") if self.scope is None else self.scope
        names = scope.split(",") if isinstance(scope, str) else scope
        return [name.strip() for name in names if name.strip()]

    def run(
        self, request: HttpRequest, view: Callable[..., HttpResponseBase], *args: Any, **kwargs: Any
    ) -> HttpResponseBase:
        """The view's response, or the redirect that gets what it lacks."""
        require_kept_tokens()
        required = self.required()
        account = kept_account(request.user, request)
        if account is None or not has_usable_token(account):
            return self.login(request, required)
        missing = [name for name in required if name not in account.scopes]
        if missing and not self.lazy:
            return self.login(request, required, scope=missing)
        try:
            response = view(request, *args, **kwargs)
        except (NewTokenRequired, GraphPermissionError) as error:
            if retried(request):
                # The login just made did not help (a token refused at once, a permission
                # granted yet refused): no second round, which could go on for ever.
                forget_retry(request)
                message = STILL_MISSING if isinstance(error, GraphPermissionError) else None
                return self.refuse(request, message or error.user_message)
            mark_retry(request)
            # A refused token needs a whole new login; a refused permission, only itself.
            scope = required if isinstance(error, GraphPermissionError) else None
            return self.login(request, required, scope=scope)
        except FacebookError as error:
            # Facebook unreachable, slow, rate-limiting, answering nonsense: the view cannot
            # be shown now; say why, as a failed login does, rather than fail with a 500.
            return self.refuse(request, error.user_message)
        forget_retry(request)
        return response

    def login(
        self, request: HttpRequest, required: list[str], *, scope: list[str] | None = None
    ) -> HttpResponseRedirect:
        """The dialog for `scope` (a whole login: FACEBOOK_SCOPE and `required`), coming
        back to this view. Always with auth_type=rerequest: a permission the person declined
        before is asked for again only so, and the site cannot know a visitor's past answers
        (for any other permission it changes nothing)."""
        if scope is None:
            scope = list(dict.fromkeys([*setting("FACEBOOK_SCOPE"), *required]))
        parameters = {**self.way_out(request), "next": request.get_full_path()}
        return oauth.login_redirect(
            request, parameters, scope=scope, rerequest=True, required=required
        )

    def refuse(self, request: HttpRequest, message: StrOrPromise) -> HttpResponseRedirect:
        """To error_next (else the default redirect) with `message`: the view cannot be shown."""
        messages.error(request, message)
        redirects.set_next_parameters(request, self.way_out(request))
        url = redirects.next_url(request, ("error_next",))
        return HttpResponseRedirect(redirects.add_query_parameters(url, {"fb_error_or_cancel": 1}))

    def way_out(self, request: HttpRequest) -> dict[str, str]:
        """Where a refusal goes: the request's safe `error_next`, else the decorator's (a
        URL, a path or a URL name); nothing else of the request's redirect parameters, so
        that a login started here comes back here."""
        url = redirects.safe_next_parameters(request).get("error_next")
        if url is None and self.error_next:
            url = resolve_url(self.error_next)
        return {"error_next": url} if url and redirects.is_safe_url(request, url) else {}


def retried(request: HttpRequest) -> bool:
    """Did this path just send the person to Facebook after a Graph refusal (mark_retry)?"""
    marker = request.session.get(RETRY_KEY)
    return (
        isinstance(marker, dict)
        and marker.get("path") == request.path
        and time.time() - marker.get("at", 0) <= setting("FACEBOOK_STATE_MAX_AGE")
    )


def mark_retry(request: HttpRequest) -> None:
    request.session[RETRY_KEY] = {"path": request.path, "at": int(time.time())}


def forget_retry(request: HttpRequest) -> None:
    """End the retry of mark_retry: the view was shown, or its login refused (views.py)."""
    if RETRY_KEY in request.session:
        del request.session[RETRY_KEY]


def facebook_required(
    view: View | None = None,
    *,
    scope: Sequence[str] | str | None = None,
    error_next: str | None = None,
    lazy: bool = False,
) -> Any:
    """Decorate a view that needs the person's Graph access and `scope`'s permissions
    (default FACEBOOK_SCOPE); bare (`@facebook_required`) or with arguments."""

    if view is not None and not callable(view):
        raise TypeError("facebook_required takes the permissions as scope=[...], not by position")

    def decorate(view: View) -> View:
        check = FacebookRequired(scope, error_next, lazy)

        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            return check.run(request, view, *args, **kwargs)

        return cast(View, wrapper)

    return decorate(view) if view is not None else decorate


def facebook_required_lazy(
    view: View | None = None,
    *,
    scope: Sequence[str] | str | None = None,
    error_next: str | None = None,
) -> Any:
    """facebook_required that runs the view first and acts only on its Graph errors."""
    return facebook_required(view, scope=scope, error_next=error_next, lazy=True)


class FacebookRequiredMixin:
    """facebook_required for a class-based view: list the permissions in `facebook_scope`."""

    facebook_scope: Sequence[str] | str | None = None
    facebook_error_next: str | None = None
    facebook_lazy = False

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        check = FacebookRequired(self.facebook_scope, self.facebook_error_next, self.facebook_lazy)
        return check.run(request, super().dispatch, *args, **kwargs)  # type: ignore[misc]
