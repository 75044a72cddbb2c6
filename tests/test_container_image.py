"""Each registration system's container image, built from the baked site's Dockerfile and run
the way its README says: migrate against the machine's PostgreSQL and Redis, then a whole
login through the Facebook stand-in over HTTPS, /readyz healthy, the HEALTHCHECK passing and
no process running as root. compose.yaml is checked too.

No registry is reachable here, so the base image is made with debootstrap from the Debian
mirror apt already uses (a bookworm minbase with python3), once per machine, and passed to
the Dockerfile's BASE_IMAGE argument. Needs root, podman (with runc) and debootstrap, as
.ci/run installs them; without them the tests skip, except in CI, where they fail. podman
runs with a configuration of the tests' own (PODMAN_CONF), so nothing of the machine's
needs changing first.

The base image is kept after the run (about 220 MB, `podman rmi` removes it): making it
again costs a debootstrap, and every later run on the machine reuses it.
"""

import hashlib
import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
import requests
from bakes import BACKENDS, locked_versions, own_database_url
from conftest import run

# The template's one free_port is the scale-out package's (scripts/scale_out/network.py).
from scripts.scale_out.network import free_port

pytestmark = pytest.mark.slow

BASE_IMAGE = "localhost/cookiecutter-django-facebook-base:bookworm"
DEBIAN_SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
# The stand-in's app, as the test settings define it.
APP_ID = "100000000000001"
APP_SECRET = "fakebook-test-app-secret"  # noqa: S105 - the stand-in's own, public
SITE_UID = "10001"
# How long a container gets to answer its first request.
START_SECONDS = 120


def missing_tools():
    tools = [tool for tool in ("podman", "debootstrap", "openssl") if not shutil.which(tool)]
    if os.geteuid() != 0:
        tools.append("root")
    if not os.environ.get("DATABASE_URL") or not os.environ.get("REDIS_URL"):
        tools.append("DATABASE_URL and REDIS_URL")
    return tools


# What these machines need of podman, and the tests give it through CONTAINERS_CONF: root in
# a VM may not raise its own rlimits (podman's defaults ask to: "error setting rlimits ...
# operation not permitted"), and crun refuses the hybrid cgroup layout, runc does not.
PODMAN_CONF = """\
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
[engine]
runtime = "runc"
"""


@pytest.fixture(scope="module", autouse=True)
def container_tools(tmp_path_factory):
    """Skip (fail in CI) without the tools; point every podman call at PODMAN_CONF."""
    missing = missing_tools()
    if missing:
        message = f"container image tests need {', '.join(missing)} (.ci/run sets them up)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    conf = tmp_path_factory.mktemp("podman") / "containers.conf"
    conf.write_text(PODMAN_CONF)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CONTAINERS_CONF", str(conf))
        yield


def podman(*args, timeout=600):
    return run(["podman", *args], cwd=None, timeout=timeout)


def attempt(*command, **options):
    """Run a command whose failure is an answer (or does not matter): no test failure."""
    return subprocess.run(command, capture_output=True, text=True, check=False, **options)


def psql(statement):
    """Run a statement on the server of DATABASE_URL, in its maintenance database."""
    maintenance = own_database_url(os.environ["DATABASE_URL"], "postgres")
    return run(["psql", maintenance, "-c", statement], cwd=None)


def debian_mirror():
    """The mirror apt uses on this machine (its first URIs line)."""
    match = re.search(r"^URIs:\s*(\S+)", DEBIAN_SOURCES.read_text(), re.MULTILINE)
    assert match, f"no URIs line in {DEBIAN_SOURCES}"
    return match.group(1)


@pytest.fixture(scope="session")
def base_image(tmp_path_factory):
    """A Debian bookworm image with python3, made once per machine and reused after."""
    if attempt("podman", "image", "exists", BASE_IMAGE).returncode == 0:
        return BASE_IMAGE
    rootfs = tmp_path_factory.mktemp("rootfs")
    run(
        [
            "debootstrap",
            "--variant=minbase",
            "--include=python3,python3-venv,ca-certificates",
            "bookworm",
            rootfs,
            debian_mirror(),
        ],
        cwd=None,
    )
    sources = rootfs / "etc/apt/sources.list.d"
    sources.mkdir(parents=True, exist_ok=True)
    shutil.copy(DEBIAN_SOURCES, sources / DEBIAN_SOURCES.name)
    (rootfs / "etc/apt/sources.list").unlink(missing_ok=True)
    for path in (rootfs / "var/lib/apt/lists").glob("*"):
        if path.is_file():
            path.unlink()
    for name in ("etc/resolv.conf", "etc/hostname"):
        (rootfs / name).write_text("")
    tar = subprocess.Popen(["tar", "-C", rootfs, "-c", "."], stdout=subprocess.PIPE)  # noqa: S607
    imported = attempt(
        "podman", "import", "--change", 'CMD ["/bin/bash"]', "-", BASE_IMAGE, stdin=tar.stdout
    )
    tar.stdout.close()
    assert tar.wait() == 0
    assert imported.returncode == 0, imported.stderr
    shutil.rmtree(rootfs, ignore_errors=True)
    return BASE_IMAGE


