"""docs/connect-flow.md's example of views that need a Facebook permission, kept as a test
(tests/test_facebook_required.py runs them and checks that the page shows this code)."""

from django.http import HttpRequest, HttpResponse
from django.utils.translation import ngettext
from django.views import View

from django_facebook.decorators import (
    FacebookRequiredMixin,
    facebook_required,
    facebook_required_lazy,
)
from django_facebook.user_graph import get_persistent_graph


def friends_count(request: HttpRequest) -> HttpResponse:
    """How many of the person's Facebook friends use the site (/me/friends)."""
    answer = get_persistent_graph(request).get("me/friends")
    count = answer["summary"]["total_count"]
    message = ngettext(
        "%(count)d of your friends uses this site.",
        "%(count)d of your friends use this site.",
        count,
    )
    return HttpResponse(message % {"count": count})


# Checks the permissions kept from the last login first: no Graph call when one is missing.
friends = facebook_required(friends_count, scope=["user_friends"], error_next="/privacy/")
# Runs the view at once, and asks for the permission only when Facebook says it is missing.
friends_lazy = facebook_required_lazy(friends_count, scope=["user_friends"], error_next="privacy")


class FriendsView(FacebookRequiredMixin, View):
    facebook_scope = ["user_friends"]
    facebook_error_next = "privacy"

    def get(self, request: HttpRequest) -> HttpResponse:
        return friends_count(request)
