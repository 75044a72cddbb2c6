"""The site's URLconf with the views of tests/facebook_required_example.py added."""

from django.urls import path

from config.urls import urlpatterns as site_urlpatterns

from .facebook_required_example import FriendsView, friends, friends_lazy

urlpatterns = [
    path("friends/", friends, name="friends"),
    path("friends-lazy/", friends_lazy, name="friends_lazy"),
    path("friends-view/", FriendsView.as_view(), name="friends_view"),
    *site_urlpatterns,
]
