"""The site's URLs. The registration system chosen at generation decides the accounts URLs."""

<% if cookiecutter.registration_backend == "allauth" -%>
from allauth.account.decorators import secure_admin_login
<% endif -%>
from django.apps import apps
from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from << cookiecutter.project_slug >>.accounts.languages import set_language

# A database out of reach gets the site's own 503 page, every other error the 500 page.
handler500 = "<< cookiecutter.project_slug >>.unavailable.server_error"

<% if cookiecutter.registration_backend == "allauth" -%>
# The admin's login is allauth's: its rate limits and second factor for staff too. (Before
# admin.site.urls is read below: its patterns take the login view as it is then.)
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

<% endif -%>
urlpatterns = [
    path("", TemplateView.as_view(template_name="home.html"), name="home"),
    path("privacy/", TemplateView.as_view(template_name="privacy.html"), name="privacy"),
    path("admin/", admin.site.urls),
    # The language menu's form posts here: Django's set_language, which also saves the choice
    # on a logged-in person's account; the other URLs of django.conf.urls.i18n.
    path("i18n/setlang/", set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
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
<%- if cookiecutter.registration_backend == "allauth" %>
    path("accounts/", include("django_facebook.allauth_urls")),
<%- endif %>
]

if apps.is_installed("fakebook"):
    urlpatterns += [path("fakebook/", include("fakebook.urls"))]
