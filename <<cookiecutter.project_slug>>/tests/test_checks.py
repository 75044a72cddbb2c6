"""System checks: wrong FACEBOOK_* settings are reported at start-up with their id."""

import pytest
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from django_facebook.checks import check_facebook_deploy
from django_facebook.registration_backends import get_registration_backend


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
