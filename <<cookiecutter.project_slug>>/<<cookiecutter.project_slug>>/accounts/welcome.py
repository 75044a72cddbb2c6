"""New users see the site's welcome page first: Django Facebook's documented use of
register_next, as a mixin for the site's registration backend."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

from django_facebook import redirects
from django_facebook.connect import CONNECT_ACTIONS
from django_facebook.registration_backends import NooptRegistrationBackend
from django_facebook.types import User


class WelcomeNewUsers(NooptRegistrationBackend):
    """After a registration, go to `register_next` if the link gave one, else to the
    welcome page, which offers the way on to `next` (also once past a step of the login,
    such as allauth's verification link).

    A new user who must activate the account first is inactive: the registration backend's
    own page (check your email) applies.
    """

    def post_connect(
        self, request: HttpRequest, user: User, action: CONNECT_ACTIONS
    ) -> HttpResponse:
        if action is not CONNECT_ACTIONS.REGISTER or not user.is_active:
            return super().post_connect(request, user, action)
        welcome = reverse("accounts:welcome")
        then = redirects.next_url(request, ("next",), default=welcome)
        if then != welcome:
            welcome = redirects.add_query_parameters(welcome, {"next": then})
        return HttpResponseRedirect(
            redirects.next_url(request, ("register_next",), default=welcome)
        )
