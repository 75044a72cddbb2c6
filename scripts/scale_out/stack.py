"""The whole stack of a run, built in order and torn down in reverse (Stack).

The app hosts (the site's gunicorn in each namespace, with the production settings), Redis,
the forwarder, the Facebook stand-in and HAProxy, and the faults that act on them: a graceful
restart, a host killed, Redis restarted or stopped, a route of the forwarder faltering.
"""

import os
import secrets
import signal
import socket
import time

import httpx

from .forwarder import ForwarderProcess
from .network import Network, free_port, make_certificate
from .processes import WAIT, Processes, run, wait_until
from .services import APP_PORT, HAProxy, PostgreSQL

# The stand-in's app, as its test settings know it (config/settings/test.py).
FACEBOOK_APP_ID = "100000000000001"
FACEBOOK_APP_SECRET = "fakebook-test-app-secret"  # noqa: S105 - the stand-in's own


class Stack:
    """Everything a run needs, built in order and torn down in reverse by close()."""

    def __init__(self, site, logs):
        self.site = site
        self.logs = logs
        self.processes = Processes(logs)
        self.forwarder = self.network = self.postgresql = None

    def build(self, hosts, people, database_url):
        self.forwarder = ForwarderProcess()
        self.network = Network(hosts)
        self.postgresql = PostgreSQL(database_url)
        self.redis_port = free_port()
        self.pg_port = free_port()
        self.graph_port = free_port()
        self.standin_port = free_port()
        self.lb_port = free_port()
        self.secret_key = secrets.token_urlsafe(50)
        host_addresses = [host.host_address for host in self.network.hosts]
        self.ca, cert, key, bundle = make_certificate(self.logs, ["127.0.0.1", *host_addresses])
        for address in host_addresses:
            self.forwarder.listen(
                "postgresql", (address, self.pg_port), (self.postgresql.host, self.postgresql.port)
            )
            self.forwarder.listen(
                "graph", (address, self.graph_port), ("127.0.0.1", self.standin_port)
            )
        self.start_redis()
        self.migrate()
        self.start_standin(people, cert, key)
        self.haproxy = HAProxy(self.logs, self.lb_port, bundle, self.network.hosts)
        self.processes.start("haproxy", ["haproxy", "-W", "-db", "-f", self.haproxy.config])
        for host in self.network.hosts:
            self.start_host(host)
        for host in self.network.hosts:
            self.wait_ready(host)

    @property
    def site_url(self):
        return f"https://127.0.0.1:{self.lb_port}"

    @property
    def standin_url(self):
        return f"https://127.0.0.1:{self.standin_port}"

    def python(self):
        return self.site / ".venv" / "bin" / "python"

    def start_redis(self):
        addresses = ["127.0.0.1", *(host.host_address for host in self.network.hosts)]
        # No persistence: restarted, it comes back empty, as the site's docs/deployment.md advises.
        options = ["--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", self.logs]
        command = ["redis-server", "--port", self.redis_port, "--bind", *addresses, *options]
        self.processes.start("redis", command)
        wait_until("Redis", lambda: self.redis_answers())

    def redis_answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.redis_port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def production_env(self, host=None):
        """The environment of an app host (or, without one, of `migrate` on this machine)."""
        here = host.host_address if host else "127.0.0.1"
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "FACEBOOK_", "GUNICORN_", "REDIS_", "DATABASE_"))
        }
        database = (
            self.postgresql.url(here, self.pg_port)
            if host
            else self.postgresql.url(self.postgresql.host, self.postgresql.port)
        )
        return env | {
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "DJANGO_SECRET_KEY": self.secret_key,
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database,
            "REDIS_URL": f"redis://{here}:{self.redis_port}/0",
            "FACEBOOK_APP_ID": FACEBOOK_APP_ID,
            "FACEBOOK_APP_SECRET": FACEBOOK_APP_SECRET,
            "FACEBOOK_WWW_URL": f"{self.standin_url}/fakebook/www",
            "FACEBOOK_GRAPH_URL": f"https://{here}:{self.graph_port}/fakebook/graph",
            "FACEBOOK_REDIRECT_URI": f"{self.site_url}/facebook/callback/",
            "REQUESTS_CA_BUNDLE": str(self.ca),
            "EMAIL_URL": "consolemail://",
            "WEB_CONCURRENCY": "2",
            # config/gunicorn.py's default; SCALE_OUT_THREADS tries another.
            "GUNICORN_THREADS": os.environ.get("SCALE_OUT_THREADS", "4"),
            "GUNICORN_BIND": f"{host.address if host else '127.0.0.1'}:{APP_PORT}",
            "DJANGO_STATIC_ROOT": str(self.logs / "static"),
        }

    def migrate(self):
        env = self.production_env() | {"DJANGO_STATIC_ROOT": str(self.logs / "static")}
        run(self.python(), "manage.py", "collectstatic", "--no-input", cwd=self.site, env=env)
        run(
            self.python(), "manage.py", "migrate", "--no-input", cwd=self.site, env=env, timeout=300
        )

    def start_standin(self, people, cert, key):
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("DJANGO_", "FACEBOOK_", "REDIS_", "DATABASE_"))
        } | {
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DATABASE_URL": f"sqlite:///{self.logs / 'standin.sqlite3'}",
            "DJANGO_ALLOWED_HOSTS": ",".join(
                ["127.0.0.1", *(host.host_address for host in self.network.hosts)]
            ),
            "FAKEBOOK_LOAD_PEOPLE": str(people),
        }
        run(
            self.python(), "manage.py", "migrate", "--no-input", cwd=self.site, env=env, timeout=300
        )
        # One process (its codes live in its own memory), threads, connections kept alive.
        options = ["--workers", "1", "--threads", "8", "--keep-alive", "75", "--timeout", "30"]
        tls = ["--certfile", cert, "--keyfile", key]
        gunicorn = [self.site / ".venv" / "bin" / "gunicorn", "config.wsgi"]
        bind = f"--bind=127.0.0.1:{self.standin_port}"
        self.processes.start("standin", [*gunicorn, bind, *tls, *options], env=env, cwd=self.site)
        wait_until("the stand-in", lambda: self.get(f"{self.standin_url}/privacy/") == 200)

    def get(self, url):
        try:
            return httpx.get(url, verify=str(self.ca), timeout=2).status_code
        except httpx.HTTPError:
            return None

    def start_host(self, host):
        gunicorn = self.site / ".venv" / "bin" / "gunicorn"
        self.processes.start(
            host.name,
            [
                "ip",
                "netns",
                "exec",
                host.namespace,
                gunicorn,
                "-c",
                "config/gunicorn.py",
                "config.wsgi",
            ],
            env=self.production_env(host),
            cwd=self.site,
        )

    def wait_ready(self, host):
        url = f"http://{host.address}:{APP_PORT}/readyz"
        wait_until(f"{host.name} ready", lambda: self.get(url) == 200)
        wait_until(f"{host.name} up at HAProxy", lambda: self.haproxy.server(host.name)[0] == "UP")

    def restart_gracefully(self, host):
        """Drain at the load balancer, SIGTERM, start again, back in once ready."""
        self.haproxy.command(f"set server app/{host.name} state maint")
        wait_until(f"{host.name} drained", lambda: self.haproxy.server(host.name)[1] == 0)
        self.processes.stop(host.name, signal.SIGTERM, timeout=WAIT)
        self.start_host(host)
        wait_until(
            f"{host.name} ready",
            lambda: self.get(f"http://{host.address}:{APP_PORT}/readyz") == 200,
        )
        self.haproxy.command(f"set server app/{host.name} state ready")
        wait_until(f"{host.name} up at HAProxy", lambda: self.haproxy.server(host.name)[0] == "UP")

    def kill_and_restart(self, host):
        """SIGKILL the host's gunicorn and workers; HAProxy must see it down, then up again."""
        self.processes.stop(host.name, signal.SIGKILL)
        wait_until(
            f"{host.name} down at HAProxy",
            lambda: self.haproxy.server(host.name)[0].startswith("DOWN"),
        )
        self.start_host(host)
        self.wait_ready(host)

    def restart_redis(self):
        self.processes.stop("redis", signal.SIGTERM)
        time.sleep(0.5)
        self.start_redis()

    def stop_redis_for(self, seconds):
        self.processes.stop("redis", signal.SIGTERM)
        time.sleep(seconds)
        self.start_redis()

    def falter(self, route, seconds, slow=None):
        """The forwarder's route refuses (or, with `slow`, answers that late) for `seconds`."""
        if slow:
            self.forwarder.slow(route, slow)
        else:
            self.forwarder.refuse(route)
        time.sleep(seconds)
        self.forwarder.restore(route)

    def close(self):
        """Stop and delete whatever build() got to, in reverse order."""
        self.processes.stop_all()
        for part, method in (
            (self.forwarder, "stop"),
            (self.network, "close"),
            (self.postgresql, "drop"),
        ):
            if part is not None:
                getattr(part, method)()
