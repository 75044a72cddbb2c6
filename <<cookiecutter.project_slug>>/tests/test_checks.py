"""System checks: wrong FACEBOOK_* settings are reported at start-up with their id, and the
pinned Graph API version's end is seen coming (on a fixed clock, never today's date)."""

from datetime import date
from itertools import pairwise

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from django_facebook import checks as facebook_checks
from django_facebook import graph_versions
from django_facebook.checks import (
    VERSION_RE,
    check_api_version_ended,
    check_api_version_ending,
    check_facebook_deploy,
)
from django_facebook.conf import DEFAULTS
from django_facebook.graph_versions import VERSIONS, WARNING_DAYS, GraphVersion
from django_facebook.registration_backends import get_registration_backend

# v25.0, released 2026-02-18, ends 2028-07-29 (Facebook's changelog): the version clock's tests
# pin it, whatever version the site pins.
V25 = "v25.0"
V25_END = date(2028, 7, 29)
# The clock the checks read, before calendar_free replaces it.
REAL_TODAY = facebook_checks._today


@pytest.fixture(autouse=True)
def calendar_free(monkeypatch, settings):
    """Today, for every check of this module: the day the pinned version was released, far
    from its end, so that the tests prove the settings and not the calendar (the version
    clock's tests below give their own day)."""
    pinned = graph_versions.find(settings.FACEBOOK_API_VERSION)
    day = pinned.released if pinned else date(2026, 7, 29)
    monkeypatch.setattr(facebook_checks, "_today", lambda: day)


def ids(errors):
    return sorted(error.id for error in errors)


def check_facebook_settings():
    """Every settings check of django_facebook's, as `manage.py check` runs them."""
    return checks.run_checks(tags=["django_facebook"])


def test_each_check_says_its_id_first():
    """One function a check, in the order of their ids (checks.py)."""
    from django_facebook import checks as facebook_checks

    documented = [
        function.__doc__.split(":")[0]
        for name, function in vars(facebook_checks).items()
        if name.startswith("check_") and name != "check_facebook_deploy"
    ]
    assert documented == sorted(documented)
    assert documented[0] == "E001"


def test_test_settings_pass():
    assert check_facebook_settings() == []


@pytest.mark.parametrize(
    ("name", "value", "error_id"),
    [
        ("FACEBOOK_APP_ID", "", "django_facebook.E001"),
        ("FACEBOOK_APP_ID", "12ab56", "django_facebook.E001"),
        ("FACEBOOK_APP_SECRET", "", "django_facebook.E002"),
        ("FACEBOOK_API_VERSION", "26.0", "django_facebook.E003"),
        ("FACEBOOK_API_VERSION", "latest", "django_facebook.E003"),
        ("FACEBOOK_GRAPH_URL", "graph.facebook.com", "django_facebook.E004"),
        ("FACEBOOK_WWW_URL", "http://www.facebook.com", "django_facebook.E004"),
        ("FACEBOOK_REDIRECT_URI", "/facebook/callback/", "django_facebook.E004"),
        ("FACEBOOK_GRAPH_URL", "/graph", "django_facebook.E004"),
        ("FACEBOOK_WWW_URL", "//evil.example/fakebook/www", "django_facebook.E004"),
        ("FACEBOOK_REGISTRATION_BACKEND", "no.such.Backend", "django_facebook.E005"),
        (
            "FACEBOOK_REGISTRATION_BACKEND",
            "django.contrib.auth.models.User",
            "django_facebook.E005",
        ),
        ("AUTHENTICATION_BACKENDS", ["x.Backend"], "django_facebook.E006"),
        ("FACEBOOK_SCOPE", "email", "django_facebook.E007"),
        ("FACEBOOK_JWKS_URL", "http://limited.facebook.com/jwks/", "django_facebook.E004"),
        ("FACEBOOK_JWKS_URL", "https://evil.example/.well-known/jwks/", "django_facebook.E011"),
        ("FACEBOOK_JWKS_URL", "https://facebook.com.evil.example/jwks/", "django_facebook.E011"),
        (
            "SESSION_ENGINE",
            "django.contrib.sessions.backends.signed_cookies",
            "django_facebook.E010",
        ),
    ],
)
def test_bad_setting_is_an_error(settings, name, value, error_id):
    setattr(settings, name, value)
    errors = check_facebook_settings()
    assert ids(errors) == [error_id]
    assert all(error.level == checks.ERROR for error in errors)


