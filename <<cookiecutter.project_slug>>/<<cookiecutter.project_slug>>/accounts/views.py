"""The signed-in person's pages: their account and the welcome page."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render

from django_facebook import redirects
from django_facebook.models import FacebookAccount
from django_facebook.types import AuthenticatedRequest


@login_required
def profile(request: AuthenticatedRequest) -> HttpResponse:
    """The account page: who you are, your Facebook link, connect or disconnect."""
    account = FacebookAccount.objects.filter(user=request.user).first()
    return render(request, "accounts/profile.html", {"facebook_account": account})


@login_required
def welcome(request: AuthenticatedRequest) -> HttpResponse:
    """The introduction page new users land on (the backend's register redirect)."""
    then = redirects.next_url(request, ("next",), default="/")
    return render(request, "accounts/welcome.html", {"then": then})
