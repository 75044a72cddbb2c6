"""Production settings, loaded in a subprocess with a production environment: the deploy
checks pass with no warning, every page carries the security headers, and the Facebook
stand-in cannot be switched on."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

BASE_DIR = Path(__file__).resolve().parent.parent

HEADERS_SCRIPT = """
import json, django
django.setup()
from django.apps import apps
from django.test import Client
client = Client(headers={"host": "example.com"})
https = client.get("/privacy/", secure=True)
http = client.get("/privacy/")
stand_in = client.get("/fakebook/www/v26.0/dialog/oauth", secure=True)
print(json.dumps({
    "status": https.status_code,
    "headers": dict(https.headers),
    "http_status": http.status_code,
    "http_location": http.headers.get("Location"),
    "fakebook_installed": apps.is_installed("fakebook"),
    "stand_in_status": stand_in.status_code,
}))
"""


def run(args, env):
    return subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_deploy_checks_pass_without_a_warning(production_env):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_security_headers_and_https(production_env):
    collected = run(["manage.py", "collectstatic", "--noinput", "-v0"], production_env)
    assert collected.returncode == 0, collected.stderr
    result = run(["-c", HEADERS_SCRIPT], production_env)
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    headers = {key.lower(): value for key, value in answer["headers"].items()}
    assert answer["status"] == 200
    # Subdomains and the preload list are opt-ins (test_hsts_opt_ins).
    assert headers["strict-transport-security"] == "max-age=31536000"
    assert headers["x-frame-options"] == "DENY"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["cross-origin-opener-policy"] == "same-origin"
    csp = headers["content-security-policy"]
    for directive in ("default-src 'self'", "frame-ancestors 'none'", "object-src 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp
    assert answer["http_status"] == 301
    assert answer["http_location"] == "https://example.com/privacy/"
    assert answer["fakebook_installed"] is False
    assert answer["stand_in_status"] == 404


def test_hsts_opt_ins(production_env):
    production_env.update(
        DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="true", DJANGO_SECURE_HSTS_PRELOAD="true"
    )
    checked = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], production_env)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert run(["manage.py", "collectstatic", "--noinput", "-v0"], production_env).returncode == 0
    result = run(["-c", HEADERS_SCRIPT], production_env)
    headers = json.loads(result.stdout.strip().splitlines()[-1])["headers"]

    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"


def test_the_stand_in_cannot_be_enabled_in_production(production_env, tmp_path):
    (tmp_path / "production_with_standin.py").write_text(
        "from config.settings.production import *\nINSTALLED_APPS += ['fakebook']\n"
    )
    production_env["DJANGO_SETTINGS_MODULE"] = "production_with_standin"
    result = run(["manage.py", "check"], production_env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "The Facebook stand-in (fakebook) is installed while DEBUG is off" in result.stderr
