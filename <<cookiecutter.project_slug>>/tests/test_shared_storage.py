"""Uploaded files on two app hosts: with the DJANGO_AWS_* settings, a mugshot uploaded
through one host is stored in S3-compatible object storage and served through the other.

The object storage is a real S3 API (moto in server mode, over HTTP on 127.0.0.1); the two
hosts are two gunicorn processes under production settings, sharing PostgreSQL and Redis
as app hosts behind a load balancer do. Needs DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

import os
import secrets
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import boto3
import pytest
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from PIL import Image

from .conftest import collectstatic, database_url, free_port
from .dev_server import wait_until_up

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="two app hosts need PostgreSQL and Redis (DATABASE_URL, REDIS_URL)",
    ),
    pytest.mark.database,
]
BASE_DIR = Path(__file__).resolve().parent.parent
BUCKET = "site-media"
S3_KEYS = {"DJANGO_AWS_ACCESS_KEY_ID": "testing", "DJANGO_AWS_SECRET_ACCESS_KEY": "testing"}


class Processes:
    """Background processes of the test, each with its output in a file; all stopped."""

    def __init__(self, folder):
        self.folder = folder
        self.running = []

    def start(self, name, command, env):
        output = self.folder / f"{name}.out"
        with output.open("w") as sink:
            process = subprocess.Popen(  # noqa: S603 - our own interpreter, fixed arguments
                command, cwd=BASE_DIR, env=env, stdout=sink, stderr=subprocess.STDOUT
            )
        self.running.append(process)
        return process, output

    def stop(self):
        for process in self.running:
            process.terminate()
        for process in self.running:
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


@pytest.fixture
def processes(tmp_path):
    started = Processes(tmp_path)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def s3(processes):
    """moto's S3 server on a port of its own, with an empty bucket; yields its URL."""
    port = free_port()
    command = [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)]
    process, output = processes.start("moto", command, dict(os.environ))
    url = f"http://127.0.0.1:{port}"
    wait_until_up(f"{url}/moto-api/", process, output)
    client = boto3.client(
        "s3",
        endpoint_url=url,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        region_name="us-east-1",
    )
    client.create_bucket(Bucket=BUCKET)
    return url, client


@pytest.fixture
def hosts(s3, processes, tmp_path):
    """Two app hosts (gunicorn, production settings) sharing the database, Redis and S3."""
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("DJANGO_")},
        **S3_KEYS,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": database_url(),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_STATIC_ROOT": str(tmp_path / "static"),
        "FACEBOOK_APP_ID": "1234567890",
        "FACEBOOK_APP_SECRET": secrets.token_hex(16),
        "DJANGO_AWS_STORAGE_BUCKET_NAME": BUCKET,
        "DJANGO_AWS_S3_ENDPOINT_URL": s3[0],
        "DJANGO_AWS_S3_REGION_NAME": "us-east-1",
        "WEB_CONCURRENCY": "1",
        # The test session's keys, deleted with them when it ends.
        "REDIS_KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
    }
    collectstatic(env)
    urls = []
    for name in ("host-a", "host-b"):
        port = free_port()
        command = [sys.executable, "-m", "gunicorn", "-c", "config/gunicorn.py", "config.wsgi"]
        process, output = processes.start(
            name, command, {**env, "GUNICORN_BIND": f"127.0.0.1:{port}"}
        )
        wait_until_up(f"http://127.0.0.1:{port}/healthz", process, output)
        urls.append(f"http://127.0.0.1:{port}")
    return urls


def png(size=(300, 200)):
    buffer = BytesIO()
    Image.new("RGB", size, (24, 119, 242)).save(buffer, "PNG")
    return buffer.getvalue()


def test_a_mugshot_uploaded_on_one_host_is_served_by_the_other(hosts, s3):
    host_a, host_b = hosts
    _, storage = s3
    user = get_user_model().objects.create_user("grace", "grace@example.org", "pw-12345-long")
    client = Client()
    client.force_login(user)
    # Behind the load balancer, as production expects: HTTPS said by X-Forwarded-Proto. The
    # cookies are given by hand: requests keeps Secure cookies for https URLs.
    https = {"X-Forwarded-Proto": "https"}
    cookies = {"sessionid": client.cookies["sessionid"].value}
    edit = f"{host_a}/accounts/grace/edit/"
    form = requests.get(edit, headers=https, cookies=cookies, timeout=30)
    assert form.status_code == 200, form.text[:2000]
    cookies["csrftoken"] = form.cookies["csrftoken"]

    # Other tests (the development server's) may have left files on this disk: none is added.
    local_files = set((BASE_DIR / "media").rglob("*"))
    upload = requests.post(
        edit,
        data={"csrfmiddlewaretoken": cookies["csrftoken"], "privacy": "registered"},
        files={"mugshot": ("me.png", png(), "image/png")},
        # The page the browser saw was https: so is its Referer, which CSRF checks.
        headers={**https, "Referer": edit.replace("http://", "https://", 1)},
        cookies=cookies,
        allow_redirects=False,
        timeout=30,
    )

    assert upload.status_code == 302, upload.text[:2000]
    stored = storage.list_objects_v2(Bucket=BUCKET)["Contents"]
    assert len(stored) == 1
    assert stored[0]["Key"].startswith("media/")
    assert set((BASE_DIR / "media").rglob("*")) == local_files
    served = requests.get(
        f"{host_b}/accounts/grace/mugshot/", headers=https, cookies=cookies, timeout=30
    )
    assert served.status_code == 200
    assert served.content == storage.get_object(Bucket=BUCKET, Key=stored[0]["Key"])["Body"].read()
    with Image.open(BytesIO(served.content)) as picture:
        assert picture.size == (80, 80)
    # Still private: a visitor gets nothing.
    visitor = requests.get(f"{host_a}/accounts/grace/mugshot/", headers=https, timeout=30)
    assert visitor.status_code == 404
