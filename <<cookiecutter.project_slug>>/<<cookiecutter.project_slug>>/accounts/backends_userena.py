"""The site's registration backend: the place to customise sign-up and what follows a login.

FACEBOOK_REGISTRATION_BACKEND points here. The base class makes every new user a userena
account (its sign-up form and activation email for sign-ups by form; active at once, with
the Facebook picture as the mugshot, for sign-ups with Facebook). Override `post_connect`
to choose where people go after each action, `post_connect_error` and `post_error` for
failures, `register` to do more when a user is made, `form_class` and `facebook_form_class`
for other sign-up rules, `requires_activation` to decide who must activate by email,
`store_facebook_picture` or the `picture_*` limits for the mugshot.
"""

from django_facebook.registration_backends import UserenaBackend

from .welcome import WelcomeNewUsers


class SiteRegistrationBackend(WelcomeNewUsers, UserenaBackend):
    """New users see the welcome page first (WelcomeNewUsers), unless the link gave a
    register_next. Add or override the backend's methods here."""
