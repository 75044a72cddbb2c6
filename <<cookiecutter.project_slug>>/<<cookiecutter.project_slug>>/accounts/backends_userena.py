"""The site's registration backend: the place to customise sign-up and what follows a login.

FACEBOOK_REGISTRATION_BACKEND points here. The base class makes every new user a userena
account (its sign-up form and activation email for sign-ups by form; active at once, with
the Facebook picture as the mugshot, for sign-ups with Facebook). Override `post_connect`
to choose where people go after each action, `post_connect_error` and `post_error` for
failures, `register` to do more when a user is made, `form_class` and `facebook_form_class`
for other sign-up rules, `requires_activation` to decide who must activate by email,
`store_facebook_picture` or the `picture_*` limits for the mugshot.
"""

from django.http import HttpResponseRedirect
from django.urls import reverse

from django_facebook import redirects
from django_facebook.connect import CONNECT_ACTIONS
from django_facebook.registration_backends import UserenaBackend


class SiteRegistrationBackend(UserenaBackend):
    """New users see the welcome page first, unless the link gave a register_next.

    Django Facebook documents register_next for this; the welcome page then offers the way
    on to `next`, if the link had one. New users who must activate their account first go to
    userena's "check your email" page (the base class).
    """

    def post_connect(self, request, user, action):
        if action is not CONNECT_ACTIONS.REGISTER or request.user != user:
            return super().post_connect(request, user, action)
        welcome = reverse("accounts:welcome")
        then = redirects.next_url(request, ("next",), default=welcome)
        if then != welcome:
            welcome = redirects.add_query_parameters(welcome, {"next": then})
        return HttpResponseRedirect(
            redirects.next_url(request, ("register_next",), default=welcome)
        )
