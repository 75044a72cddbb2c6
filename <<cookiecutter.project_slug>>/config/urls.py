"""The site's URLs. The registration system chosen at generation decides the accounts URLs."""

from django.apps import apps
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

# A database out of reach gets the site's own 503 page, every other error the 500 page.
handler500 = "<< cookiecutter.project_slug >>.unavailable.server_error"

urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("privacy/", TemplateView.as_view(template_name="privacy.html"), name="privacy"),
    path("admin/", admin.site.urls),
    path("facebook/", include("django_facebook.urls")),
<%- if cookiecutter.registration_backend == "builtin" %>
    path("accounts/", include("django_facebook.auth_urls")),
<%- endif %>
<%- if cookiecutter.registration_backend == "django-registration" %>
    path("accounts/", include("django_facebook.django_registration_urls")),
<%- endif %>
    path("accounts/", include("<< cookiecutter.project_slug >>.accounts.urls")),
<%- if cookiecutter.registration_backend == "userena" %>
    # After the site's account pages: userena's profiles are /accounts/<username>/.
    path("accounts/", include("<< cookiecutter.project_slug >>.profiles.urls")),
<%- endif %>
]

if apps.is_installed("fakebook"):
    urlpatterns += [path("fakebook/", include("fakebook.urls"))]
