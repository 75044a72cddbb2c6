"""The baked site's compose.yaml, read by podman-compose as `docker compose` would: the
services production needs, the environment it requires, and nothing secret in the file."""

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


def test_the_file_holds_no_secret(site):
    text = (site / "compose.yaml").read_text()
    for value in REQUIRED.values():
        assert value not in text
