"""The site's registration backend: the place to customise what happens after a login.

FACEBOOK_REGISTRATION_BACKEND points here. Override `post_connect` to choose where people
go after each action, `post_error` for failures, `register` to do more when a user is made.
"""

from django_facebook.registration_backends import FacebookRegistrationBackend

from .welcome import WelcomeNewUsers


class SiteRegistrationBackend(WelcomeNewUsers, FacebookRegistrationBackend):
    """New users see the welcome page first (WelcomeNewUsers), unless the link gave a
    register_next. Add or override the backend's methods here."""
