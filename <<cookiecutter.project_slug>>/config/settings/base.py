"""Settings shared by every environment; local, test and production start from these.

Values that differ between machines come from the environment (or the git-ignored .env
file) through django-environ, never from this file.
"""

from pathlib import Path

import environ
from csp.constants import NONE, SELF

# The answers given to cookiecutter when this site was generated.
SITE_PACKAGE = "<< cookiecutter.project_slug >>"
SITE_NAME = "<< cookiecutter.project_name >>"
DOMAIN_NAME = "<< cookiecutter.domain_name >>"
ADMIN_NAME = "<< cookiecutter.author_name >>"
ADMIN_EMAIL = "<< cookiecutter.email >>"

BASE_DIR = Path(__file__).resolve().parent.parent.parent
APP_DIR = BASE_DIR / SITE_PACKAGE

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

SECRET_KEY = env("DJANGO_SECRET_KEY")
DEBUG = env.bool("DJANGO_DEBUG", default=False)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
<%- if cookiecutter.registration_backend == "django-registration" %>
    "django_registration",
<%- endif %>
    "django_facebook",
    f"{SITE_PACKAGE}.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # The site's templates come first, so they override those of every app.
        "DIRS": [APP_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                f"{SITE_PACKAGE}.context_processors.site",
            ],
        },
    },
]

# SQLite by default, so the site runs at once; DATABASE_URL (postgres://...) for PostgreSQL.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Redis when REDIS_URL is set (shared by every gunicorn worker), else a per-process cache.
if env("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env("REDIS_URL"),
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Database-backed sessions: the login state written before the Facebook redirect must be
# there when the callback lands on any worker. The site's store is Django's, leaner.
SESSION_ENGINE = f"{SITE_PACKAGE}.sessions"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
<%- if cookiecutter.registration_backend == "userena" %>
    "userena.backends.UserenaAuthenticationBackend",
    "guardian.backends.ObjectPermissionBackend",
<%- endif %>
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "accounts:profile"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [APP_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default=ADMIN_EMAIL)
ADMINS = [(ADMIN_NAME, ADMIN_EMAIL)]

# Content-Security-Policy (django-csp): the site's pages use no inline script or style;
# pictures may come from Facebook's CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "img-src": [SELF, "data:", "https://*.fbcdn.net", "https://platform-lookaside.fbsbx.com"],
        # A login started by a form POST is redirected on to the Facebook dialog.
        "form-action": [SELF, "https://www.facebook.com"],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# Facebook Login (django_facebook). See README.md, "Settings".
FACEBOOK_APP_ID = env("FACEBOOK_APP_ID", default="<< cookiecutter.facebook_app_id >>")
FACEBOOK_APP_SECRET = env("FACEBOOK_APP_SECRET", default="")
FACEBOOK_API_VERSION = env("FACEBOOK_API_VERSION", default="<< cookiecutter.facebook_api_version >>")
FACEBOOK_SCOPE = env.list("FACEBOOK_SCOPE", default=["email", "public_profile"])
FACEBOOK_REDIRECT_URI = env("FACEBOOK_REDIRECT_URI", default="")
FACEBOOK_LOGIN_DEFAULT_REDIRECT = "/"
FACEBOOK_REGISTRATION_BACKEND = f"{SITE_PACKAGE}.accounts.backends.SiteRegistrationBackend"
<%- if cookiecutter.registration_backend == "django-registration" %>

# django-registration's activation workflow (README.md, "The registration systems"): a sign-up
# by form activates by the emailed link within ACCOUNT_ACTIVATION_DAYS; REGISTRATION_OPEN =
# False closes sign-ups by form and with Facebook. A sign-up with Facebook is active at once,
# unless FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION is True.
ACCOUNT_ACTIVATION_DAYS = 7
REGISTRATION_OPEN = True
FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION = False
<%- endif %>

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django_facebook": {"level": "INFO"},
        # urllib3 logs request lines at DEBUG; keep it quiet whatever the root level.
        "urllib3": {"level": "WARNING"},
    },
}
