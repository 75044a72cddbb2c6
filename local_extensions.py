"""Check the answers once cookiecutter has them all, before anything is written.

cookiecutter.json renders `__answers_checked` with the `check_answers` filter after the
last prompt (cookiecutter 2.x renders the `__` variables in order, among the prompts, and
this one comes last), so a bad answer is reported once every prompt has been answered. It
raises FailedHookException with one line per broken rule, naming the field and the rule:
cookiecutter's command line prints exactly that and exits 1, and nothing is written. (A
pre-gen hook that exits non-zero stops the generation too, but cookiecutter then logs its own
error and a traceback after the hook's message.)

cookiecutter loads this module itself (`_extensions` in cookiecutter.json) with the
template's directory on sys.path.
"""

import json
import keyword
import re
import sys
from pathlib import Path

from cookiecutter.exceptions import FailedHookException
from jinja2.ext import Extension

# The registration systems: cookiecutter.json's choices, the one list of them.
REGISTRATION_BACKENDS = tuple(
    json.loads(Path(__file__).with_name("cookiecutter.json").read_text())["registration_backend"]
)

# Top-level names the generated site imports or ships; a package with one of these names
# would shadow it.
# fmt: off
SITE_MODULES = {
    "accounts", "allauth", "config", "cryptography", "django", "django_facebook",
    "django_registration", "easy_thumbnails", "environ", "fakebook", "fido2", "guardian",
    "gunicorn", "manage", "playwright", "psycopg", "pytest", "qrcode", "redis", "requests",
    "responses", "site", "tests", "urllib3", "userena", "whitenoise", "hypothesis",
}
# fmt: on

SLUG_RE = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
HOST_RE = re.compile(r"^(?=.{1,64}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))*$")
EMAIL_RE = re.compile(r"^[^@\s\"\\]{1,64}@[^@\s\"\\]{1,255}$")
APP_ID_RE = re.compile(r"^[0-9]{5,20}$")
# Graph API versions are vN.0; the site's system check holds the same rule
# (django_facebook/checks.py; test_hooks.py keeps the two equal).
VERSION_RE = re.compile(r"^v[1-9][0-9]?\.0$")
# The languages the site has catalogs for (its settings' SITE_LANGUAGES, Django's codes;
# test_hooks.py keeps the two equal): the default language must be one of them.
SITE_LANGUAGES = (
    *("en", "ar", "de", "es", "fr", "it", "pt-br", "nl", "pl"),
    *("tr", "ru", "uk", "ja", "ko", "zh-hans", "hi", "id"),
)
TEXT_LIMITS = {"project_name": 60, "description": 200, "author_name": 60}
CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")


def problems(answers):
    """Yield one message per answer that breaks a rule."""
    # These answers are written into Python and TOML strings, on lines ruff keeps under 100
    # characters.
    for field, limit in TEXT_LIMITS.items():
        value = answers[field]
        if CONTROL_RE.search(value) or '"' in value or "\\" in value:
            yield (
                f"{field}: must be one line of text without quotes, backslashes "
                "or control characters"
            )
        elif len(value) > limit:
            yield f"{field}: must be at most {limit} characters"
    if not answers["project_name"].strip():
        yield "project_name: must not be empty"

    slug = answers["project_slug"]
    if not SLUG_RE.match(slug):
        yield (
            f"project_slug: {slug!r} must start with a lower-case letter and hold only "
            "lower-case letters, digits and underscores (at most 50)"
        )
    elif keyword.iskeyword(slug) or slug in sys.stdlib_module_names or slug in SITE_MODULES:
        yield f"project_slug: {slug!r} would shadow a Python module the site imports"

    if not EMAIL_RE.match(answers["email"]) or len(answers["email"]) > 80:
        yield f"email: {answers['email']!r} is not an email address of at most 80 characters"
    if not HOST_RE.match(answers["domain_name"]) or "." not in answers["domain_name"]:
        yield (
            f"domain_name: {answers['domain_name']!r} must be a lower-case host name "
            "such as example.com (at most 64 characters), without scheme, port or path"
        )

    backend = answers["registration_backend"]
    if backend not in REGISTRATION_BACKENDS:
        yield f"registration_backend: {backend!r} is not one of {', '.join(REGISTRATION_BACKENDS)}"

    app_id = answers["facebook_app_id"]
    if app_id and not APP_ID_RE.match(app_id):
        yield "facebook_app_id: must be empty or the App ID's 5 to 20 digits"
    if not VERSION_RE.match(answers["facebook_api_version"]):
        yield f"facebook_api_version: {answers['facebook_api_version']!r} must look like v26.0"
    if answers["default_language"] not in SITE_LANGUAGES:
        yield (
            f"default_language: {answers['default_language']!r} is not one of the site's "
            f"languages: {', '.join(SITE_LANGUAGES)}"
        )


def check_answers(answers):
    """The filter: "" for good answers; FailedHookException naming every broken rule."""
    errors = [f"ERROR: {message}" for message in problems(answers)]
    if errors:
        raise FailedHookException("\n".join(errors))
    return ""


class AnswersExtension(Extension):
    """Adds the `check_answers` filter to cookiecutter's Jinja environment."""

    def __init__(self, environment):
        super().__init__(environment)
        environment.filters["check_answers"] = check_answers
