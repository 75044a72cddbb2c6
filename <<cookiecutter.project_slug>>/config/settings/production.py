"""Settings for production: PostgreSQL, Redis, HTTPS, the real Facebook.

Every secret and every host-specific value comes from the environment; a missing one stops
the start with ImproperlyConfigured. `manage.py check --deploy` passes with no warning.
"""

from typing import Any

<% if cookiecutter.error_monitoring == "sentry" %>from config.sentry import init_sentry

<% endif %>from .base import *
from .base import CACHES, DATABASES, DOMAIN_NAME, REDIS_OPTIONS, SITE_PACKAGE, env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[DOMAIN_NAME])
CSRF_TRUSTED_ORIGINS = [f"https://{host}" for host in ALLOWED_HOSTS]

DATABASES["default"] = env.db("DATABASE_URL")
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
CACHES["default"] = {
    "BACKEND": f"{SITE_PACKAGE}.redis_cache.RedisCache",
    "LOCATION": env("REDIS_URL"),
    "KEY_PREFIX": env("REDIS_KEY_PREFIX", default=""),
    "OPTIONS": REDIS_OPTIONS,
}
# Sessions read from Redis, written through to PostgreSQL (sessions/cached_db.py).
SESSION_ENGINE = f"{SITE_PACKAGE}.sessions.cached_db"

# HTTPS behind a proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
# HSTS for a year. Subdomains and the browsers' preload list are each an explicit choice
# (docs/deployment.md, "HTTPS and HSTS"): both bind every subdomain of the domain to HTTPS,
# the preload list for months after any change of mind.
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=False)
# `check --deploy` warns while either is off; off is a considered default, so the warning is
# silenced exactly while it is.
if not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W005"]
if not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Uploaded files (userena's mugshots) in S3-compatible object storage, shared by every app
# host, when a bucket is named; else on this host's disk in MEDIA_ROOT (docs/deployment.md,
# "Uploaded files"). Private objects: the site serves them itself, after its own checks.
if env("DJANGO_AWS_STORAGE_BUCKET_NAME", default=""):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("DJANGO_AWS_STORAGE_BUCKET_NAME"),
            "access_key": env("DJANGO_AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("DJANGO_AWS_SECRET_ACCESS_KEY", default=None),
            "region_name": env("DJANGO_AWS_S3_REGION_NAME", default=None),
            "endpoint_url": env("DJANGO_AWS_S3_ENDPOINT_URL", default=None),
            "location": env("DJANGO_AWS_LOCATION", default="media"),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

FACEBOOK_APP_ID = env("FACEBOOK_APP_ID")
FACEBOOK_APP_SECRET = env("FACEBOOK_APP_SECRET")
FACEBOOK_REDIRECT_URI = env(
    "FACEBOOK_REDIRECT_URI", default=f"https://{DOMAIN_NAME}/facebook/callback/"
)
# Facebook's own hosts unless told otherwise: the tests of the production image and the
# template's scale-out test point them at the stand-in, served over https (a system check,
# django_facebook.checks, refuses plain http here).
FACEBOOK_WWW_URL = env("FACEBOOK_WWW_URL", default="https://www.facebook.com")
FACEBOOK_GRAPH_URL = env("FACEBOOK_GRAPH_URL", default="https://graph.facebook.com")

<%- if cookiecutter.error_monitoring == "sentry" %>

# Error monitoring (config/sentry.py): on when SENTRY_DSN is set; every event is scrubbed.
init_sentry(
    env("SENTRY_DSN", default=""),
    environment=env("SENTRY_ENVIRONMENT", default="production"),
    release=env("SENTRY_RELEASE", default=None),
)
<%- endif %>

LOGGING["root"]["level"] = "INFO"
# One JSON object per line, for the log collector (config/logs.py).
LOGGING["handlers"]["console"]["formatter"] = "json"
<%- if cookiecutter.registration_backend == "userena" %>

# userena's emails link to https://SITE_DOMAIN (by default the domain_name answer).
USERENA_USE_HTTPS = True
<%- endif %>
