"""The FACEBOOK_* settings reference, docs/facebook-settings.md, as Markdown: generated from
conf.SETTINGS (and the check ids of checks.py), so the page cannot drift from the code.

The page depends on the code only, never on the settings in force, so that every
environment prints the same page (tests/test_settings_reference.py holds the committed one
equal to it).
"""

import re
import textwrap

from django.core.checks.registry import registry

from . import checks
from .conf import SETTINGS
from .graph_versions import WARNING_DAYS

PAGE = "docs/facebook-settings.md"
COMMAND = f"python manage.py facebook_settings_reference > {PAGE}"
# The width of the paragraph's lines; a table row is one line, however long.
WIDTH = 95


def render_value(value: object) -> str:
    """A default as it would be written in the settings: "v26.0", ["email"], (3.05, 10.0)."""
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(render_value(item) for item in value) + "]"
    if isinstance(value, tuple):
        items = [render_value(item) for item in value]
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")"
    if isinstance(value, dict):
        pairs = (f"{render_value(key)}: {render_value(item)}" for key, item in value.items())
        return "{" + ", ".join(pairs) + "}"
    return repr(value)


def check_ids(deploy: bool | None = None) -> list[str]:
    """The ids of django_facebook's system checks ("E001", ..., "W001"), in checks.py's order:
    each check function's docstring starts with its id. `deploy`: only those `check --deploy`
    adds (True), or only the others (False)."""
    return [
        (function.__doc__ or "").split(":")[0]
        for name, function in vars(checks).items()
        if name.startswith("check_")
        and callable(function)
        and (deploy is None or (function in registry.deployment_checks) == deploy)
    ]


def render() -> str:
    """The settings reference: a title, what the table is, and one row a setting, in
    conf.SETTINGS order."""
    ids = check_ids(deploy=False)
    errors = _listed([id_ for id_ in ids if id_.startswith("E")])
    warnings = _listed([id_ for id_ in ids if id_.startswith("W")])
    deploy_warnings = _listed([id_ for id_ in check_ids(deploy=True) if id_.startswith("W")])
    paragraph = (
        "The defaults below are django_facebook's own (`django_facebook/conf.py`); the settings "
        "modules in `config/settings/` (`base.py`, `local.py`, `test.py`, `production.py`) set "
        "some of them per environment, mostly from environment variables (`.env.example`). "
        "Every value is read at call time, so `override_settings` works. A wrong value is a "
        f"system check error with a hint ({errors}), reported by `manage.py check`, "
        f"`runserver` and `migrate`, which also warn ({warnings}) from {WARNING_DAYS} days "
        "before the pinned Graph API version ends "
        "([facebook-app.md](facebook-app.md#the-graph-api-version)); `manage.py check --deploy` "
        f"adds {deploy_warnings}."
    )
    lines = [
        "# The `FACEBOOK_*` settings",
        "",
        *_wrap(paragraph),
        "",
        "| setting | default | meaning |",
        "|---|---|---|",
    ]
    for name, entry in SETTINGS.items():
        default = _cell(f"`{render_value(entry.default)}`")
        lines.append(f"| `{name}` | {default} | {_cell(entry.meaning)} |")
    lines += [
        "",
        f"_Generated from `django_facebook/conf.py` (change the defaults and meanings there) by "
        f"`{COMMAND}`; do not edit by hand._",
    ]
    return "\n".join(lines) + "\n"


def _cell(text: str) -> str:
    """Text made one table cell: on one line, its pipes escaped (as GitHub reads them, in
    code spans too)."""
    return " ".join(text.split()).replace("|", "\\|")


def _listed(ids: list[str]) -> str:
    """`django_facebook.E001`, `E002`, ...: the app's prefix once."""
    return ", ".join(
        f"`django_facebook.{id_}`" if index == 0 else f"`{id_}`" for index, id_ in enumerate(ids)
    )


def _wrap(text: str) -> list[str]:
    """`text` in lines of at most WIDTH characters, none of them breaking a `code span`."""
    kept = re.sub(r"`[^`]*`", lambda span: span.group().replace(" ", "\0"), text)
    lines = textwrap.wrap(kept, WIDTH, break_long_words=False, break_on_hyphens=False)
    return [line.replace("\0", " ") for line in lines]
