"""What the template's tests know of a bake, shared by its test modules: the registration
systems, the environment a baked site's commands run in, and the versions its lock pins."""

import json
import os
import re
import shutil
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from packaging.markers import Marker
from packaging.utils import canonicalize_name

TEMPLATE_DIR = Path(__file__).resolve().parent.parent

# Every registration system cookiecutter.json offers (the one list of them); each is baked and
# tested.
BACKENDS = tuple(
    json.loads((TEMPLATE_DIR / "cookiecutter.json").read_text())["registration_backend"]
)

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


def locked_versions(lock_text, environment=None):
    """{normalised name: version} of the lock's pins whose markers hold on this machine, or in
    the given marker environment."""
    pins = {}
    for line in lock_text.splitlines():
        match = re.match(r"^([A-Za-z0-9._-]+)==([^ ;\\]+)\s*(?:;\s*([^\\]+?))?\s*\\?$", line)
        if match and (not match.group(3) or Marker(match.group(3)).evaluate(environment)):
            pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins
