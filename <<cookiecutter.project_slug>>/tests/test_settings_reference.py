"""docs/facebook-settings.md is what `manage.py facebook_settings_reference` prints now: the
settings reference is generated from django_facebook/conf.py, and never drifts from it."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from django_facebook.conf import DEFAULTS
from django_facebook.settings_reference import COMMAND, PAGE, render_value

pytestmark = pytest.mark.system_independent

ROOT = Path(__file__).resolve().parent.parent


def printed():
    out = StringIO()
    call_command("facebook_settings_reference", stdout=out)
    return out.getvalue()


def test_the_committed_page_is_what_the_command_prints():
    committed = (ROOT / PAGE).read_text(encoding="utf-8")
    assert committed == printed(), (
        f"{PAGE} is out of date with django_facebook/conf.py: run `{COMMAND}` "
        "(with .venv/bin/python) and commit the page."
    )


def test_every_setting_has_its_row():
    page = (ROOT / PAGE).read_text(encoding="utf-8")
    missing = [name for name in DEFAULTS if f"| `{name}` |" not in page]
    assert missing == [], f"not in {PAGE}: {missing}; run `{COMMAND}`"


def test_the_page_does_not_depend_on_the_settings_in_force(settings):
    """Every environment prints the same page: the defaults are conf.py's, not the values."""
    before = printed()
    settings.FACEBOOK_API_VERSION = "v1.0"
    settings.FACEBOOK_SCOPE = ["email"]
    assert printed() == before


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("v26.0", '"v26.0"'),
        ("", '""'),
        (["email", "public_profile"], '["email", "public_profile"]'),
        ((3.05, 10.0), "(3.05, 10.0)"),
        ({"client": (30, 60)}, '{"client": (30, 60)}'),
        (None, "None"),
        (2, "2"),
    ],
)
def test_defaults_are_shown_as_they_are_written_in_settings(value, shown):
    assert render_value(value) == shown
