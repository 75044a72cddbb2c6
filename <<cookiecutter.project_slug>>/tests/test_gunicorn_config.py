"""config/gunicorn.py, the README's deploy command: its values from the environment, and a
real gunicorn started with it under production settings, whose every output line is one JSON
object, with no control socket and no query string in its access log."""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests

from config.healthcheck import healthz_url

from .conftest import collectstatic, free_port
from .dev_server import wait_until_up

pytestmark = pytest.mark.system_independent

BASE_DIR = Path(__file__).resolve().parent.parent
GUNICORN = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py"]


@pytest.fixture
def gunicorn_env(production_env, tmp_path):
    """Production settings, none of gunicorn's variables, and a home of the test's own
    (where gunicorn would put a control socket)."""
    env = {
        key: value
        for key, value in production_env.items()
        if not key.startswith(("GUNICORN_", "WEB_CONCURRENCY"))
    }
    env["HOME"] = str(tmp_path)
    return env


def printed_config(env):
    """gunicorn's resolved settings, as `--print-config` shows them."""
    result = subprocess.run(  # noqa: S603 - our own interpreter running gunicorn
        [*GUNICORN, "--print-config", "config.wsgi"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    config = {}
    for line in result.stdout.splitlines():
        name, equals, value = line.partition(" = ")
        if equals:
            config[name.strip()] = value.strip()
    assert config, result.stdout + result.stderr
    return config


def test_defaults_follow_the_cpus(gunicorn_env):
    config = printed_config(gunicorn_env)

    assert int(config["workers"]) == 2 * len(os.sched_getaffinity(0)) + 1
    assert int(config["threads"]) > 1
    assert config["control_socket_disable"] == "True"
    assert int(config["max_requests"]) > 0
    assert 0 < int(config["max_requests_jitter"]) < int(config["max_requests"])
    assert int(config["graceful_timeout"]) <= int(config["timeout"])
    assert config["accesslog"] == "-"
    assert "%(q)s" not in config["access_log_format"]
    assert "%(r)s" not in config["access_log_format"]


def test_the_environment_sets_them(gunicorn_env, tmp_path):
    gunicorn_env.update(
        WEB_CONCURRENCY="7",
        GUNICORN_THREADS="3",
        GUNICORN_TIMEOUT="50",
        GUNICORN_KEEPALIVE="9",
        GUNICORN_BIND="0.0.0.0:9000",
        GUNICORN_CONTROL_SOCKET=str(tmp_path / "site.ctl"),
    )
    config = printed_config(gunicorn_env)

    assert config["workers"] == "7"
    assert config["threads"] == "3"
    assert config["timeout"] == "50"
    assert config["keepalive"] == "9"
    assert config["bind"] == "['0.0.0.0:9000']"
    assert config["control_socket_disable"] == "False"
    assert config["control_socket"] == str(tmp_path / "site.ctl")


@pytest.fixture
def served(gunicorn_env, tmp_path):
    """Run gunicorn with the config; yield (url, a function that stops it and returns its
    output lines)."""
    collectstatic(gunicorn_env)
    port = free_port()
    gunicorn_env.update(WEB_CONCURRENCY="2", GUNICORN_BIND=f"127.0.0.1:{port}")
    output = tmp_path / "gunicorn.out"
    with output.open("w") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter running gunicorn
            [*GUNICORN, "config.wsgi"],
            cwd=BASE_DIR,
            env=gunicorn_env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"

    def stop():
        process.send_signal(signal.SIGTERM)
        process.wait(30)
        return output.read_text().splitlines()

    try:
        wait_until_up(f"{url}/healthz", process, output)
        yield url, stop
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)


@pytest.mark.parametrize(
    ("environ", "url"),
    [
        ({}, "http://127.0.0.1:8000/healthz"),
        ({"GUNICORN_BIND": "0.0.0.0:9000"}, "http://127.0.0.1:9000/healthz"),
        ({"GUNICORN_BIND": "[::]:8000"}, "http://[::1]:8000/healthz"),
        (
            {"GUNICORN_BIND": "10.0.0.5:80", "GUNICORN_CERTFILE": "c.pem"},
            "https://10.0.0.5:80/healthz",
        ),
    ],
)
def test_the_container_healthcheck_asks_what_gunicorn_serves(environ, url):
    assert healthz_url(environ) == url


@pytest.mark.slow
def test_every_line_is_json_and_no_control_socket(served, tmp_path):
    url, stop = served
    healthz = requests.get(
        f"{url}/healthz?code=SECRET-CODE&state=SECRET-STATE",
        headers={"Host": "10.1.2.3:8000", "X-Request-ID": "lb-trace-0001"},
        timeout=10,
    )
    bad_host = requests.get(
        f"{url}/privacy/?code=SECRET-CODE", headers={"Host": "evil.example"}, timeout=10
    )
    healthcheck = subprocess.run(
        [sys.executable, "-m", "config.healthcheck"],
        cwd=BASE_DIR,
        env={"GUNICORN_BIND": urlsplit(url).netloc, "PATH": os.environ["PATH"]},
        check=False,
    )
    lines = stop()

    assert healthcheck.returncode == 0
    assert healthz.status_code == 200
    assert healthz.headers["X-Request-ID"] == "lb-trace-0001"
    assert bad_host.status_code == 400
    assert lines
    records = [json.loads(line) for line in lines]  # each line one JSON object
    assert all({"time", "level", "logger", "message"} <= record.keys() for record in records)
    access = [record for record in records if record.get("request_id") == "lb-trace-0001"]
    assert len(access) == 1
    assert access[0]["logger"] == "gunicorn.access"
    assert {"method": "GET", "path": "/healthz", "status": 200}.items() <= access[0].items()
    security = [record for record in records if record["logger"].startswith("django.security")]
    assert len(security) == 1
    assert security[0]["request_id"] == bad_host.headers["X-Request-ID"]
    assert "SECRET" not in "\n".join(lines)
    assert any(record["message"].startswith("Shutting down") for record in records)
    assert not (tmp_path / ".gunicorn").exists()
