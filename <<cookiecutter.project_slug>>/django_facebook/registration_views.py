"""Manual sign-up through the registration backend (Django Facebook's `register` view)."""

from django.contrib import auth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from .actions import CONNECT_ACTIONS
from .connect import LOGIN_BACKEND
from .registration_backends import get_registration_backend


@sensitive_post_parameters("password1", "password2")
@never_cache
@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Sign up with username, email and password; then the backend's REGISTER redirect."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    backend = get_registration_backend()
    if not backend.registration_allowed(request):
        return render(request, "registration/registration_closed.html", status=403)
    form_class = backend.get_form_class(request)
    form = form_class(data=request.POST if request.method == "POST" else None)
    if form.is_valid():
        user = backend.register(request, form=form)
        if user.is_active:
            auth.login(request, user, backend=LOGIN_BACKEND)
        return backend.post_connect(request, user, CONNECT_ACTIONS.REGISTER)
    # A POST whose data did not pass answers 400 Bad Request, with the form and its errors.
    status = 400 if form.is_bound else 200
    return render(request, backend.get_registration_template(), {"form": form}, status=status)
