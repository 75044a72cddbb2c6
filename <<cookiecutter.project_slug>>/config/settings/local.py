"""Settings for the development server (`make run`).

Facebook is played by the offline stand-in (the `fakebook` app) unless a real app secret is
set in the environment or .env; then the login goes to the real Facebook.
"""

from .base import *
from .base import FACEBOOK_APP_ID, FACEBOOK_APP_SECRET, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-local-development-only")

if not FACEBOOK_APP_SECRET:
    INSTALLED_APPS += ["fakebook"]
    FACEBOOK_APP_ID = FACEBOOK_APP_ID or "100000000000001"
    FACEBOOK_APP_SECRET = "fakebook-local-app-secret"  # noqa: S105 (the stand-in's own)
    # A path: the stand-in served by this site, at the host and port of each request, so
    # `make run PORT=N` needs nothing more. A full URL points at a stand-in served elsewhere.
    FAKEBOOK_URL = env("FAKEBOOK_URL", default="/fakebook").rstrip("/")
    FACEBOOK_WWW_URL = f"{FAKEBOOK_URL}/www"
    FACEBOOK_GRAPH_URL = f"{FAKEBOOK_URL}/graph"
    FACEBOOK_JWKS_URL = f"{FAKEBOOK_URL}/limited/.well-known/oauth/openid/jwks/"
    FACEBOOK_STAND_IN_PATH = "/fakebook/"

# Serve static files from the apps' folders; no collectstatic in development.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
<%- if cookiecutter.registration_backend == "userena" %>

# userena's emails (printed on the console) link to the development server, on the port
# `tasks.py run --port` (`make run PORT=`) serves.
SITE_DOMAIN = env(
    "DJANGO_SITE_DOMAIN", default=f"127.0.0.1:{env('DJANGO_RUNSERVER_PORT', default='8000')}"
)
<%- endif %>