def test_the_stand_in_is_known_by_the_settings_not_by_its_name(settings):
    settings.FACEBOOK_STAND_IN_PATH = None
    settings.FACEBOOK_WWW_URL = "/fakebook/www"
    # Without the setting, the test settings' stand-in URLs (plain http, a path, its keys)
    # are errors like any other URL.
    assert set(ids(check_facebook_settings())) == {"django_facebook.E004", "django_facebook.E011"}


def test_the_stand_in_on_this_site_may_be_a_path(settings):
    settings.FACEBOOK_WWW_URL = "/fakebook/www"
    settings.FACEBOOK_GRAPH_URL = "/fakebook/graph"
    assert check_facebook_settings() == []


def test_bad_backend_path_is_named_in_the_error(settings):
    settings.FACEBOOK_REGISTRATION_BACKEND = "no.such.Backend"
    with pytest.raises(ImproperlyConfigured, match=r"no\.such\.Backend"):
        get_registration_backend()


def test_deploy_wants_a_fixed_redirect_uri(settings):
    settings.FACEBOOK_REDIRECT_URI = ""
    assert ids(check_facebook_deploy()) == ["django_facebook.W001"]
    settings.FACEBOOK_REDIRECT_URI = "https://example.com/facebook/callback/"
    assert check_facebook_deploy() == []


def version_clock(settings, version, today):
    """What the two version checks say of `version` on `today`."""
    settings.FACEBOOK_API_VERSION = version
    return [*check_api_version_ended(today=today), *check_api_version_ending(today=today)]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (date(2028, 1, 30), []),  # the day before the window
        (date(2028, 1, 31), ["django_facebook.W002"]),  # its first day: 180 days left
        (date(2028, 5, 1), ["django_facebook.W002"]),  # inside it
        (date(2028, 7, 28), ["django_facebook.W002"]),  # its last day: 1 day left
        # The end day, when Facebook stops serving it, and after: E012 (check --deploy), and
        # W002 still for the checks of migrate and runserver.
        (date(2028, 7, 29), ["django_facebook.E012", "django_facebook.W002"]),
        (date(2028, 7, 30), ["django_facebook.E012", "django_facebook.W002"]),
        (date(2031, 1, 1), ["django_facebook.E012", "django_facebook.W002"]),
    ],
)
def test_the_pinned_version_is_warned_of_then_an_error(settings, today, expected):
    messages = version_clock(settings, V25, today)
    assert ids(messages) == expected
    levels = {"django_facebook.W002": checks.WARNING, "django_facebook.E012": checks.ERROR}
    assert sorted((message.id, message.level) for message in messages) == [
        (id_, levels[id_]) for id_ in expected
    ]


def test_the_window_is_warning_days_long():
    assert WARNING_DAYS == 180
    assert (V25_END - date(2028, 1, 31)).days == WARNING_DAYS


def test_the_warning_says_when_and_what_to_do(settings):
    [warning] = version_clock(settings, V25, date(2028, 7, 19))
    assert warning.msg == "Graph API v25.0 (FACEBOOK_API_VERSION) ends on 2028-07-29, in 10 days."
    newest = graph_versions.newest(date(2028, 7, 19)).name
    assert f"Move FACEBOOK_API_VERSION to the newest, {newest}" in warning.hint
    assert "django_facebook/graph_versions.py" in warning.hint
    assert "docs/facebook-app.md" in warning.hint
    [one_day] = version_clock(settings, V25, date(2028, 7, 28))
    assert one_day.msg.endswith("in 1 day.")


def test_the_error_says_the_version_ended(settings):
    for message in version_clock(settings, V25, date(2028, 8, 1)):
        assert message.msg.startswith("Graph API v25.0 (FACEBOOK_API_VERSION) ended on 2028-07-29")
        assert "django_facebook/graph_versions.py" in message.hint


