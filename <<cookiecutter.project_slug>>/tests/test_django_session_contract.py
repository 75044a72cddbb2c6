"""Django's own session tests, run against the site's session stores (sessions/).

The site's `db` and `cached_db` stores override Django internals to save SQL statements, so
they are where a Django upgrade or an extension would break first. Django's test suite for
sessions (`tests/sessions_tests` in the source distribution of the installed Django version,
downloaded once into a cache) is run in a pytest process of its own, its test classes
subclassed with the site's stores, on this run's database server (in a test database of its
own) and cache. Where the site's stores differ from Django's on purpose, the test is an
expected failure, strict (it must fail), with its reason (DIFFERENCES); every other test must
pass.
"""

import json
import os
import re
import secrets
import subprocess
import sys
import tarfile
from pathlib import Path

import django
import pytest
from django.conf import settings
from django.db import connection

from .conftest import BASE_DIR, database_url, delete_cache_keys

pytestmark = [
    pytest.mark.slow,
    pytest.mark.database,
    pytest.mark.system_independent,
    pytest.mark.django_contract,
]

CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "django-sdist"
SDIST = f"django-{django.__version__}.tar.gz"
# What the contract run needs of the source distribution: the session tests, and the failing
# cache one of them installs.
MEMBERS = [
    "tests/sessions_tests/__init__.py",
    "tests/sessions_tests/models.py",
    "tests/sessions_tests/no_clear_expired.py",
    "tests/sessions_tests/tests.py",
    "tests/cache/__init__.py",
    "tests/cache/failing_cache.py",
]

# {test name: why the site's stores differ}, the documented differences (README.md,
# "Sessions"). Every class of the run that has the test expects it to fail.
DIFFERENCES = {
    "test_cycle": (
        "after cycle_key() the old key's row exists until the next save renames it, in one "
        "UPDATE (Django inserts the new row and deletes the old one at once); a request saves "
        "at its end, so the old key never reaches the response"
    ),
    "test_cycle_async": "as test_cycle, through the async API",
    "test_cache_set_failure_non_fatal": (
        "a failed cache write is logged as an ERROR with its exception once per outage and "
        "process, in the site's words (sessions/cache_guard.py), not once per write"
    ),
    "test_cache_async_set_failure_non_fatal": "as test_cache_set_failure_non_fatal",
}

CONTRACT = '''
"""Django's session test classes, with the site's stores (test_django_session_contract.py)."""

from sessions_tests import tests as django_tests
from sessions_tests.models import SessionStore as DjangoCustomStore

from {package}.sessions import cached_db, db


class SessionStore(DjangoCustomStore, db.SessionStore):
    """Django's custom session model test store, on the site's `db` store (named as Django's
    stores are: a store's name is part of its signing salt)."""


class TestDatabaseSession(django_tests.DatabaseSessionTests):
    backend = db.SessionStore


class TestDatabaseSessionWithTimeZone(django_tests.DatabaseSessionWithTimeZoneTests):
    backend = db.SessionStore


class TestCustomDatabaseSession(django_tests.CustomDatabaseSessionTests):
    backend = SessionStore


class TestCacheDBSession(django_tests.CacheDBSessionTests):
    backend = cached_db.SessionStore


class TestCacheDBSessionWithTimeZone(django_tests.CacheDBSessionWithTimeZoneTests):
    backend = cached_db.SessionStore


class TestSessionMiddleware(django_tests.SessionMiddlewareTests):
    """Under the settings' engine: the site's `db`, or `cached_db` with REDIS_URL."""
'''

CONFTEST = """
import json

import pytest

from {package}.sessions import cache_guard

DIFFERENCES = json.loads({differences!r})


@pytest.fixture(autouse=True)
def _no_outage_seen():
    # As a new process: one test's failing cache must not leave the next without a cache.
    cache_guard.forget_outages()


def pytest_collection_modifyitems(items):
    for item in items:
        reason = DIFFERENCES.get(item.name)
        if reason:
            item.add_marker(pytest.mark.xfail(reason=reason, strict=True))
"""


def download_sdist():
    """The cached source distribution of this Django version; fetched once."""
    sdist = CACHE / SDIST
    if sdist.exists():
        return sdist
    CACHE.mkdir(parents=True, exist_ok=True)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-binary", ":all:"]
    fetched = subprocess.run(  # noqa: S603 -- fixed argv
        [*command, "--dest", str(CACHE), f"django=={django.__version__}"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if fetched.returncode or not sdist.exists():
        message = f"could not download {SDIST} for Django's session tests: {fetched.stderr[-500:]}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(f"{SDIST} could not be downloaded (offline?); Django's session tests need it")
    return sdist


def extract(sdist, folder):
    prefix = SDIST.removesuffix(".tar.gz")
    with tarfile.open(sdist) as archive:
        for member in MEMBERS:
            source = archive.extractfile(f"{prefix}/{member}")
            target = folder / member.removeprefix("tests/")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())


# pytest's closing line, and its outcomes.
RESULT_RE = re.compile(r"(\d+) (passed|failed|xfailed|xpassed|errors?|skipped)")


def test_djangos_session_tests_pass_against_the_sites_stores(tmp_path):
    extract(download_sdist(), tmp_path)
    (tmp_path / "test_contract.py").write_text(CONTRACT.format(package=settings.SITE_PACKAGE))
    (tmp_path / "conftest.py").write_text(
        CONFTEST.format(package=settings.SITE_PACKAGE, differences=json.dumps(DIFFERENCES))
    )
    token = secrets.token_hex(8)
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join([str(tmp_path), str(BASE_DIR)]),
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DJANGO_SESSION_CONTRACT="1",
        DJANGO_TEST_SESSION_TOKEN=token,
    )
    if connection.vendor == "postgresql":
        # A test database of its own: the run's pytest-django would otherwise drop and
        # remake this one's (same name), under the connections of this run.
        env["DATABASE_URL"] = database_url(f"{connection.settings_dict['NAME']}_contract")
    try:
        run = subprocess.run(  # noqa: S603 -- fixed argv
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "-o",
                "addopts=",
                "--rootdir",
                str(tmp_path),
                str(tmp_path / "test_contract.py"),
            ],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        if os.environ.get("REDIS_URL"):
            prefix = settings.CACHES["default"]["KEY_PREFIX"]
            delete_cache_keys(prefix.removesuffix(settings.TEST_SESSION_TOKEN) + token)

    summary = run.stdout.strip().splitlines()[-1] if run.stdout.strip() else ""
    counts = {kind: int(count) for count, kind in RESULT_RE.findall(summary)}
    print(summary)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    # Every class ran: a collection that found nothing would pass too.
    assert counts.get("passed", 0) > 250, summary
    assert not counts.get("xpassed"), summary
