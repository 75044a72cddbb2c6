"""What a Facebook identity comes to, once for both sides: the web views (views.py) and the
app endpoints (app_views.py) ask `connect()` and translate its outcome, into a redirect or a
page on one side and a JSON answer on the other.

- Connected(action, user): logged in, connected or registered (connect.py decided which);
- Incomplete(form): Facebook's data did not pass the registration form, and the sign-up is
  kept (pending.py) until the person completes it;
- Refused(error): a ConnectError (registration closed, the email belongs to an account,
  already connected elsewhere, an inactive user...), whose `user_message` says why.

Any outcome but Incomplete ends the session's pending sign-up: a completion (`data`, the
form's fields) that connected or was refused, and a new login that went through (the person
shared with Facebook what was missing after all). A completion that still does not pass
keeps it for another try.
"""

import logging
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.forms import BaseForm
from django.http import HttpRequest
from django.views.decorators.debug import sensitive_variables

from . import pending
from .actions import CONNECT_ACTIONS
from .connect import connect_user, register_user
from .exceptions import ConnectError, IncompleteProfileError
from .graph import AccessToken
from .profile import FacebookProfile
from .types import User

if TYPE_CHECKING:
    from .registration_backends.base import NooptRegistrationBackend

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Connected:
    action: CONNECT_ACTIONS
    user: User


@dataclass(frozen=True)
class Incomplete:
    form: BaseForm


@dataclass(frozen=True)
class Refused:
    error: ConnectError


@sensitive_variables("token", "data")
def connect(
    request: HttpRequest,
    backend: "NooptRegistrationBackend",
    profile: FacebookProfile,
    token: AccessToken,
    data: Mapping[str, Any] | None = None,
    declined: Collection[str] = (),
    required: Collection[str] = (),
) -> Connected | Incomplete | Refused:
    """Log in, connect or register for `profile` (with `data`: complete its pending sign-up
    with the form's fields); the outcome. `declined`: the permissions the person declined in
    the dialog, and `required`: those of the @facebook_required view that started the login,
    kept with a sign-up that waits."""
    try:
        if data is None:
            action, user = connect_user(request, profile, token, backend=backend)
        else:
            action, user = register_user(request, backend, profile, token, data=data)
    except IncompleteProfileError as error:
        if data is None:
            pending.save(request, profile, token, error.form, declined, required)
        return Incomplete(error.form)
    except ConnectError as error:
        logger.info("Facebook login refused: %s", type(error).__name__)
        outcome: Connected | Refused = Refused(error)
    else:
        outcome = Connected(action, user)
    # A sign-up completed, refused, or made moot by a login that went through (the person
    # shared what was missing after all) is over.
    pending.forget(request)
    return outcome