def test_a_version_ended_before_the_site_was_made_is_an_error(settings):
    # v19.0 ended on 2026-05-21, before this template's release.
    assert ids(version_clock(settings, "v19.0", date(2026, 12, 6))) == [
        "django_facebook.E012",
        "django_facebook.W002",
    ]


def test_an_end_not_announced_is_not_warned_of(settings):
    unannounced = next(version for version in VERSIONS if version.ends is None)
    for today in (unannounced.released, date(2099, 1, 1)):
        assert version_clock(settings, unannounced.name, today) == []
    assert graph_versions.status(unannounced.name, date(2099, 1, 1)).state == "unannounced"


def test_a_version_not_in_the_table_is_not_judged(settings):
    # A version newer than the table (cruft update brings it), or a malformed one (E003's).
    for version in ("v99.0", "latest"):
        assert version_clock(settings, version, date(2099, 1, 1)) == []
    assert graph_versions.status("v99.0", date(2026, 12, 6)).state == "unknown"


def test_the_pinned_version_is_the_newest_in_the_table(settings, monkeypatch):
    """The hint cannot name a newer version the table does not have: cruft update brings it."""
    monkeypatch.setattr(
        graph_versions, "VERSIONS", (GraphVersion(V25, date(2026, 2, 18), V25_END),)
    )
    [warning] = version_clock(settings, V25, date(2028, 7, 1))
    assert "a newer one (`cruft update` brings the template's newer dates)" in warning.hint


def test_manage_py_check_reads_the_clock(settings, monkeypatch):
    """`manage.py check` runs both, reading today's date through checks._today."""
    settings.FACEBOOK_API_VERSION = V25
    monkeypatch.setattr(facebook_checks, "_today", lambda: date(2028, 6, 1))
    assert ids(check_facebook_settings()) == ["django_facebook.W002"]
    monkeypatch.setattr(facebook_checks, "_today", lambda: date(2028, 7, 29))
    # An ended version stops no migrate, runserver or deployment; check --deploy refuses it.
    assert ids(check_facebook_settings()) == ["django_facebook.W002"]
    deploy = checks.run_checks(tags=["django_facebook"], include_deployment_checks=True)
    assert "django_facebook.E012" in ids(deploy)


def test_the_real_clock_is_todays_date():
    assert REAL_TODAY() == date.today()


@pytest.mark.parametrize(
    ("version", "released", "ends"),
    [
        # The dates of issue 19, from Facebook's changelog.
        ("v19.0", date(2024, 1, 23), date(2026, 5, 21)),
        ("v20.0", date(2024, 5, 21), date(2026, 9, 24)),
        ("v24.0", date(2025, 10, 8), date(2028, 2, 18)),
        ("v25.0", date(2026, 2, 18), date(2028, 7, 29)),
        ("v26.0", date(2026, 7, 29), None),
    ],
)
def test_the_table_holds_facebooks_dates(version, released, ends):
    row = graph_versions.find(version)
    assert row is not None
    assert row.released == released
    # An end Facebook announced never moves; one it had not may have been added since.
    assert row.ends == ends or (ends is None and row.ends is not None)


def test_the_table_is_every_version_newest_first():
    names = [version.name for version in VERSIONS]
    newest = int(names[0][1:].split(".")[0])
    assert names == [f"v{major}.0" for major in range(newest, 0, -1)]
    assert all(VERSION_RE.match(name) for name in names)
    assert DEFAULTS["FACEBOOK_API_VERSION"] in names
    for newer, older in pairwise(VERSIONS):
        assert older.released < newer.released
        assert older.ends is None or older.ends > older.released
        # Facebook ends a version only after the next one ships (since v4.0 every version is
        # a vN.0; before it, v2.1 to v3.3 came between).
        if int(newer.name[1:].split(".")[0]) > 4:
            assert older.ends is None or older.ends > newer.released
    # The newest version's end is never known: the next one has not shipped.
    assert VERSIONS[0].ends is None


def test_the_newest_version_is_the_newest_released_by_then():
    assert graph_versions.newest(date(2026, 8, 1)).name == "v26.0"
    assert graph_versions.newest(date(2026, 11, 4)).name == "v27.0"
