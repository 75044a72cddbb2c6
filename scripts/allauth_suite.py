"""Run django-allauth's own account and mfa test suites against a baked allauth site's settings.

The site's allauth integration is proven by the site's own tests (tests/test_allauth.py). This
script runs allauth's own suites (tests/apps/account and tests/apps/mfa of its sdist), at the
version the site's lock installed, against the site's test settings: its installed apps,
middleware, session engine, authentication backends, custom user model, templates, login and
sign-up forms (ACCOUNT_FORMS), URLconf, database and password hasher. It shows that they do not
break allauth itself, and it is worth running again after an allauth upgrade.

    python3 scripts/allauth_suite.py SITE

SITE is a site baked with registration_backend=allauth whose `python3 tasks.py install` has
run. Everything is done in a temporary directory, with the site's virtualenv: allauth's sdist is
downloaded and unpacked there, the few test-only packages its suite needs that the site's
virtualenv lacks (pytest-asyncio) are installed there (on PYTHONPATH, not into the virtualenv),
and so are the settings module and URLconf below. Nothing is written into the site.

allauth's tests test allauth's defaults and set, per test, the settings they change. So the
generated settings start from the site's test settings and:

- drop the site's ACCOUNT_*, MFA_* and LOGIN_* settings (found by prefix), its allauth and
  login choices, which the tests assume at allauth's and Django's defaults; ACCOUNT_FORMS stays:
  the site's forms are code of the site, and they pass allauth's tests;
- set what allauth's test project sets and the tests rely on: OVERRIDES below, each with why;
- run allauth's rate limits and used-code markers on Django's cache, as allauth has them, not
  through the site's write-through cache (PLUGIN below says why).

Five tests are deselected (DESELECTED below): they hard-code Django's own auth.User, which a
site never uses (AUTH_USER_MODEL = "accounts.User"). Prints allauth's version, the settings
dropped and overridden, pytest's output; exits with pytest's exit code.
"""

import os
import re
import subprocess
import sys
import tarfile
import tempfile
import textwrap
from pathlib import Path

SITE_SETTINGS = "config.settings.test"
# The site's settings the tests assume at the defaults: dropped by these prefixes, but for KEPT.
DROPPED_PREFIXES = ("ACCOUNT_", "MFA_", "LOGIN_")
KEPT = {"ACCOUNT_FORMS"}
# (setting, value, why): set after the site's settings are dropped. An empty why: the one above.
OVERRIDES = [
    (
        "ACCOUNT_ADAPTER",
        '"tests.projects.common.adapters.AccountAdapter"',
        "allauth's test adapter: its phone stub (the tests sign up and log in by phone) and its "
        "record of messages, which the tests read. The site's own tests test the site's adapter.",
    ),
    (
        "CACHES",
        '{"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}',
        "No cache, as in allauth's test project: in a real one, rate limit counters and used TOTP "
        "codes would carry over from test to test. The tests that need a cache turn one on.",
    ),
    (
        "INSTALLED_APPS",
        'INSTALLED_APPS + ["django.contrib.sites", "django.contrib.humanize"]',
        "The sites framework, which the tests' emails name the site by ([example.com] ...) and "
        "which allauth needs to send an email outside a request; humanize, for the security keys "
        "page.",
    ),
    ("SITE_ID", "1", ""),
    (
        "ROOT_URLCONF",
        '"allauth_suite_urls"',
        "The site's URLconf (its pages name its URLs), rebuilt whenever the tests change settings "
        "that change allauth's URLs, and allauth's test views.",
    ),
    (
        "ACCOUNT_LOGIN_BY_CODE_ENABLED",
        "True",
        "The features allauth's test project turns on, whose tests expect them: login by code, "
        "security keys and passkeys.",
    ),
    ("MFA_SUPPORTED_TYPES", '["totp", "webauthn", "recovery_codes"]', ""),
    ("MFA_PASSKEY_LOGIN_ENABLED", "True", ""),
    ("MFA_PASSKEY_SIGNUP_ENABLED", "True", ""),
    (
        "AUTH_PASSWORD_VALIDATORS",
        "[]",
        "None, Django's default and allauth's test project's: the tests sign up with passwords "
        'such as "doe", which the site\'s validators refuse.',
    ),
    (
        "ADMINS",
        "[]",
        "Nobody: the site emails its admins about every server error, and a test that makes one on "
        "purpose then checks that no email was sent.",
    ),
]
# Tests that cannot pass against any baked site: they patch or reverse Django's auth.User.
DESELECTED = {
    "tests/apps/account/test_auth_backends.py::test_account_enumeration_timing_attack": (
        "patches django.contrib.auth.models.User.set_password, which the site's user model does "
        "not inherit from"
    ),
    "tests/apps/account/test_decorators.py::test_secure_admin_login_passes_staff": (
        "opens admin:auth_user_changelist; the site's admin lists accounts.User"
    ),
}
# What allauth's suite needs besides the site's own packages (qrcode, fido2 with allauth[mfa]);
# those the site's virtualenv lacks are installed, as pinned in allauth's requirements-dev.txt.
TEST_PACKAGES = ["pytest", "pytest-django", "pytest-asyncio", "requests"]

