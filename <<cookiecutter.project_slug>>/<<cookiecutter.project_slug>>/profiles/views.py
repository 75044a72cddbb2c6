"""userena's pages, run the way this site needs them on Django 5.2.

userena's own views do the work; these wrappers change what they must:

- signup: through the registration backend, as the connect flow registers (userena's form,
  its create_user and activation email; userena's and Django Facebook's signals);
- signin: the `next` parameter only when it is a safe URL on this site (userena follows any
  value, an open redirect), Django's field names in the form;
- signout: POST only (Django 5's LogoutView); the site's "logged out" message, and userena's
  account_signout signal with the user who signed out (userena sends AnonymousUser);
- password change: a first password for Facebook sign-ups, who have none to give as the
  old one, and the session kept (userena's view logged people out on Django >= 1.7);
- edit, email and password pages: anonymous visitors are sent to sign in (not a 403), and
  userena's profile_change and email_change signals are sent (userena sends them only when
  a success_url is given);
- the mugshot: served through the profile's privacy setting;
- password reset: the email in the language of the recipient's account, whoever asks for it.
"""

import mimetypes
from functools import partial

from django.contrib import auth
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.views import LogoutView, PasswordResetView
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods
from userena import settings as userena_settings
from userena import signals as userena_signals
from userena import views as userena_views
from userena.decorators import secure_required
from userena.utils import get_user_profile
from userena.utils import signin_redirect as userena_signin_redirect

from django_facebook import redirects
from django_facebook.connect import CONNECT_ACTIONS, LOGIN_BACKEND
from django_facebook.forms import PasswordResetForm
from django_facebook.registration_backends import get_registration_backend

from .forms import ChangeEmailForm, EditProfileForm, SigninForm

User = auth.get_user_model()
MUGSHOT_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


@secure_required
@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def signup(request):
    """Sign up by form; then the backend's REGISTER redirect (userena's "check your email"
    page while the account waits for activation)."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    backend = get_registration_backend()
    if not backend.registration_allowed(request):
        raise PermissionDenied
    form_class = backend.get_form_class(request)
    form = form_class(request.POST, request.FILES) if request.method == "POST" else form_class()
    if form.is_valid():
        with transaction.atomic():
            user = backend.register(request, form=form)
        if user.is_active and userena_settings.USERENA_SIGNIN_AFTER_SIGNUP:
            auth.login(request, user, backend=LOGIN_BACKEND)
        return backend.post_connect(request, user, CONNECT_ACTIONS.REGISTER)
    return render(request, backend.get_registration_template(), {"form": form})


def safe_signin_redirect(request, redirect_to, user):
    """`next` when it is a safe URL on this site, else USERENA_SIGNIN_REDIRECT_URL."""
    if redirect_to and redirects.is_safe_url(request, redirect_to):
        return redirect_to
    return userena_signin_redirect(None, user)


@sensitive_post_parameters("password")
@never_cache
@require_http_methods(["GET", "POST"])
def signin(request):
    """userena's sign-in by username or email, with a safe `next`."""
    return userena_views.signin(
        request,
        auth_form=SigninForm,
        redirect_signin_function=partial(safe_signin_redirect, request),
    )


class SignoutView(userena_views.SignoutView):
    """userena's sign-out, by POST (a GET answers 405, as Django's LogoutView)."""

    @method_decorator(secure_required)
    def dispatch(self, request, *args, **kwargs):
        # Django's LogoutView.dispatch; userena's sends its signal after the logout.
        return LogoutView.dispatch(self, request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        user = request.user
        response = super().post(request, *args, **kwargs)
        if user.is_authenticated:
            # The "logged out" message is the site's, for every system (accounts/receivers.py).
            userena_signals.account_signout.send(sender=None, user=user)
        return response


@secure_required
@sensitive_post_parameters()
@login_required
def password_change(request, username):
    """userena's password change; a first password when there is none to give as the old."""
    user = get_object_or_404(User, username__iexact=username)
    form_class = PasswordChangeForm if user.has_usable_password() else SetPasswordForm
    response = userena_views.password_change(request, username=username, pass_form=form_class)
    if request.method == "POST" and response.status_code == 302 and user == request.user:
        # The new password changed the session's hash: keep the person logged in.
        auth.update_session_auth_hash(request, User.objects.get(pk=user.pk))
    return response


# userena's password reset, with the form that writes each email in its recipient's language.
password_reset = PasswordResetView.as_view(
    form_class=PasswordResetForm,
    template_name="userena/password_reset_form.html",
    email_template_name="userena/emails/password_reset_message.txt",
    extra_context={"without_usernames": userena_settings.USERENA_WITHOUT_USERNAMES},
    success_url=reverse_lazy("userena_password_reset_done"),
)


@login_required
def password_change_redirect(request):
    """Django's `password_change` URL name: the signed-in person's userena page."""
    return redirect("userena_password_change", username=request.user.get_username())


@login_required
def email_change(request, username):
    """userena's email change (a confirmation link to the new address)."""
    done = reverse("userena_email_change_complete", kwargs={"username": username})
    return userena_views.email_change(
        request, username=username, email_form=ChangeEmailForm, success_url=done
    )


@login_required
def profile_edit(request, username):
    """userena's profile form: names, mugshot, privacy, and the profile's own fields."""
    done = reverse("userena_profile_detail", kwargs={"username": username})
    # guardian's permission check reads `username` from the keyword arguments.
    return userena_views.profile_edit(
        request, username=username, edit_profile_form=EditProfileForm, success_url=done
    )


@require_GET
def mugshot(request, username):
    """The mugshot file, to whoever may see the profile (404 to anyone else)."""
    user = get_object_or_404(User, username__iexact=username)
    profile = get_user_profile(user=user)
    if not profile.mugshot or not profile.can_view_profile(request.user):
        raise Http404
    content_type, _encoding = mimetypes.guess_type(profile.mugshot.name)
    if content_type not in MUGSHOT_TYPES:
        raise Http404
    response = FileResponse(profile.mugshot.open("rb"), content_type=content_type)
    # Private: whether it may be seen depends on who asks.
    response["Cache-Control"] = "private, max-age=3600"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
