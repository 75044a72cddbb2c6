"""/healthz and /readyz: answered whatever the Host header, never cached, never telling more
than "ok" or "unavailable"; /readyz 503 when the host itself cannot serve, and still 200,
within its timeout, when a dependency every host shares fails or hangs (it is logged)."""

import threading

import pytest
from django.db import connections
from django.test import Client

from << cookiecutter.project_slug >> import health

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.system_independent,
    pytest.mark.database,
]

# What a load balancer sends: the app host's own address, a name the site does not serve.
LB_HOSTS = ["10.0.3.7:8000", "[fd00::7]:8000", "app-host-2.internal", "evil.example"]


@pytest.fixture
def lb():
    return Client(raise_request_exception=False)


def assert_plain_and_uncached(response, body):
    assert response.content == body
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert "no-store" in response["Cache-Control"]
    assert "Set-Cookie" not in response
    # The request id goes back, like on every response.
    assert response["X-Request-ID"]


@pytest.mark.parametrize("host", LB_HOSTS)
@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_whatever_the_host(lb, path, host):
    response = lb.get(path, headers={"host": host})

    assert response.status_code == 200
    assert_plain_and_uncached(response, b"ok\n")


def test_other_paths_still_check_the_host(lb):
    assert lb.get("/privacy/", headers={"host": "evil.example"}).status_code == 400
    assert lb.get("/healthz/", headers={"host": "evil.example"}).status_code == 400
    assert lb.get("/readyz.json", headers={"host": "evil.example"}).status_code == 400


def test_probes_are_read_only(lb):
    assert lb.post("/readyz").status_code == 405
    assert lb.delete("/healthz").status_code == 405
    assert lb.head("/readyz").status_code == 200


def test_liveness_touches_nothing(lb, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(health, "readiness", lambda: pytest.fail("liveness must not probe"))
    with django_assert_num_queries(0):
        assert lb.get("/healthz").status_code == 200


def test_readiness_stays_up_when_the_cache_is_unreachable(lb, settings, caplog):
    # A port where nothing listens: the connection is refused at once. The probe's deadline
    # is generous, so that a loaded machine's slow thread start is not taken for a timeout.
    settings.READINESS_TIMEOUT = 30
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:9/0",
        }
    }
    response = lb.get("/readyz")

    # Every host shares the cache: taking this one out would take them all out.
    assert response.status_code == 200
    assert_plain_and_uncached(response, b"ok\n")
    # What failed is in the log, not in the answer.
    assert "cache=ConnectionError" in caplog.text
    assert "database=ok" not in caplog.text


def test_readiness_stays_up_when_the_database_fails(lb, monkeypatch, caplog):
    database = connections["default"]

    def broken_cursor(*args, **kwargs):
        raise database.Database.OperationalError("server closed the connection")

    monkeypatch.setattr(type(database), "create_cursor", broken_cursor)
    response = lb.get("/readyz")

    assert response.status_code == 200
    assert "database=OperationalError" in caplog.text
    assert "server closed" not in response.content.decode()


def test_readiness_fails_when_the_host_cannot_serve(lb, monkeypatch, caplog):
    def broken_urlconf():
        raise ImportError("a view module does not import")

    probe = next(probe for probe in health.LOCAL_PROBES if probe.name == "site")
    monkeypatch.setattr(probe, "check", broken_urlconf)
    response = lb.get("/readyz")

    assert response.status_code == 503
    assert_plain_and_uncached(response, b"unavailable\n")
    assert "site=ImportError" in caplog.text


@pytest.fixture
def hung_database(monkeypatch, settings):
    """The database probe blocks until the test ends, like a server that never answers.
    The deadline is short, so the host's own probe is left out: on a loaded machine its
    thread could outlast 0.2 s, and the answer be a 503 for a reason the test is not about."""
    settings.READINESS_TIMEOUT = 0.2
    monkeypatch.setattr(health, "LOCAL_PROBES", [])
    released = threading.Event()
    calls = []

    def hang():
        calls.append(1)
        released.wait(60)

    probe = next(probe for probe in health.PROBES if probe.name == "database")
    monkeypatch.setattr(probe, "check", hang)
    yield calls
    released.set()
    probe.current.thread.join(5)


def test_readiness_gives_up_on_a_hung_dependency(lb, hung_database, caplog):
    first = lb.get("/readyz")
    second = lb.get("/readyz")

    assert first.status_code == second.status_code == 200
    assert "database=timeout" in caplog.text
    # The stuck probe is waited for again, not started again: one thread however many probes.
    assert len(hung_database) == 1