@pytest.fixture(scope="session")
def certificate(tmp_path_factory):
    """A self-signed certificate for 127.0.0.1: the stand-in and the site serve HTTPS with it,
    and the site's Graph client trusts it (REQUESTS_CA_BUNDLE)."""
    folder = tmp_path_factory.mktemp("tls")
    run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            folder / "key.pem",
            "-out",
            folder / "cert.pem",
        ],
        cwd=folder,
    )
    # Read by the containers' non-root user; a throw-away key for this test only.
    (folder / "key.pem").chmod(0o644)
    folder.chmod(0o755)
    return folder


@pytest.fixture(scope="module", params=BACKENDS)
def image(request, bake, base_image, tmp_path_factory):
    """The baked site's image, built as its README says, with the local base image."""
    backend = request.param
    site = bake(tmp_path_factory.mktemp(f"image-{backend}"), registration_backend=backend)
    tag = f"localhost/cookiecutter-django-facebook-{backend}:test"
    podman(
        "build",
        "--format=docker",
        # No intermediate images left behind: every bake's site differs anyway.
        "--layers=false",
        "--network=host",
        f"--build-arg=BASE_IMAGE={base_image}",
        f"--volume={HOST_CA}:/run/host-ca.crt:ro",
        f"--tag={tag}",
        site,
    )
    yield backend, site, tag
    attempt("podman", "rmi", "--force", tag)


class Container:
    """A container of the image on the host's network, removed at the end."""

    def __init__(self, tag, name, env, certificate):
        self.name = name
        options = [f"--env={key}={value}" for key, value in env.items()]
        podman(
            "run",
            "--detach",
            "--network=host",
            f"--name={name}",
            f"--volume={certificate}:/run/tls:ro",
            *options,
            tag,
        )

    def logs(self):
        result = attempt("podman", "logs", self.name)
        return result.stdout + result.stderr

    def wait_until_up(self, url, certificate):
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            try:
                return requests.get(url, verify=str(certificate / "cert.pem"), timeout=5)
            except (requests.ConnectionError, requests.Timeout):
                time.sleep(0.5)
        pytest.fail(f"{self.name} did not answer {url}:\n{self.logs()[-5000:]}")

    def remove(self):
        attempt("podman", "rm", "--force", "--time=5", self.name)


def https_gunicorn(port):
    """gunicorn's settings for serving HTTPS on 127.0.0.1:port with the test's certificate."""
    return {
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_CERTFILE": "/run/tls/cert.pem",
        "GUNICORN_KEYFILE": "/run/tls/key.pem",
    }


