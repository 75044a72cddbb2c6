"""The baked site's compose.yaml, read by podman-compose as `docker compose` would: the
services production needs, the environment it requires, and nothing secret in the file."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

PODMAN_COMPOSE = Path(sys.executable).with_name("podman-compose")
REQUIRED = {
    "DJANGO_SECRET_KEY": "a-secret-key-for-this-test",
    "POSTGRES_PASSWORD": "pgpassword1",
    "EMAIL_URL": "smtp+tls://mailer:password@mail.example.com:587",
    "FACEBOOK_APP_ID": "1234567890",
    "FACEBOOK_APP_SECRET": "an-app-secret",
}


@pytest.fixture(scope="module")
def site(bake, tmp_path_factory):
    site = bake(tmp_path_factory.mktemp("compose"))
    # compose reads the .env beside compose.yaml: the bake's local one would answer for
    # the environment this test leaves out.
    (site / ".env").unlink()
    return site


def compose_config(site, **env):
    return subprocess.run(
        [PODMAN_COMPOSE, "config"],
        cwd=site,
        env={"PATH": "/usr/bin:/bin", **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_compose_file_has_the_production_services(site):
    result = compose_config(site, **REQUIRED, WEB_REPLICAS="4")
    assert result.returncode == 0, result.stderr
    services = yaml.safe_load(result.stdout)["services"]

    assert set(services) == {"migrate", "web", "proxy", "db", "redis"}
    web = services["web"]
    assert int(web["deploy"]["replicas"]) == 4
    assert web["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    assert web["environment"]["DATABASE_URL"] == "postgres://site:pgpassword1@db:5432/site"
    assert web["environment"]["REDIS_URL"] == "redis://redis:6379/0"
    assert "ports" not in web  # reached through the proxy only
    assert services["proxy"]["ports"] == ["80:80", "443:443"]
    assert services["migrate"]["command"][-2:] == ["migrate", "--no-input"]
    for name in ("db", "redis"):
        assert services[name]["healthcheck"]["test"]


@pytest.mark.parametrize("missing", sorted(REQUIRED))
def test_each_required_variable_is_asked_for(site, missing):
    env = {key: value for key, value in REQUIRED.items() if key != missing}
    result = compose_config(site, **env)

    assert result.returncode != 0
    assert f"set {missing}" in result.stdout + result.stderr


# A variable holding a secret, by its name; a URL's password (scheme://user:password@host).
SECRET_NAME = re.compile(r"SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE_KEY|API_KEY", re.I)
URL_PASSWORD = re.compile(r"://[^/:@\s]*:([^@/\s]+)@")
NAME_VALUE = re.compile(r"\w+=.*", re.S)
# ${NAME:?message} or ${NAME?message}: the value comes from the environment, which must
# have it; any other interpolation (${NAME:-default}) may fall back to what is written.
REQUIRED_REFERENCE = re.compile(r"\$\{\w+:?\?[^}]*\}")
FROM_ENVIRONMENT = "\0"


def written_settings(node, where="compose.yaml"):
    """(where, name, value) of every string setting in the parsed file: each mapping's
    entries, and each list's NAME=value strings (compose's list form of an environment)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if isinstance(value, str):
                yield where, str(key), value
            else:
                yield from written_settings(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            if isinstance(item, str) and NAME_VALUE.fullmatch(item):
                yield f"{where}[{index}]", *item.split("=", 1)
            elif not isinstance(item, str):
                yield from written_settings(item, f"{where}[{index}]")


def test_the_file_holds_no_secret(site):
    """Every secret the services get comes from the environment, which must hold it: no
    secret variable's value, no password in a URL, and no default of either is written in
    compose.yaml itself."""
    document = yaml.safe_load((site / "compose.yaml").read_text())
    secret_names, urls, written = set(), set(), []
    for where, name, value in written_settings(document):
        # What the file itself supplies: a required reference stands for the environment.
        supplied = REQUIRED_REFERENCE.sub(FROM_ENVIRONMENT, value)
        if SECRET_NAME.search(name):
            secret_names.add(name)
            if not supplied or supplied.strip(FROM_ENVIRONMENT):
                written.append((where, name, value))
        for password in URL_PASSWORD.findall(supplied):
            urls.add(name)
            if password.strip(FROM_ENVIRONMENT):
                written.append((where, name, value))

    assert written == []
    # The check saw the secrets production needs (compose.yaml's header lists them).
    assert {"DJANGO_SECRET_KEY", "FACEBOOK_APP_SECRET", "POSTGRES_PASSWORD"} <= secret_names
    assert "DATABASE_URL" in urls
