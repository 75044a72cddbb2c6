"""The site's registration backend: the place to customise sign-up and what follows a login.

FACEBOOK_REGISTRATION_BACKEND points here. The base class runs django-registration's
activation workflow for sign-ups by form, and the connect flow's sign-ups with Facebook.
Override `post_connect` to choose where people go after each action, `post_connect_error`
and `post_error` for failures, `register` to do more when a user is made, `form_class` and
`facebook_form_class` for other sign-up rules, `requires_activation` to decide who must
activate by email.
"""

from django_facebook.registration_backends import DjangoRegistrationDefaultBackend

from .welcome import WelcomeNewUsers


class SiteRegistrationBackend(WelcomeNewUsers, DjangoRegistrationDefaultBackend):
    """New users see the welcome page first (WelcomeNewUsers), unless the link gave a
    register_next. Add or override the backend's methods here."""