URLS = '''"""The site's URLconf, and allauth's test views.

allauth's settings_impacting_urls fixture reloads ROOT_URLCONF (this module) and allauth's URL
modules after it changes settings that change allauth's URLs. The site's URL modules that
include allauth's keep the patterns they first read: this module reloads them too.
"""

import importlib
import sys

from django.conf import settings
from django.contrib import admin
from django.urls import URLResolver, include, path


def reaches_allauth(patterns):
    return any(
        isinstance(pattern, URLResolver)
        and (
            getattr(pattern.urlconf_name, "__name__", "").startswith("allauth.")
            or reaches_allauth(pattern.url_patterns)
        )
        for pattern in patterns
    )


# The site's URLconf wraps the admin's login in allauth's: once, not once per reload.
admin.site.__dict__.pop("login", None)
for module in list(sys.modules.values()):
    in_site = str(getattr(module, "__file__", "")).startswith(str(settings.BASE_DIR))
    if in_site and reaches_allauth(getattr(module, "urlpatterns", [])):
        importlib.reload(module)

urlpatterns = [
    *importlib.import_module(settings.SITE_ROOT_URLCONF).urlpatterns,
    path("", include("tests.projects.common.account.urls")),
]
'''


PLUGIN = '''"""allauth's rate limits and used-code markers on Django's cache, as allauth has them.

The site gives them a cache that writes through to Django's and to a memory of its own
(accounts/allauth_cache.py, which the site's own tests test through an outage). allauth's
tests stand for time passing by clearing Django's cache, which that memory would outlive:
here they run on Django's cache alone.
"""

import pytest


@pytest.fixture(autouse=True, scope="session")
def _allauths_own_cache():
    from allauth.core.internal import ratelimit
    from allauth.mfa.totp.internal import auth
    from django.core.cache import cache

    ratelimit.cache = auth.cache = cache
'''


def settings_module():
    lines = [
        '"""allauth\'s test suites against the site\'s settings (scripts/allauth_suite.py)."""',
        "",
        f"from {SITE_SETTINGS} import *",
        "",
        "SITE_ROOT_URLCONF = ROOT_URLCONF",
        "DROPPED = sorted(",
        f"    n for n in globals() if n.startswith({DROPPED_PREFIXES}) and n not in {KEPT}",
        ")",
        "for _name in DROPPED:",
        "    del globals()[_name]",
    ]
    for name, value, why in OVERRIDES:
        if why:
            lines += ["", *textwrap.wrap(why, 96, initial_indent="# ", subsequent_indent="# ")]
        lines.append(f"{name} = {value}")
    return "\n".join(lines) + "\n"


