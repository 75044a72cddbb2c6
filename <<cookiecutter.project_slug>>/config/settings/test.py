"""Settings for the test suite: the stand-in plays Facebook, fast password hashing.

SQLite by default; set DATABASE_URL (and REDIS_URL) to run the same tests on PostgreSQL
and Redis.
"""

import hashlib
import os
import secrets
import sys

from .base import *
from .base import env

SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-test-only")
DEBUG = False

INSTALLED_APPS += ["fakebook"]
# Django's own session tests, run against the site's stores in a pytest process of their own
# (tests/test_django_session_contract.py), need the app of their custom session model.
if env.bool("DJANGO_SESSION_CONTRACT", default=False):
    INSTALLED_APPS += ["sessions_tests"]
# Tests run with DEBUG off, as production does; the stand-in is allowed here explicitly.
FAKEBOOK_ALLOW_WITHOUT_DEBUG = True
FACEBOOK_APP_ID = "100000000000001"
FACEBOOK_APP_SECRET = "fakebook-test-app-secret"  # noqa: S105 (the stand-in's own)
# Tests that go over real HTTP point these at their live server (or, for a gunicorn run,
# through the environment).
FACEBOOK_WWW_URL = env("FACEBOOK_WWW_URL", default="http://testserver/fakebook/www")
FACEBOOK_GRAPH_URL = env("FACEBOOK_GRAPH_URL", default="http://testserver/fakebook/graph")
FACEBOOK_JWKS_URL = env(
    "FACEBOOK_JWKS_URL",
    default="http://testserver/fakebook/limited/.well-known/oauth/openid/jwks/",
)
FACEBOOK_STAND_IN_PATH = "/fakebook/"
# FACEBOOK_GRAPH_TIMEOUT stays production's (django_facebook/conf.py): a healthy call to the
# stand-in over real HTTP shares two cores with Chromium and other suites in CI. A test that
# injects a "timeout" fault sets a short one, so the fault (which answers a second past the
# setting) is quick to observe.
# The load tests' people (fakebook/users.py), for the stand-in serving the template's
# scripts/scale_out/.
FAKEBOOK_LOAD_PEOPLE = env.int("FAKEBOOK_LOAD_PEOPLE", default=0)

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the apps' folders; no collectstatic before the tests.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# Several baked sites' suites, and several runs, may share one Redis (CI, a developer's): each
# test session keeps to keys of its own, so one site's cached Limited Login keys or throttle
# counters never reach another, and tests/conftest.py deletes the session's keys, and only
# them, when it ends. The token is made once per pytest session and handed to the processes
# the tests start with these settings (gunicorn) through the environment, so their keys are
# the session's too. A process started otherwise with these settings (the stand-in served by
# gunicorn's several workers, in the template's image and scale-out tests) makes no token:
# its workers must share one prefix.
if "pytest" in sys.modules:
    TEST_SESSION_TOKEN = os.environ.setdefault("DJANGO_TEST_SESSION_TOKEN", secrets.token_hex(8))
else:
    TEST_SESSION_TOKEN = os.environ.get("DJANGO_TEST_SESSION_TOKEN", "")
CACHES["default"]["KEY_PREFIX"] = "-".join(
    filter(
        None, ["test", hashlib.sha256(str(BASE_DIR).encode()).hexdigest()[:10], TEST_SESSION_TOKEN]
    )
)

<% if cookiecutter.registration_backend == "allauth" -%>
# The suite logs in, signs up and resets from one address far more than a person would;
# the limits' own tests (tests/test_allauth.py) put back the real ones.
ACCOUNT_RATE_LIMITS = False
<% else -%>
# The suite logs in, signs up and resets from one address far more than a person would; the
# limits' own tests (tests/test_password_limits.py) put back the real ones.
PASSWORD_RATE_LIMITS = {scope: [(1_000_000, 60)] for scope in PASSWORD_RATE_LIMITS}
<% endif -%>
