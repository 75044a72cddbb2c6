"""Settings shared by every environment; local, test and production start from these.

Values that differ between machines come from the environment (or the git-ignored .env
file) through django-environ, never from this file.
"""

from pathlib import Path
from typing import Any

import django
import environ
from csp.constants import NONE, SELF

from config.logs import JSON_FORMATTER

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
<%- if cookiecutter.registration_backend == "userena" %>
    # After accounts: userena's admin replaces the user admin with its own.
    "django.contrib.sites",
    "guardian",
    "easy_thumbnails",
    f"{SITE_PACKAGE}.profiles.apps.UserenaConfig",
    f"{SITE_PACKAGE}.profiles",
<%- endif %>
<%- if cookiecutter.registration_backend == "allauth" %>
    # django-allauth's accounts and second factors; not its socialaccount (Facebook is
    # django_facebook's flow).
    "allauth",
    "allauth.account",
    "allauth.mfa",
<%- endif %>
]

MIDDLEWARE = [
    # The request id first, so that every log line of the request carries it; then the load
    # balancer's /healthz and /readyz, answered before the HTTPS redirect and the Host check
    # (<< cookiecutter.project_slug >>/health.py).
    f"{SITE_PACKAGE}.request_id.RequestIdMiddleware",
    f"{SITE_PACKAGE}.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django_facebook.session_tokens.SessionTokenMiddleware",
    # After the sessions, before CommonMiddleware (Django's order): the language of each
    # request from the language cookie, else Accept-Language, else LANGUAGE_CODE.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
<%- if cookiecutter.registration_backend == "allauth" %>
    # allauth's request context, its redirects of a login that waits for a step.
    "allauth.account.middleware.AccountMiddleware",
<%- endif %>
    # Sets the language cookie to the account's language when a person logs in
    # (<< cookiecutter.project_slug >>/accounts/languages.py).
    f"{SITE_PACKAGE}.accounts.languages.AccountLanguageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
<%- if cookiecutter.registration_backend != "allauth" %>
    # After CSRF's check: a forged request is never counted against anyone.
    f"{SITE_PACKAGE}.password_limits.PasswordLimitsMiddleware",
<%- endif %>
]

# The proxies in front (addresses or networks, e.g. the load balancer's) whose
# X-Forwarded-For is believed for the client's address, which the rate limits count by
# (django_facebook/client_address.py). Empty: REMOTE_ADDR, the peer, alone.
TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])

<% if cookiecutter.registration_backend != "allauth" -%>
# The password side's rate limits (<< cookiecutter.project_slug >>/password_limits.py;
# docs/password-limits.md): per scope, (count, seconds) windows, the first one full
# refusing until it ends.
PASSWORD_RATE_LIMITS = {
    # 5 wrong passwords a minute, 20 in a quarter of an hour, for one account from anywhere.
    "login_failures_per_account": [(5, 60), (20, 900)],
    # More per address: offices and mobile networks put many people behind one.
    "login_failures_per_address": [(20, 60), (100, 900)],
    "signup_per_address": [(10, 3600)],
    # Activation emails one address receives from sign-ups.
    "signup_per_email": [(3, 3600)],
    "reset_per_address": [(10, 3600)],
    # Reset emails one address receives: past this, the same answer and no email.
    "reset_per_email": [(3, 3600)],
    "activation_resend_per_address": [(5, 3600)],
    "activation_resend_per_key": [(3, 3600)],
    "email_change_per_address": [(10, 3600)],
}

<% endif -%>
# /readyz answers 503 unless the database and the cache answer within this many seconds.
READINESS_TIMEOUT = env.float("DJANGO_READINESS_TIMEOUT", default=2.0)

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
                # LANGUAGES, LANGUAGE_CODE and LANGUAGE_BIDI: the language menu, <html lang dir>.
                "django.template.context_processors.i18n",
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
SILENCED_SYSTEM_CHECKS: list[str] = []