def run(command, **kwargs):
    """The command's output; on failure, its errors and this script's exit."""
    try:
        return subprocess.run(  # noqa: S603 (our own commands, with the site's Python)
            [str(part) for part in command], check=True, capture_output=True, text=True, **kwargs
        ).stdout
    except subprocess.CalledProcessError as error:
        sys.exit(f"{' '.join(map(str, command))} failed:\n{error.stderr}")


def requirement(name, requirements):
    """`name` as allauth's requirements-dev.txt pins it, else unpinned."""
    match = re.search(rf"^{re.escape(name)}\s*([=<>!~][^#\s]*)", requirements, re.MULTILINE)
    return name + (match.group(1) if match else "")


def main():
    if len(sys.argv) != 2:
        sys.exit(f"usage: python3 {sys.argv[0]} SITE")
    site = Path(sys.argv[1]).resolve()
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"  # no __pycache__ written into the site
    python = site / ".venv" / "bin" / "python"
    if not python.exists():
        sys.exit(f"{python} not found: run `python3 tasks.py install` in {site} first")
    version = run([python, "-c", "import allauth; print(allauth.__version__)"]).strip()
    print(f"django-allauth {version}, against {site}'s {SITE_SETTINGS}")

    with tempfile.TemporaryDirectory(prefix="allauth-suite-") as directory:
        tmp = Path(directory)
        pip = [python, "-m", "pip", "--disable-pip-version-check"]
        sdist_options = ["--no-deps", "--no-binary", ":all:", "-d", tmp]
        run([*pip, "download", *sdist_options, f"django-allauth=={version}"])
        (sdist,) = tmp.glob("django_allauth-*.tar.gz")
        with tarfile.open(sdist) as archive:
            archive.extractall(tmp, filter="data")
        source = tmp / sdist.name.removesuffix(".tar.gz")

        # The test packages the site's virtualenv lacks, in a directory of their own; with
        # --no-deps, for their dependencies (pytest) are the site's.
        code = "import importlib.metadata as m; print(*(d.name for d in m.distributions()))"
        names = run([python, "-c", code])
        installed = {re.sub(r"[-_.]+", "-", name).lower() for name in names.split()}
        missing = [name for name in TEST_PACKAGES if name not in installed]
        if missing:
            requirements = (source / "requirements-dev.txt").read_text()
            wanted = [requirement(name, requirements) for name in missing]
            print("Installed for the run:", *wanted)
            run([*pip, "install", "--no-deps", "--target", tmp / "extra", *wanted])

        (tmp / "allauth_suite_settings.py").write_text(settings_module())
        (tmp / "allauth_suite_urls.py").write_text(URLS)
        (tmp / "allauth_suite_plugin.py").write_text(PLUGIN)
        # On the site's test database without DATABASE_URL, SQLite in memory, as allauth's
        # own test project; no Redis.
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env["PYTHONPATH"] = os.pathsep.join(map(str, [tmp, site, tmp / "extra"]))
        dropped = run(
            [python, "-c", "import allauth_suite_settings as s; print(*s.DROPPED)"],
            cwd=source,
            env=env,
        )
        print("The site's settings dropped:", dropped.strip() or "none")
        print("Overridden:", *(f"  {name} = {value}" for name, value, _ in OVERRIDES), sep="\n")
        print("Deselected:", *(f"  {test}: {why}" for test, why in DESELECTED.items()), sep="\n")
        sys.stdout.flush()
        command = [python, "-m", "pytest", "tests/apps/account", "tests/apps/mfa", "-q"]
        command += ["-p", "no:cacheprovider", "-p", "allauth_suite_plugin"]
        command += ["--ds=allauth_suite_settings"]
        # pytest-asyncio's coming default, said so that it does not warn about it.
        command += ["-o", "asyncio_default_fixture_loop_scope=function"]
        command += [f"--deselect={test}" for test in DESELECTED]
        result = subprocess.run(command, cwd=source, env=env, check=False)  # noqa: S603
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
