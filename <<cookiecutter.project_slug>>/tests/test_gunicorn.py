"""The site behind gunicorn with several worker processes, on PostgreSQL and Redis.

The login state saved by the worker that starts a login must be found by whichever worker
gets Facebook's callback: sessions live in the database, never in a process. The stand-in
keeps its codes in Redis for the same reason. Needs DATABASE_URL (PostgreSQL) and REDIS_URL.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from .browser import Browser
from .conftest import database_url, free_port
from .dev_server import wait_until_up

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql" or not os.environ.get("REDIS_URL"),
        reason="several processes need PostgreSQL and Redis (DATABASE_URL, REDIS_URL)",
    ),
    pytest.mark.database,
]
BASE_DIR = Path(__file__).resolve().parent.parent
WORKERS = 3
LOGINS = 6
PEOPLE = ["Ada Lovelace", "Katherine Johnson"]


@pytest.fixture
def gunicorn(tmp_path):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=database_url(),
        FACEBOOK_WWW_URL=f"{url}/fakebook/www",
        FACEBOOK_GRAPH_URL=f"{url}/fakebook/graph",
    )
    output = tmp_path / "gunicorn.out"
    with output.open("w") as sink:
        process = subprocess.Popen(  # noqa: S603 - our own interpreter running gunicorn
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                f"--workers={WORKERS}",
                f"--bind=127.0.0.1:{port}",
                "--timeout=30",
                # The site loaded once, before the workers fork: they are all ready as soon as the
                # first answers. Else, on a loaded machine, a callback's Graph call to the
                # stand-in on this same server can wait out its timeout for a worker still booting.
                "--preload",
            ],
            cwd=BASE_DIR,
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_until_up(f"{url}/privacy/", process, output)
        yield url
    finally:
        process.terminate()
        process.wait(10)


def test_logins_succeed_whichever_worker_answers(gunicorn):
    for number in range(LOGINS):
        person = PEOPLE[number % len(PEOPLE)]
        browser = Browser()
        browser.get(f"{gunicorn}/facebook/login/", login_next="/privacy/")
        browser.click(f"Continue as {person}")
        assert "fb_error_or_cancel" not in browser.response.url, browser.response.url
        assert browser.response.status_code == 200
    assert get_user_model().objects.count() == len(PEOPLE)
