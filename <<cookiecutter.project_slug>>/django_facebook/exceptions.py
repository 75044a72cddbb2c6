"""The ways a Facebook login can fail, as exception classes.

Graph API errors are told apart by the JSON `code` and `error_subcode` of Facebook's error
body, never by the HTTP status (Facebook's error docs). Each class carries a sentence the
person can read; the technical details go to the log, never to the page.
"""

from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.forms import BaseForm


class FacebookError(Exception):
    """Anything that keeps a Facebook login from completing."""

    user_message = _("Facebook login failed. Please try again.")


class FacebookUnreachable(FacebookError):
    """Facebook did not answer: a timeout, a refused or dropped connection."""

    user_message = _("Facebook could not be reached. Please try again in a moment.")


class FacebookBusy(FacebookUnreachable):
    """Every Graph API slot of this process is taken: Facebook answers slowly."""

    user_message = _("Facebook is slow right now. Please try again in a moment.")


class MalformedResponse(FacebookError):
    """Facebook answered with something that is not the JSON we expect."""

    user_message = _("Facebook sent an answer we could not read. Please try again.")


class GraphError(FacebookError):
    """An error body from the Graph API: {"error": {"message", "type", "code", ...}}."""

    codes: tuple[int, ...] = ()

    def __init__(
        self,
        message: str = "",
        *,
        code: int | None = None,
        subcode: int | None = None,
        error_type: str = "",
        fbtrace_id: str = "",
    ) -> None:
        super().__init__(message)
        self.code = code
        self.subcode = subcode
        self.error_type = error_type
        self.fbtrace_id = fbtrace_id


class TransientError(GraphError):
    """Facebook's own failure (codes 1, 2, HTTP 5xx): worth trying again later."""

    codes = (1, 2)
    user_message = _("Facebook had a temporary problem. Please try again.")


class OAuthError(GraphError):
    """The token is expired, revoked or invalid (codes 102, 190 and their subcodes)."""

    codes = (102, 190)
    user_message = _("Your Facebook session expired or was revoked. Please log in again.")


class RateLimitError(GraphError):
    """The app or the person made too many calls (codes 4, 17, 32, 613, 80000-80014)."""

    codes = (4, 17, 32, 613, *range(80000, 80015))
    user_message = _("Facebook is busy right now. Please try again in a few minutes.")


class GraphPermissionError(GraphError):
    """A permission was not granted or was removed (codes 10, 200-299)."""

    codes = (10, *range(200, 300))
    user_message = _("Facebook did not grant the permissions this site needs.")


class InvalidCodeError(GraphError):
    """The authorization code was refused: used already, expired, or for another redirect."""

    codes = (100,)
    user_message = _("That Facebook login link was used already or has expired. Please try again.")


ERROR_CLASSES = (TransientError, OAuthError, RateLimitError, GraphPermissionError)


def graph_error_class(
    code: object, error_type: object = "", *, exchanging_code: bool = False
) -> type[GraphError]:
    """Pick the most specific exception class for a Graph error code.

    Code 100 ("invalid parameter") means a refused authorization code only during the code
    exchange; elsewhere it is a plain GraphError.
    """
    for cls in ERROR_CLASSES:
        if code in cls.codes:
            return cls
    if code == 100 and exchanging_code:
        return InvalidCodeError
    if code is None and error_type == "OAuthException":
        return OAuthError
    return GraphError


class NewTokenRequired(FacebookError):
    """The person's Graph access is gone: no token kept, or Facebook said it expired or was
    revoked (graph_for() has then erased it). A new Facebook login gets a new one;
    @facebook_required views start it themselves."""

    user_message = _("Please log in with Facebook again to continue.")


class ConnectError(Exception):
    """Facebook said who the person is, but the login cannot go on; `user_message` says why."""

    user_message = _("Facebook login failed. Please try again.")


class AlreadyConnectedError(ConnectError):
    """The Facebook profile belongs to another user, or this user has another one."""

    user_message = _(
        "This Facebook profile is connected to another account, or your account is "
        "connected to another Facebook profile. Disconnect it there first."
    )


class EmailInUseError(ConnectError):
    """Facebook's email is that of an existing account: never linked silently (takeover)."""

    user_message = _(
        "An account with the email address of your Facebook profile exists already. "
        "Log in to that account, then connect Facebook from your account page."
    )


class RegistrationClosedError(ConnectError):
    """The registration backend does not accept new users now."""

    user_message = _("Registration is closed, so no new account can be made with Facebook.")


class InactiveUserError(ConnectError):
    """The linked user is not active (disabled, or not activated yet)."""

    user_message = _("This account is not active, so it cannot log in.")


class SecondFactorRequiredError(ConnectError):
    """The account asks for a second factor at every login, which an app login cannot ask
    for: the person logs in on the website (allauth.mfa)."""

    user_message = _(
        "Your account asks for a code from your authenticator app when you log in. "
        "Log in on our website to enter it."
    )


class IncompleteProfileError(ConnectError):
    """Facebook's data does not pass the registration form; the person completes it."""

    user_message = _("Please complete your account.")

    def __init__(self, form: "BaseForm") -> None:
        super().__init__("registration form invalid")
        self.form = form


class AppTokenError(FacebookError):
    """A token an app sent does not prove who the person is, for this app (docs/apps.md)."""

    user_message = _("That Facebook login is not valid here. Please log in with Facebook again.")


class TokenSubstitutionError(AppTokenError):
    """A token issued to another app, or describing another person than /me does."""

    user_message = _("That Facebook login was not made for this site.")


class InvalidNonceError(AppTokenError):
    """The ID token's nonce is not one this site issued, or it expired or was used."""

    user_message = _("That login attempt expired or was used already. Please try again.")
