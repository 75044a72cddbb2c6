"""The development server as `make run PORT=N` starts it, on a port other than 8000.

The fixture runs the site's own `tasks.py run` environment (local settings, the port it
serves on), its `migrate` and `runserver` on a free port, on a SQLite file of its own and
with no explicit FAKEBOOK_URL: the stand-in's URLs must follow the port from each request,
and the emails (printed on the server's console, as `make run` does) must link to it.
"""

import re
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

import tasks

from .browser import Browser, FormParser

BASE_DIR = Path(__file__).resolve().parent.parent
# Variables that would point the server away from what `make run` uses by default.
NOT_INHERITED = ("DATABASE_URL", "REDIS_URL", "FAKEBOOK_URL", "DJANGO_SITE_DOMAIN", "DJANGO_DEBUG")
PASSWORD = "a-long-passphrase-42"


def free_port():
    """A port nothing listens on now, never 8000 (the default this proves we do not need)."""
    while True:
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port != 8000:
            return port


# A server the tests start gets this long to answer its first request: on a loaded machine
# (CI runs several suites on two cores) a site can take many seconds to import and bind.
START_SECONDS = 60


def wait_until_up(url, process, output):
    """The first answer of `url` from the server `process` starts, whose output goes to the
    file `output`; the test fails with that output if the process ends or never answers."""
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, output.read_text()
        try:
            return requests.get(url, timeout=5)
        except (requests.ConnectionError, requests.Timeout):  # not bound yet, or booting
            time.sleep(0.2)
    pytest.fail(f"{url} did not answer within {START_SECONDS} s:\n{output.read_text()}")


@dataclass
class DevServer:
    url: str
    port: int
    process: subprocess.Popen
    output: list = field(default_factory=list)

    def read_output(self):
        for line in self.process.stdout:
            self.output.append(line)

    def wait_for_output(self, pattern, timeout=30):
        """The first match of `pattern` in what the server printed (its emails among it)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = re.search(pattern, "".join(self.output))
            if match:
                return match
            time.sleep(0.1)
        pytest.fail(f"the server printed no {pattern!r}:\n{''.join(self.output)[-3000:]}")


@pytest.fixture(scope="session")
def dev_server(tmp_path_factory):
    port = free_port()
    env = {name: value for name, value in tasks.run_env(port).items() if name not in NOT_INHERITED}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('dev_server') / 'db.sqlite3'}",
        FACEBOOK_APP_SECRET="",  # the stand-in plays Facebook, as in a fresh site
        PYTHONUNBUFFERED="1",
    )

    def manage(*args, **kwargs):
        command = [sys.executable, "manage.py", *args]
        return subprocess.Popen(  # noqa: S603 - our own interpreter running manage.py
            command, cwd=BASE_DIR, env=env, text=True, **kwargs
        )

    migrate = manage("migrate", "--no-input", stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    assert migrate.wait(300) == 0, migrate.stdout.read()
    process = manage(
        "runserver",
        f"127.0.0.1:{port}",
        "--noreload",
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    server = DevServer(f"http://127.0.0.1:{port}", port, process)
    threading.Thread(target=server.read_output, daemon=True).start()
    try:
        for _ in range(300):
            try:
                requests.get(f"{server.url}/privacy/", timeout=2)
                break
            except requests.ConnectionError:
                assert process.poll() is None, "".join(server.output)
                time.sleep(0.1)
        else:
            pytest.fail(f"runserver did not start:\n{''.join(server.output)}")
        yield server
    finally:
        process.terminate()
        process.wait(10)


def sign_up_by_form(server, path, username):
    """Sign up on the form at `path`; return the browser, on the page the form led to."""
    browser = Browser()
    browser.get(f"{server.url}{path}")
    parser = FormParser()
    parser.feed(browser.response.text)
    form = next(form for form in parser.forms if "username" in form.fields)
    data = dict(
        form.fields,
        username=username,
        email=f"{username}@example.org",
        password1=PASSWORD,
        password2=PASSWORD,
    )
    browser.response = browser.session.post(
        browser.response.url, data=data, headers={"Referer": browser.response.url}, timeout=30
    )
    assert browser.response.status_code == 200, browser.response.text
    return browser


def follow_activation_link(server, browser, username):
    """Open the activation link the server printed for `username`, and press its button."""
    match = server.wait_for_output(rf"(?s)Hello {username},.*?(http://\S+/accounts/activate/\S+)")
    link = match.group(1)
    assert link.startswith(f"{server.url}/"), link
    browser.get(link)
    browser.click("Activate my account")
    return browser
