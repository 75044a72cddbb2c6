"""Slow tests, the real proof: bake each available registration system once, then lint,
install, check and test the baked site the way its README tells a person to.

With DATABASE_URL set (as .ci/run does), each site's own tests run a second time on
PostgreSQL and Redis, in a database of the site's own.
"""

import hashlib
import os
import re
import secrets
import shutil
import string
import sys
from urllib.parse import urlsplit, urlunsplit

import pytest
from conftest import ruff, run
from test_hooks import BACKENDS

# The python3 a person would type, as the README says; this venv's python if there is none.
PYTHON3 = shutil.which("python3") or sys.executable
# Variables that would steer a baked site away from the settings a test means to use.
SITE_VARIABLES = ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")


def clean_env(**extra):
    """This process's environment without the site's own variables, plus extra."""
    env = {key: value for key, value in os.environ.items() if key not in SITE_VARIABLES}
    env.update(extra)
    return env


def own_database_url(url, name):
    """The given DATABASE_URL with its database replaced by name, made a safe identifier
    (pytest-django then creates test_<name>, so parallel bakes never share a database)."""
    name = re.sub(r"[^a-z0-9_]", "_", name.lower())[:50]
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


# pytest's closing line: "593 passed, 2 skipped in 38.20s".
RESULT_RE = re.compile(r"^=* ?(\d+ (passed|failed).*? in [\d.]+s.*?) ?=*$", re.MULTILINE)


def run_site_tests(site, env, label, request, capsys, *pytest_args):
    """The baked site's `python3 tasks.py test`, its output shown live, line by line, marked
    with `label` (it runs for a minute or two); its result line goes to the closing table."""

    def echo(line):
        with capsys.disabled():
            print(f"[{label}] {line}", end="", flush=True)

    with capsys.disabled():
        print(f"\n[{label}] python3 tasks.py test {' '.join(pytest_args)}", flush=True)
    # Unbuffered, so that pytest's progress reaches us as it happens.
    env = dict(env, PYTHONUNBUFFERED="1")
    output = run([PYTHON3, "tasks.py", "test", *pytest_args], cwd=site, env=env, echo=echo)
    results = RESULT_RE.findall(output)
    if results:
        request.node.user_properties.append(("result", results[-1][0]))


@pytest.fixture(scope="module", params=BACKENDS)
def site(request, bake, tmp_path_factory):
    """A site baked with this registration system (defaults otherwise)."""
    backend = request.param
    return bake(tmp_path_factory.mktemp(f"baked-{backend}"), registration_backend=backend)


@pytest.fixture(scope="module")
def installed_site(site):
    """The baked site after its own `python3 tasks.py install`."""
    run([PYTHON3, "tasks.py", "install"], cwd=site, env=clean_env())
    return site


def manage(site, *args, settings="config.settings.test", **env):
    return run(
        [site / ".venv" / "bin" / "python", "manage.py", *args],
        cwd=site,
        env=clean_env(DJANGO_SETTINGS_MODULE=settings, **env),
    )


def test_ruff_check_passes(site):
    run(ruff("check", "--no-cache", "."), cwd=site)


def test_ruff_format_check_passes(site):
    run(ruff("format", "--check", "--no-cache", "."), cwd=site)


def test_second_install_skips_pip(installed_site):
    output = run([PYTHON3, "tasks.py", "install"], cwd=installed_site, env=clean_env())

    assert "pip install" not in output, output


def test_no_missing_migrations(installed_site):
    manage(installed_site, "makemigrations", "--check", "--dry-run")


def test_system_checks_pass_with_test_settings(installed_site):
    manage(installed_site, "check")


def test_deploy_checks_pass_with_production_settings(installed_site):
    alphabet = string.ascii_letters + string.digits + string.punctuation
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    output = manage(
        installed_site,
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        settings="config.settings.production",
        DJANGO_SECRET_KEY="".join(secrets.choice(alphabet) for _ in range(50)),
        DATABASE_URL=database_url,
        REDIS_URL="redis://127.0.0.1:6379/0",
        FACEBOOK_APP_ID="1234567890",
        FACEBOOK_APP_SECRET="x" * 32,
        DJANGO_ALLOWED_HOSTS="example.com",
    )

    assert "WARNING" not in output, output
    assert "System check identified some issues" not in output, output


def test_site_tests_pass_on_sqlite(installed_site, request, capsys):
    backend = request.node.callspec.params["site"]
    run_site_tests(installed_site, clean_env(), f"{backend} SQLite", request, capsys)


def test_site_tests_pass_on_postgresql_and_redis(installed_site, request, capsys):
    if not os.environ.get("DATABASE_URL"):
        # CI sets both (.ci/run); there a missing database must fail, never skip.
        if os.environ.get("CI"):
            pytest.fail("CI must set DATABASE_URL and REDIS_URL (see .ci/run)")
        pytest.skip("set DATABASE_URL (and REDIS_URL) to test on PostgreSQL + Redis")
    backend = request.node.callspec.params["site"]
    # The bake's temporary path tells this run from any other on the machine (a second
    # checkout's tests, say), so two runs never share a database.
    run_id = hashlib.sha256(str(installed_site).encode()).hexdigest()[:8]
    env = clean_env(
        DATABASE_URL=own_database_url(
            os.environ["DATABASE_URL"], f"{backend}_{run_id}_{installed_site.name}"
        ),
    )
    if os.environ.get("REDIS_URL"):
        env["REDIS_URL"] = os.environ["REDIS_URL"]
    # The tests that start a server of their own on SQLite ran in the SQLite run already.
    run_site_tests(
        installed_site, env, f"{backend} PostgreSQL", request, capsys, "-m", "not own_server"
    )
