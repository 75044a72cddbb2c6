"""The site's registration backend: the place to customise sign-up and what follows a login.

FACEBOOK_REGISTRATION_BACKEND points here. The base class makes each Facebook sign-up an
allauth account (allauth's adapter, Facebook's email as a verified address) and passes every
Facebook login through allauth's login stages (a second factor, an address to verify); the
password side is allauth's own pages, customised with allauth's settings and the site's
adapter (adapter.py). Override `post_connect` to choose where people go after each action
(a second factor then leads there), `post_connect_error` and `post_error` for failures,
`register` to do more when a user is made, `facebook_form_class` for other sign-up rules.
"""

from django_facebook.registration_backends import AllauthBackend

from .welcome import WelcomeNewUsers


class SiteRegistrationBackend(WelcomeNewUsers, AllauthBackend):
    """New users see the welcome page first (WelcomeNewUsers), unless the link gave a
    register_next. Add or override the backend's methods here."""