@pytest.fixture(scope="module")
def deployment(image, certificate):
    """The stand-in and the site, each a container of the image serving HTTPS on 127.0.0.1;
    the site migrated on a PostgreSQL database of its own."""
    backend, site, tag = image
    run_id = hashlib.sha256(str(site).encode()).hexdigest()[:8]
    database_url = own_database_url(os.environ["DATABASE_URL"], f"image_{backend}_{run_id}")
    site_port, stand_in_port = free_port(), free_port()
    stand_in = f"https://127.0.0.1:{stand_in_port}/fakebook"
    # Every key the containers write is under this run's prefix, deleted at the end.
    redis_prefix = f"image-{backend}-{run_id}"
    common = {
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ["REDIS_URL"],
        "REDIS_KEY_PREFIX": redis_prefix,
        "DJANGO_SECRET_KEY": hashlib.sha256(run_id.encode()).hexdigest(),
        "WEB_CONCURRENCY": "2",
    }
    site_env = {
        **common,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "FACEBOOK_APP_ID": APP_ID,
        "FACEBOOK_APP_SECRET": APP_SECRET,
        "FACEBOOK_WWW_URL": f"{stand_in}/www",
        "FACEBOOK_GRAPH_URL": f"{stand_in}/graph",
        "FACEBOOK_REDIRECT_URI": f"https://127.0.0.1:{site_port}/facebook/callback/",
        "REQUESTS_CA_BUNDLE": "/run/tls/cert.pem",
        "EMAIL_URL": "consolemail://",
    }
    database = urlsplit(database_url).path[1:]
    psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
    psql(f"CREATE DATABASE {database}")
    containers = []
    try:
        podman(
            "run",
            "--rm",
            "--network=host",
            *[f"--env={key}={value}" for key, value in site_env.items()],
            tag,
            "python",
            "manage.py",
            "migrate",
            "--no-input",
        )
        # The stand-in runs from the same image under the test settings, which install it.
        containers.append(
            Container(
                tag,
                f"fakebook-{backend}-{run_id}",
                {
                    **common,
                    **https_gunicorn(stand_in_port),
                    "DJANGO_SETTINGS_MODULE": "config.settings.test",
                    # The test settings' own prefix, made of this token.
                    "DJANGO_TEST_SESSION_TOKEN": redis_prefix,
                },
                certificate,
            )
        )
        containers.append(
            Container(
                tag,
                f"site-{backend}-{run_id}",
                {**site_env, **https_gunicorn(site_port)},
                certificate,
            )
        )
        for container, port in zip(containers, (stand_in_port, site_port), strict=True):
            container.wait_until_up(f"https://127.0.0.1:{port}/healthz", certificate)
        yield f"https://127.0.0.1:{site_port}", containers[1], str(certificate / "cert.pem")
    finally:
        for container in containers:
            container.remove()
        psql(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        delete_redis_keys(os.environ["REDIS_URL"], f"*{redis_prefix}:*")


def delete_redis_keys(url, pattern):
    """Delete the keys matching the pattern (never FLUSHDB: the database may be shared)."""
    listed = attempt("redis-cli", "-u", url, "--scan", "--pattern", pattern)
    keys = listed.stdout.split()
    for start in range(0, len(keys), 500):
        attempt("redis-cli", "-u", url, "del", *keys[start : start + 500])


def submit(session, response, button_text):
    """Submit the form of the page whose button contains button_text, as a browser would."""
    forms = re.findall(r"<form\b(.*?)</form>", response.text, re.DOTALL)
    for form in forms:
        for name, value, text in re.findall(
            r'<button[^>]*name="([^"]*)"[^>]*value="([^"]*)"[^>]*>(.*?)</button>', form, re.DOTALL
        ):
            if button_text in " ".join(text.split()):
                fields = dict(re.findall(r'<input[^>]*name="([^"]*)"[^>]*value="([^"]*)"', form))
                action = re.search(r'action="([^"]*)"', form).group(1).replace("&amp;", "&")
                return session.post(
                    urljoin(response.url, action),
                    data={**fields, name: value},
                    headers={"Referer": response.url},
                    timeout=30,
                )
    raise AssertionError(f"no button {button_text!r} on {response.url}:\n{response.text[:2000]}")


def test_a_whole_login_through_the_image(deployment):
    url, _, certificate = deployment
    browser = requests.Session()
    # This machine's CA bundle variables would override the session's own verify setting.
    browser.trust_env = False
    browser.verify = certificate

    dialog = browser.get(f"{url}/facebook/login/", params={"next": "/privacy/"}, timeout=30)
    assert dialog.status_code == 200, dialog.text[:2000]
    assert "/fakebook/www/" in dialog.url
    landing = submit(browser, dialog, "Continue as Ada Lovelace")

    assert landing.status_code == 200, landing.text[:2000]
    assert landing.url.startswith(url), landing.url
    assert "fb_error_or_cancel" not in landing.url
    assert "Ada" in landing.text
    assert "Log out" in landing.text or "Sign out" in landing.text


def test_ready_healthy_and_not_root(deployment):
    url, site, certificate = deployment

    assert requests.get(f"{url}/readyz", verify=certificate, timeout=30).status_code == 200
    # The image's HEALTHCHECK, run by hand (podman schedules none without systemd).
    podman("healthcheck", "run", site.name, timeout=60)
    users = podman("top", site.name, "user", "args").splitlines()[1:]
    assert users and len(users) >= 3, users  # gunicorn's master and its two workers
    assert all(line.split()[0] not in ("root", "0") for line in users), users
    assert podman("exec", site.name, "id", "-u").strip() == SITE_UID


# The image's installed distributions, {normalised name: version}, as Python itself lists them
# (the image has no pip), and the values of the lock's environment markers there (its Python
# is not the test's: Debian's 3.11.2 takes async-timeout, for one).
DISTRIBUTIONS = """
import importlib.metadata, json, os, platform, re, sys
print(json.dumps({
    "installed": {
        re.sub(r"[-_.]+", "-", d.metadata["Name"]).lower(): d.version
        for d in importlib.metadata.distributions()
    },
    "markers": {
        "python_version": ".".join(platform.python_version_tuple()[:2]),
        "python_full_version": platform.python_version(),
        "implementation_name": sys.implementation.name,
        "implementation_version": platform.python_version(),
        "platform_python_implementation": platform.python_implementation(),
        "os_name": os.name,
        "sys_platform": sys.platform,
        "platform_system": platform.system(),
        "platform_machine": platform.machine(),
        "platform_release": platform.release(),
        "platform_version": platform.version(),
    },
}))
"""


def test_the_image_installs_exactly_the_locks_versions(image):
    _, site, tag = image
    # stdout alone: podman adds warnings of its own on stderr.
    listed = attempt("podman", "run", "--rm", tag, "python", "-c", DISTRIBUTIONS)
    assert listed.returncode == 0, listed.stderr
    image = json.loads(listed.stdout)
    installed = image["installed"]

    locked = locked_versions((site / "requirements.txt").read_text(), image["markers"])
    assert len(installed) > 15, installed
    assert {
        name: (version, locked.get(name))
        for name, version in installed.items()
        if locked.get(name) != version
    } == {}
    # The runtime only: none of the lock's test and development tools.
    assert not {"pytest", "uv", "ruff", "playwright", "djlint"} & installed.keys()


def test_the_image_holds_no_secret_or_test(image):
    _, _, tag = image
    listing = podman("run", "--rm", tag, "ls", "-a", "/app")

    assert ".env" not in listing.split()
    assert "tests" not in listing.split()
    assert "staticfiles" in listing.split()
