"""The site's password page, for the registration systems without one that fits: a person
who signed up with Facebook has no password, and Django's own change form asks for the
current one."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from django_facebook.types import AuthenticatedRequest


@sensitive_post_parameters()
@login_required
def password(request: AuthenticatedRequest) -> HttpResponse:
    """Set a first password (Facebook sign-ups have none) or change the current one."""
    user = request.user
    form_class = PasswordChangeForm if user.has_usable_password() else SetPasswordForm
    form = form_class(user, data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        form.save()
        update_session_auth_hash(request, user)
        messages.success(request, _("Your password is saved."))
        return redirect("accounts:profile")
    return render(
        request, "accounts/password.html", {"form": form, "first": form_class is SetPasswordForm}
    )