# Redis when REDIS_URL is set (shared by every gunicorn worker), else a per-process cache.
# The site's backend is Django's, reusing its Redis client objects (redis_cache.py). Redis
# answers in a millisecond or two; one that takes longer than these seconds to connect or to
# answer is treated as out of reach, and the sessions go on without it (sessions/).
REDIS_OPTIONS = {
    "socket_connect_timeout": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
    "socket_timeout": env.float("REDIS_TIMEOUT", default=0.5),
}
# REDIS_KEY_PREFIX: the start of every key, for a Redis that several sites share.
if env("REDIS_URL", default=""):
    CACHES = {
        "default": {
            "BACKEND": f"{SITE_PACKAGE}.redis_cache.RedisCache",
            "LOCATION": env("REDIS_URL"),
            "KEY_PREFIX": env("REDIS_KEY_PREFIX", default=""),
            "OPTIONS": REDIS_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Database-backed sessions: the login state written before the Facebook redirect must be
# there when the callback lands on any worker. With Redis they are read from it and written
# through to the database. The site's stores are Django's, leaner (sessions/).
SESSION_ENGINE = f"{SITE_PACKAGE}.sessions.{'cached_db' if env('REDIS_URL', default='') else 'db'}"
# After the session cache fails, how long each process uses the database alone before it
# tries the cache again (sessions/cache_guard.py): long enough that an outage costs each
# process one failed call per interval, short enough that the cache is back within seconds.
SESSION_CACHE_RETRY_SECONDS = env.float("SESSION_CACHE_RETRY_SECONDS", default=2.0)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
<%- if cookiecutter.registration_backend == "userena" %>
    # userena's sign-in by username or email, guardian's object permissions (profiles/backends.py)
    f"{SITE_PACKAGE}.profiles.backends.UserenaAuthenticationBackend",
    f"{SITE_PACKAGE}.profiles.backends.ObjectPermissionBackend",
<%- endif %>
<%- if cookiecutter.registration_backend == "allauth" %>
    # Every login, by password or with Facebook, is allauth's and authenticated by it (the
    # admin's too: config/urls.py).
    "allauth.account.auth_backends.AuthenticationBackend",
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

# The languages the site speaks (docs/languages.md): each has a catalog in locale/, and the
# menu on every page offers those of LANGUAGES, each named in its own language. A new
# visitor gets the first of them their browser asks for (Accept-Language), else
# LANGUAGE_CODE; a choice from the menu is kept in the language cookie and on the account.
SITE_LANGUAGES = {
    "en": "English",
    "ar": "Arabic",
    "de": "German",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "pt-br": "Brazilian Portuguese",
    "nl": "Dutch",
    "pl": "Polish",
    "tr": "Turkish",
    "ru": "Russian",
    "uk": "Ukrainian",
    "ja": "Japanese",
    "ko": "Korean",
    "zh-hans": "Simplified Chinese",
    "hi": "Hindi",
    "id": "Indonesian",
}
# DJANGO_LANGUAGES=en,de,fr offers fewer; DJANGO_LANGUAGE_CODE=de makes German the default.
LANGUAGE_CODE = env("DJANGO_LANGUAGE_CODE", default="<< cookiecutter.default_language >>")
LANGUAGES = [
    (code, SITE_LANGUAGES[code])
    for code in env.list("DJANGO_LANGUAGES", default=list(SITE_LANGUAGES))
    if code in SITE_LANGUAGES
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [APP_DIR / "static"]
# Served at the site's root by WhiteNoise: /favicon.ico, for pages without the site's <link
# rel="icon"> (the admin's, error pages of other apps), so no browser logs a 404 for it.
WHITENOISE_ROOT = APP_DIR / "public"
MEDIA_URL = "media/"
MEDIA_ROOT = BASE_DIR / "media"

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env("DJANGO_DEFAULT_FROM_EMAIL", default=ADMIN_EMAIL)
ADMINS: list[Any]  # (name, address) pairs on Django 5.2, addresses on Django 6
ADMINS = [(ADMIN_NAME, ADMIN_EMAIL)]
if django.VERSION >= (6, 0):
    # Django 6 takes plain addresses and deprecates the (name, address) pairs 5.2 needs.
    ADMINS = [address for _, address in ADMINS]

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

# Facebook Login (django_facebook). See docs/facebook-settings.md.
FACEBOOK_APP_ID = env("FACEBOOK_APP_ID", default="<< cookiecutter.facebook_app_id >>")
FACEBOOK_APP_SECRET = env("FACEBOOK_APP_SECRET", default="")
FACEBOOK_API_VERSION = env("FACEBOOK_API_VERSION", default="<< cookiecutter.facebook_api_version >>")
FACEBOOK_SCOPE = env.list("FACEBOOK_SCOPE", default=["email", "public_profile"])
FACEBOOK_REDIRECT_URI = env("FACEBOOK_REDIRECT_URI", default="")
FACEBOOK_LOGIN_DEFAULT_REDIRECT = "/"
FACEBOOK_REGISTRATION_BACKEND = f"{SITE_PACKAGE}.accounts.backends.SiteRegistrationBackend"
<%- if cookiecutter.registration_backend == "django-registration" %>

# django-registration's activation workflow (docs/django-registration.md): a sign-up
# by form activates by the emailed link within ACCOUNT_ACTIVATION_DAYS; REGISTRATION_OPEN =
# False closes sign-ups by form and with Facebook. A sign-up with Facebook is active at once,
# unless FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION is True.
ACCOUNT_ACTIVATION_DAYS = 7
REGISTRATION_OPEN = True
FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION = False
<%- endif %>
<%- if cookiecutter.registration_backend == "userena" %>

# django-userena-ce with django-guardian (docs/userena.md). A sign-up by form activates
# by the emailed link within USERENA_ACTIVATION_DAYS; a sign-up with Facebook is active at
# once, unless FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION is True. userena's emails take the
# domain and name of the sites framework's Site, which `migrate` sets from SITE_DOMAIN and
# SITE_NAME.
SITE_ID = 1
SITE_DOMAIN = env("DJANGO_SITE_DOMAIN", default=DOMAIN_NAME)
AUTH_PROFILE_MODULE = "profiles.Profile"
# Required by userena and guardian; no such user is made: visitors who are not signed in
# hold no object permissions here (profiles/apps.py, profiles/backends.py).
ANONYMOUS_USER_NAME = "AnonymousUser"
# guardian.W001 looks for guardian's backend by name; the site runs a subclass of it.
SILENCED_SYSTEM_CHECKS += ["guardian.W001"]
USERENA_ACTIVATION_REQUIRED = True
USERENA_ACTIVATION_DAYS = 7
USERENA_SIGNIN_REDIRECT_URL = "/accounts/%(username)s/"
USERENA_REDIRECT_ON_SIGNOUT = None  # then LOGOUT_REDIRECT_URL
USERENA_DEFAULT_PRIVACY = "registered"
# Profiles show the email address to its owner only.
USERENA_HIDE_EMAIL = True
USERENA_USE_HTTPS = False
# No Gravatar: it would send a hash of every email address to a third party, and the
# Content-Security-Policy lets no image in from it. People without a mugshot get initials.
USERENA_MUGSHOT_GRAVATAR = False
# Names that would hide a page under /accounts/, where userena's profiles are
# /accounts/<username>/: userena's own, then the site's.
USERENA_FORBIDDEN_USERNAMES = (
    *("signup", "signout", "signin", "activate", "me", "password"),
    *("login", "logout", "profile", "welcome", "page", "confirm-email"),
)
FACEBOOK_REGISTRATION_REQUIRE_ACTIVATION = False
# The large (200 px) picture, made the mugshot of a sign-up with Facebook.
FACEBOOK_PROFILE_FIELDS = ["id", "name", "email", "first_name", "last_name", "picture.type(large)"]
<%- endif %>
<%- if cookiecutter.registration_backend == "allauth" %>

# django-allauth's accounts (docs/allauth.md): people log in with their email address or
# username; a sign-up by form verifies its address by the emailed link before the first login
# (a sign-up with Facebook has Facebook's address, verified already); the link logs them in.
ACCOUNT_ADAPTER = f"{SITE_PACKAGE}.accounts.adapter.SiteAccountAdapter"
# allauth's forms, with the help texts and autocomplete of the site's other forms.
ACCOUNT_FORMS = {
    "login": "django_facebook.registration_backends.allauth.LoginForm",
    "signup": "django_facebook.registration_backends.allauth.SignupForm",
}
ACCOUNT_LOGIN_METHODS = {"email", "username"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# A password set or changed, an address removed, the primary address changed (to the old
# one), a second factor turned on or off: allauth emails the person, so that a change they
# did not make does not go unnoticed.
ACCOUNT_EMAIL_NOTIFICATIONS = True
# allauth's rate limits are its defaults (ACCOUNT_RATE_LIMITS): per client address (the
# site's, through the adapter), per account and per user; 5 failed logins for one account
# in 5 minutes refuse its logins, the right password too, until the window ends.
# Second factors: an authenticator app (TOTP) and recovery codes. A person who has one is
# asked for it after every login, Facebook's too (docs/allauth.md says why).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SITE_NAME
REGISTRATION_OPEN = True
<%- endif %>

# Every line on stdout, once, with the request id (config/logs.py); production writes them as
# JSON.
LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_context": {"()": "config.logs.RequestContextFilter"},
        "require_debug_false": {"()": "django.utils.log.RequireDebugFalse"},
        # A database outage fails every request: one line and one email per minute of it.
        "database_outage": {"()": "config.logs.OutageLogFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": JSON_FORMATTER,
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_context", "database_outage"],
            "stream": "ext://sys.stdout",
        },
        "mail_admins": {
            "class": "django.utils.log.AdminEmailHandler",
            "level": "ERROR",
            "filters": ["require_debug_false", "database_outage"],
        },
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        # Django's own configuration gives this logger a console handler of its own (to
        # stderr, with DEBUG on) besides the admins' email: with the root's console it printed
        # every line of the development server twice. Set here, it keeps only the email
        # (Django's, with DEBUG off) and its lines reach the root's console alone.
        "django": {"handlers": ["mail_admins"], "level": "INFO"},
        # A bad Host header, an oversized body, too many fields: anyone can send them, so
        # they get their 400 and one line here, never an email to the admins (Django's
        # default sends one each). Errors of the site itself (django.request) still do.
        "django.security": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "django_facebook": {"level": "INFO"},
        # urllib3 logs request lines at DEBUG; keep it quiet whatever the root level.
        "urllib3": {"level": "WARNING"},
    },
}
