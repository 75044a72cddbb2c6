"""The scale-out test: a baked site on several app hosts behind a load balancer, under load.

    python3 tasks.py scale-out [--short] [--site DIR] [--hosts N] [--phases "Graph,Redis"]

Runs as root on Linux (network namespaces). On this one machine it builds what a site that
outgrew one machine runs on, from real parts:

- app hosts: the site's gunicorn with config/gunicorn.py and the production settings, each in
  a network namespace of its own (`ip netns`, a veth pair) with its own address;
- HAProxy in front, terminating TLS, checking each host's /readyz, retrying refused
  connections on another host;
- PostgreSQL (the machine's, a database made for the run) and a Redis server of the run's own
  (never the shared one: it is restarted on purpose), reached from the namespaces through
  the host side of each veth pair. PostgreSQL may listen on 127.0.0.1 only, so a small TCP
  forwarder in this script listens on the host-side addresses and connects to it;
- the Facebook stand-in as a process of its own, over TLS with a certificate made for the run
  (production settings refuse plain-http Facebook URLs); the app hosts trust it through
  REQUESTS_CA_BUNDLE and reach its Graph API through the forwarder, which counts their
  connections (keep-alive should keep new ones at zero).

A load client (asyncio, httpx) plays people doing the whole login a browser does: the login
start, the stand-in's dialog (its page, then the person's choice), the callback, and the
landing page, which must show them logged in; new people and returning ones, at several
concurrencies. Then, under load, each fault a second into its phase with logins in flight: a
rolling graceful restart of every app host (drained at the load balancer, stopped with
SIGTERM, started, ready again), one host killed hard (SIGKILL) and brought back, the Redis
server restarted, then stopped for a while, PostgreSQL's connections to the run's database
terminated, then PostgreSQL out of reach for a while (the forwarder refuses), the Graph API
answering 5 s late with more people than the hosts have threads while one more person, in a
process of its own, loads pages that never call Facebook, and the Graph API refusing. The
load client runs niced (LOAD_NICENESS), as people's browsers would run on machines of their
own; the visitor and every part of the stack at the normal priority. Each phase gives
logins/s, the callback's p50/p95/p99, the failed logins and what the people saw, the time
from the fault's end to the first login that succeeded again, the other pages' p50/p99,
duplicate and half-created users, and new Graph TCP connections per login; the script fails
(exit 1) when a phase breaks its promise (Promise, RECOVERY, --pages-p99-ms); --phases runs
only some phases, and HAProxy logs every request's timers for a slow page's request id (in
the JSON results) to be looked up in. Every loop is bounded in count and time; traffic stays
on 127.0.0.1 and the namespaces' addresses; everything is stopped and deleted at the end, on
failure and on Ctrl-C too. Needs haproxy, redis-server, openssl, psql and iproute2, and
DATABASE_URL naming a PostgreSQL server (default postgres://postgres@127.0.0.1:5432/).
"""

import argparse
import asyncio
import html
import json
import multiprocessing
import os
import random
import re
import secrets
import signal
import socket
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from contextlib import ExitStack, suppress
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import httpx

ROOT = Path(__file__).resolve().parent.parent
APP_PORT = 8000
# The stand-in's app, as its test settings know it (config/settings/test.py).
FACEBOOK_APP_ID = "100000000000001"
FACEBOOK_APP_SECRET = "fakebook-test-app-secret"  # noqa: S105 - the stand-in's own
WAIT = 90  # seconds any one start, stop or state change may take before the run fails
# The load client's priority: the people's browsers are not on the app hosts' CPUs in a real
# deployment; here they share two cores with them, so they yield the CPU first. Every process
# of the stack, and the visitor whose pages are timed, run at the normal priority (0).
LOAD_NICENESS = 10


class Failed(Exception):
    """The stack could not be built or a step did not complete in time."""


def run(*command, timeout=60, check=True, **kwargs):
    result = subprocess.run(  # noqa: S603 - fixed argv built here, no shell
        [str(part) for part in command],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
        **kwargs,
    )
    if check and result.returncode:
        raise Failed(f"{' '.join(map(str, command))}: {result.stderr.strip() or result.stdout}")
    return result


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(what, condition, timeout=WAIT, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(interval)
    raise Failed(f"timed out waiting for {what}")


class Processes:
    """The run's processes, each in a session of its own so that it dies with its children."""

    def __init__(self, logs):
        self.logs = logs
        self.running = {}

    def start(self, name, command, env=None, cwd=None):
        log = open(self.logs / f"{name}.log", "ab")  # noqa: SIM115 - closed in stop()
        process = subprocess.Popen(  # noqa: S603 - fixed argv built here, no shell
            [str(part) for part in command],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=cwd,
            start_new_session=True,
        )
        # At the normal priority, not the load client's (LOAD_NICENESS): before it forks.
        os.setpriority(os.PRIO_PROCESS, process.pid, 0)
        self.running[name] = (process, log)
        return process

    def stop(self, name, signum=signal.SIGTERM, timeout=30):
        process, log = self.running.pop(name)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signum)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
        # Workers left behind by a killed master (there should be none) go too.
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        log.close()

    def stop_all(self):
        for name in reversed(list(self.running)):
            self.stop(name, timeout=15)


class Forwarder:
    """TCP forwarding in a thread: a listener per (address, port) to one target each.

    Counts the connections each named route accepts (the app hosts' Graph connections), and
    drops both sides when either closes, so a terminated PostgreSQL backend is a dropped
    connection for the app host too. It is also how the run makes PostgreSQL and Facebook
    falter without touching either: a route can refuse (its open connections dropped, new
    ones closed at once: a server out of reach) or be slow (each answer held back a number of
    seconds: a Facebook that answers slowly), until restored.
    """

    def __init__(self):
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.counts = Counter()
        self.servers = []
        self.modes = {}  # route name -> ("refuse",) or ("slow", seconds)
        self.open = {}  # route name -> the writers of its open connections
        self.thread.start()

    def refuse(self, name):
        def drop():
            self.modes[name] = ("refuse",)
            for writer in list(self.open.get(name, ())):
                writer.close()

        self.loop.call_soon_threadsafe(drop)

    def slow(self, name, seconds):
        # The answers held back are let go when the route is restored, as a Facebook that
        # recovers answers what it was asked.
        def hold():
            self.modes[name] = ("slow", seconds, asyncio.Event())

        self.loop.call_soon_threadsafe(hold)

    def restore(self, name):
        def release():
            mode = self.modes.pop(name, None)
            if mode and mode[0] == "slow":
                mode[2].set()

        self.loop.call_soon_threadsafe(release)

    def listen(self, name, address, target):
        async def start():
            server = await asyncio.start_server(
                lambda reader, writer: self.pipe(name, reader, writer, target), *address
            )
            self.servers.append(server)

        asyncio.run_coroutine_threadsafe(start(), self.loop).result(10)

    async def pipe(self, name, reader, writer, target):
        self.counts[name] += 1
        if self.modes.get(name, ("",))[0] == "refuse":
            writer.close()
            return
        try:
            upstream_reader, upstream_writer = await asyncio.wait_for(
                asyncio.open_connection(*target), 5
            )
        except (OSError, TimeoutError):
            writer.close()
            return
        connection = self.open.setdefault(name, set())
        connection.update((writer, upstream_writer))
        # Set when the client sent something the upstream has not answered yet.
        asked = asyncio.Event()
        try:
            await asyncio.gather(
                self.copy(reader, upstream_writer, asked=asked),
                self.copy(upstream_reader, writer, answers_of=name, asked=asked),
            )
        finally:
            connection.difference_update((writer, upstream_writer))

    async def copy(self, reader, writer, answers_of=None, asked=None):
        """Copy until either side closes. The client's side sets `asked`; on the upstream's
        side (`answers_of` names its route) the first chunk of each answer is held back while
        the route is slow."""
        try:
            while data := await reader.read(65536):
                if answers_of is None:
                    asked.set()
                else:
                    mode = self.modes.get(answers_of, ("",))
                    if mode[0] == "slow" and asked.is_set():
                        with suppress(TimeoutError):
                            await asyncio.wait_for(mode[2].wait(), mode[1])
                    asked.clear()
                    if self.modes.get(answers_of, ("",))[0] == "refuse":
                        break
                writer.write(data)
                await writer.drain()
        except OSError:
            pass
        finally:
            writer.close()

    def stop(self):
        async def close():
            for server in self.servers:
                server.close()
            for task in asyncio.all_tasks():
                if task is not asyncio.current_task():
                    task.cancel()

        with suppress(Exception):
            asyncio.run_coroutine_threadsafe(close(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def _serve_forwarder(commands):
    """The forwarder's own process: it relays every app host's PostgreSQL and Graph traffic,
    so it must not share a GIL with the load client, whose work would delay it and be
    measured as the site's latency. Carries out the commands of ForwarderProcess."""
    os.setpriority(os.PRIO_PROCESS, 0, 0)
    forwarder = Forwarder()
    while True:
        method, args = commands.recv()
        if method == "stop":
            forwarder.stop()
            commands.send(None)
            return
        if method == "counts":
            commands.send(dict(forwarder.counts))
            continue
        getattr(forwarder, method)(*args)
        commands.send(None)


class ForwarderProcess:
    """Forwarder's interface, carried out by a process of its own (_serve_forwarder)."""

    def __init__(self):
        context = multiprocessing.get_context("spawn")
        self.commands, theirs = context.Pipe()
        self.process = context.Process(target=_serve_forwarder, args=(theirs,), daemon=True)
        self.process.start()
        self.lock = threading.Lock()

    def _call(self, method, *args):
        with self.lock:
            self.commands.send((method, args))
            if not self.commands.poll(30):
                raise Failed(f"the forwarder did not answer {method}")
            return self.commands.recv()

    def listen(self, name, address, target):
        self._call("listen", name, address, target)

    def refuse(self, name):
        self._call("refuse", name)

    def slow(self, name, seconds):
        self._call("slow", name, seconds)

    def restore(self, name):
        self._call("restore", name)

    @property
    def counts(self):
        return Counter(self._call("counts"))

    def stop(self):
        with suppress(Exception):
            self._call("stop")
        self.process.join(10)
        if self.process.is_alive():
            self.process.kill()


@dataclass
class Host:
    """An app host: a network namespace, its veth pair and addresses, its gunicorn."""

    index: int
    namespace: str
    veth: str
    host_address: str  # the host side: what the app host reaches PostgreSQL, Redis, Graph at
    address: str  # the app host's own

    @property
    def name(self):
        return f"app{self.index}"


class Network:
    """The namespaces: one /30 per app host in 10.231.<free>.0/24; deleted in close()."""

    def __init__(self, count):
        self.hosts = []
        used = run("ip", "-o", "-4", "addr").stdout
        subnet = next(
            (n for n in random.sample(range(256), 256) if f"10.231.{n}." not in used), None
        )
        if subnet is None:
            raise Failed("no free 10.231.x.0/24 for the namespaces")
        tag = f"{os.getpid() % 100000}"
        for index in range(count):
            host = Host(
                index=index,
                namespace=f"scaleout-{tag}-{index}",
                veth=f"so{tag}h{index}",
                host_address=f"10.231.{subnet}.{4 * index + 1}",
                address=f"10.231.{subnet}.{4 * index + 2}",
            )
            self.hosts.append(host)
            self.create(host)

    @staticmethod
    def create(host):
        inside = ("ip", "netns", "exec", host.namespace)
        run("ip", "netns", "add", host.namespace)
        peer = ("type", "veth", "peer", "name", "eth0", "netns", host.namespace)
        run("ip", "link", "add", host.veth, *peer)
        run("ip", "addr", "add", f"{host.host_address}/30", "dev", host.veth)
        run("ip", "link", "set", host.veth, "up")
        run(*inside, "ip", "addr", "add", f"{host.address}/30", "dev", "eth0")
        run(*inside, "ip", "link", "set", "eth0", "up")
        run(*inside, "ip", "link", "set", "lo", "up")

    def close(self):
        for host in self.hosts:
            run("ip", "netns", "delete", host.namespace, check=False)
            run("ip", "link", "delete", host.veth, check=False)


def make_certificate(directory, addresses):
    """A CA and a server certificate for `addresses`, and HAProxy's PEM (certificate + key)."""
    ca_key, ca, key, csr, cert = (
        directory / name for name in ("ca.key", "ca.pem", "server.key", "server.csr", "server.pem")
    )
    new_key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout"]
    run("openssl", "req", "-x509", *new_key, ca_key, "-out", ca, "-days", "1", "-subj", "/CN=CA")
    run("openssl", "req", *new_key, key, "-out", csr, "-subj", "/CN=127.0.0.1")
    extensions = directory / "san.cnf"
    extensions.write_text("subjectAltName=" + ",".join(f"IP:{a}" for a in addresses) + "\n")
    signing = ["-CA", ca, "-CAkey", ca_key, "-CAcreateserial", "-extfile", extensions]
    run("openssl", "x509", "-req", "-in", csr, *signing, "-out", cert, "-days", "1")
    bundle = directory / "haproxy.pem"
    bundle.write_text(cert.read_text() + key.read_text())
    return ca, cert, key, bundle


class PostgreSQL:
    """The run's own database on the machine's PostgreSQL server, dropped at the end."""

    def __init__(self, url):
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 5432
        self.user = parts.username or "postgres"
        base = re.sub(r"[^a-z0-9_]", "_", parts.path.lstrip("/").lower())[:30]
        self.name = f"{base}_scaleout_{os.getpid()}".lstrip("_")
        self.psql("postgres", f'CREATE DATABASE "{self.name}"')

    def psql(self, database, sql):
        server = ("-h", self.host, "-p", self.port, "-U", self.user, "-v", "ON_ERROR_STOP=1")
        return run("psql", *server, "-d", database, "-Atc", sql).stdout.strip()

    def query(self, sql):
        return self.psql(self.name, sql)

    def url(self, host, port):
        return f"postgres://{self.user}@{host}:{port}/{self.name}"

    def terminate_backends(self):
        """Drop every connection to the run's database (and only to it)."""
        return self.psql(
            "postgres",
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "  # noqa: S608 - our name
            f"WHERE datname = '{self.name}' AND pid <> pg_backend_pid()",
        )

    def drop(self):
        with suppress(Failed, subprocess.TimeoutExpired):
            self.psql("postgres", f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


class HAProxy:
    def __init__(self, directory, port, certificate, hosts):
        self.socket = directory / "haproxy.sock"
        self.config = directory / "haproxy.cfg"
        servers = "\n".join(f"    server {host.name} {host.address}:{APP_PORT}" for host in hosts)
        self.config.write_text(f"""\
global
    maxconn 2000
    stats socket {self.socket} mode 600 level admin
    # Every request's timers (queue, connect, the host's answer, total), in haproxy.log.
    log stdout format raw local0

defaults
    mode http
    log global
    option httplog
    timeout connect 2s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout check 5s
    # A refused connection (a host stopping or killed) is retried on another host.
    retries 3
    option redispatch 1
    retry-on conn-failure empty-response response-timeout

frontend site
    bind 127.0.0.1:{port} ssl crt {certificate}
    http-request set-header X-Forwarded-Proto https
    capture response header X-Request-ID len 32
    default_backend app

backend app
    balance roundrobin
    option httpchk GET /readyz
    http-check expect status 200
    default-server check inter 1s fall 2 rise 2
{servers}
""")

    def command(self, line):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(5)
            sock.connect(str(self.socket))
            sock.sendall(line.encode() + b"\n")
            chunks = []
            while chunk := sock.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks).decode()

    def server(self, name):
        """(status, current sessions) of an app host, from HAProxy's CSV statistics."""
        lines = self.command("show stat").splitlines()
        header = lines[0].lstrip("# ").split(",")
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("pxname") == "app" and row.get("svname") == name:
                return row["status"], int(row["scur"] or 0)
        raise Failed(f"HAProxy does not know {name}")


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
        # No persistence: restarted, it comes back empty, as the site's README advises.
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


@dataclass
class Login:
    ok: bool
    new: bool
    callback_seconds: float | None = None
    failure: str = ""
    started: float = 0.0


class People:
    """Who logs in next: a new person (the next unused number) or a returning one."""

    def __init__(self, total, new_share):
        self.total = total
        self.new_share = new_share
        self.next_new = 0
        self.registered = []

    def pick(self):
        if self.next_new < self.total and (
            not self.registered or random.random() < self.new_share  # noqa: S311 - not crypto
        ):
            self.next_new += 1
            return self.next_new - 1, True
        return self.returning()

    def returning(self):
        return random.choice(self.registered), False  # noqa: S311 - not crypto


# What a person is shown when a login fails, by the words of the page they land on.
SEEN = {
    "Facebook is slow right now": "Facebook is slow (the site's message)",
    "Facebook could not be reached": "Facebook unreachable (the site's message)",
    "Temporarily unavailable": "the site's 503 page",
    "No server is available": "the load balancer's bare 503",
    "Sorry, something went wrong": "the site's 500 page",
}


TITLE = re.compile(r"<title>([^<]*)</title>")
MESSAGE = re.compile(r'<p class="message [^"]*"[^>]*>([^<]*)</p>')


def seen(step, response):
    """A failed step, named by what the person saw: a known page, else its status, title and
    the first message on it."""
    for words, label in SEEN.items():
        if words in response.text:
            return f"{step}: {label}"
    title, message = TITLE.search(response.text), MESSAGE.search(response.text)
    return (
        f"{step}: HTTP {response.status_code}"
        + (f" {title.group(1).strip()!r}" if title else "")
        + (f" saying {html.unescape(message.group(1).strip())!r}" if message else "")
    )


def logged_in(page, username):
    return username in page.text and "Log out" in page.text


CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_ACTION = re.compile(r'<form method="post" action="([^"]+)"')


async def browser_login(client, site_url, standin_url, number, new):
    """The whole login a browser makes, for load person `number`; a Login."""
    username = f"load.person.{number}"
    user_id = str(1990000000000000 + number)
    step = "start"
    try:
        start = await client.get(f"{site_url}/facebook/login/", params={"next": "/"})
        dialog_url = start.headers.get("location", "")
        if start.status_code != 302 or not dialog_url.startswith(standin_url):
            return Login(False, new, failure=seen("start", start))
        step = "dialog"
        dialog = await client.get(dialog_url)
        token, action = CSRF.search(dialog.text), FORM_ACTION.search(dialog.text)
        if dialog.status_code != 200 or not token or not action:
            return Login(False, new, failure=f"dialog: HTTP {dialog.status_code}")
        chosen = await client.post(
            urljoin(dialog_url, html.unescape(action.group(1))),
            data={"csrfmiddlewaretoken": token.group(1), "user_id": user_id},
            headers={"Origin": standin_url, "Referer": dialog_url},
        )
        callback_url = chosen.headers.get("location", "")
        if chosen.status_code != 302 or not callback_url.startswith(site_url):
            return Login(False, new, failure=f"dialog answer: HTTP {chosen.status_code}")
        step = "callback"
        started = time.monotonic()
        callback = await client.get(callback_url)
        callback_seconds = time.monotonic() - started
        landing = callback.headers.get("location", "")
        if callback.status_code == 200 and "Log out" in callback.text:
            # The load balancer sent the callback again to another host after the first went
            # away answering (it had logged the person in): the person sees a page, logged in.
            return Login(True, new, callback_seconds)
        if callback.status_code != 302:
            return Login(False, new, failure=seen("callback", callback))
        step = "landing"
        page = await client.get(urljoin(site_url, landing))
        if "fb_error_or_cancel" in landing:
            return Login(False, new, failure=seen("callback", page))
        if page.status_code != 200:
            return Login(False, new, failure=seen("landing", page))
        if not logged_in(page, username):
            return Login(False, new, failure="landing: not logged in")
        return Login(True, new, callback_seconds)
    except httpx.HTTPError as error:
        return Login(False, new, failure=f"{step}: {type(error).__name__}")


def _visit(site_url, standin_url, ca, number, new, stop, answer):
    """A visitor of pages that never call Facebook, in a process of its own: logs in, says
    whether it could, then loads the home page and their account page until `stop` is set,
    and sends [(start, seconds, ok, path, X-Request-ID)] a page.

    Its own process, at the normal priority (the load client runs niced: LOAD_NICENESS), so
    that its timings are the site's, as a browser on a machine of its own would see them: in
    the load client's event loop they would also hold the time that loop spent on everyone
    else's TLS and parsing."""
    os.setpriority(os.PRIO_PROCESS, 0, 0)

    async def visit():
        pages = []
        context = ssl.create_default_context(cafile=ca)
        async with httpx.AsyncClient(verify=context, timeout=15) as client:
            login = await browser_login(client, site_url, standin_url, number, new)
            answer.send(login.ok)
            paths = ["/", "/accounts/profile/"] if login.ok else ["/"]
            while not stop.is_set():
                for path in paths:
                    started = time.monotonic()  # one clock for every process (Linux)
                    ok, request_id = False, None
                    with suppress(httpx.HTTPError):
                        page = await client.get(f"{site_url}{path}")
                        ok, request_id = page.status_code == 200, page.headers.get("x-request-id")
                    pages.append((started, time.monotonic() - started, ok, path, request_id))
                await asyncio.sleep(0.05)
        return pages

    answer.send(asyncio.run(visit()))


class Visitor:
    """_visit() in its own process: logged in (a returning person) once made, then pages()."""

    def __init__(self, stack, people):
        context = multiprocessing.get_context("spawn")
        self.stop = context.Event()
        self.answer, theirs = context.Pipe(duplex=False)
        arguments = (stack.site_url, stack.standin_url, str(stack.ca), *people.returning())
        self.process = context.Process(
            target=_visit, args=(*arguments, self.stop, theirs), daemon=True
        )
        self.process.start()
        if not (self.answer.poll(WAIT) and self.answer.recv()):
            self.process.kill()
            raise Failed("the visitor of other pages could not log in")

    def pages(self):
        self.stop.set()
        if not self.answer.poll(WAIT):
            self.process.kill()
            raise Failed("the visitor of other pages did not finish")
        pages = self.answer.recv()
        self.process.join(10)
        return pages


async def load(stack, people, concurrency, seconds, max_logins, event=None, settle=5.0, pages=None):
    """Logins by `concurrency` people at once, for `seconds` (or, with an event, until the
    event is done and `settle` seconds more), at most `max_logins` (but for the logins of an
    event still under way, and one second after it); with a `pages` list, one more person
    loads pages that never call Facebook meanwhile (Visitor), each appended to the list.
    (logins, seconds, event end)."""
    context = ssl.create_default_context(cafile=str(stack.ca))
    logins = []
    visitor = Visitor(stack, people) if pages is not None else None
    started = time.monotonic()
    hard_stop = started + seconds + (WAIT * 4 if event else 0)
    event_done = None
    event_task = asyncio.create_task(asyncio.to_thread(event)) if event else None

    def running():
        now = time.monotonic()
        if now > hard_stop:
            return False
        capped = len(logins) >= max_logins
        if event_task is None:
            return now < started + seconds and not capped
        if not event_task.done():
            # The event is what the phase tests: the load goes on while it lasts (hard_stop
            # bounds it), even past max_logins.
            return True
        done_at = event_done or now
        # Past the cap, one more second after the event: enough to show logins resumed.
        return now < done_at + (1.0 if capped else settle)

    async def person():
        nonlocal event_done
        async with httpx.AsyncClient(verify=context, timeout=15) as client:
            while running():
                if event_task is not None and event_task.done() and event_done is None:
                    event_done = time.monotonic()
                client.cookies.clear()  # a new browser for every login
                number, new = people.pick()
                started_login = time.monotonic()
                login = await browser_login(client, stack.site_url, stack.standin_url, number, new)
                login.started = started_login
                if login.ok and new:
                    people.registered.append(number)
                logins.append(login)
                if not login.ok:
                    # A person who was shown an error tries again a moment later.
                    await asyncio.sleep(RETRY_AFTER)

    await asyncio.gather(*(person() for _ in range(concurrency)))
    if visitor is not None:
        pages.extend(await asyncio.to_thread(visitor.pages))
    if event_task is not None:
        await event_task  # raises the event's failure, if any
        event_done = event_done or time.monotonic()
    return logins, time.monotonic() - started, event_done


def database_check(stack):
    """(duplicate users, half-created users) in the run's database."""
    duplicates = stack.postgresql.query(
        "SELECT (SELECT count(*) FROM (SELECT lower(email) FROM accounts_user "
        "WHERE email <> '' GROUP BY lower(email) HAVING count(*) > 1) e) + "
        "(SELECT count(*) FROM (SELECT facebook_id FROM django_facebook_facebookaccount "
        "GROUP BY facebook_id HAVING count(*) > 1) f)"
    )
    half = stack.postgresql.query(
        "SELECT count(*) FROM accounts_user u WHERE NOT EXISTS "
        "(SELECT 1 FROM django_facebook_facebookaccount a WHERE a.user_id = u.id)"
    )
    return int(duplicates), int(half)


def percentile(values, share):
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# A phase's promises (README.md, "Scale-out"): at most `allowed` failed logins, each showing a
# page in `may_see`; logins succeed again within RECOVERY seconds of the fault's end; the
# pages that never call Facebook stay under --pages-p99-ms at the 99th percentile while the
# fault lasts: 300 ms, the goal. The short form bounds them at SHORT_PAGES_P99_MS: in CI it
# shares its two cores with the sites' suites, so its latencies measure CI's load as much as
# the site; what it must catch is a page waiting out a Graph answer (5 s), which is what the
# bulkhead prevents.
SHORT_PAGES_P99_MS = 1000.0
RECOVERY = 3.0
# A fault starts this long into its phase, with logins in flight, never at its boundary.
FAULT_AFTER = 1.0
# Seconds a person whose login failed waits before trying again.
RETRY_AFTER = 1.0


@dataclass
class Promise:
    """`allowed` failed logins (None: any number while the fault lasts, none started after
    it was over and RECOVERY), each showing a page in `may_see`; with `pages_p99_ms`, the
    other pages' p99 under it."""

    allowed: int | None = 0
    may_see: tuple = ()
    pages_p99_ms: float | None = None


def phase(stack, people, name, concurrency, seconds, max_logins, event=None, promise=None):
    """Run one phase under load; its result dict, with "passed" for its promise."""
    promise = promise or Promise()
    graph_before = stack.forwarder.counts["graph"]
    pages = [] if promise.pages_p99_ms else None
    timed, fault = None, {}
    if event is not None:

        def timed():
            time.sleep(FAULT_AFTER)
            fault["started"] = time.monotonic()
            event()

    logins, elapsed, event_done = asyncio.run(
        load(stack, people, concurrency, seconds, max_logins, timed, pages=pages)
    )
    duplicates, half = database_check(stack)
    ok = [login for login in logins if login.ok]
    failed = [login for login in logins if not login.ok]
    callbacks = [login.callback_seconds * 1000 for login in ok]
    # After an event, logins started once it was over must succeed again, soon.
    after = [login.started for login in ok if event_done and login.started > event_done]
    recovery = round(min(after) - event_done, 2) if after else None
    resumed = event_done is None or recovery is not None
    # The other pages while the fault lasts (all the phase's, without one).
    window = (fault.get("started", 0.0), event_done or float("inf"))
    timed_pages = [page for page in pages or [] if window[0] <= page[0] <= window[1]]
    page_ms = [page[1] * 1000 for page in timed_pages]
    unexpected = [
        login.failure
        for login in failed
        if not any(label in login.failure for label in promise.may_see)
        or (promise.allowed is None and login.started > (event_done or 0) + RECOVERY)
    ]
    allowed = len(failed) if promise.allowed is None else promise.allowed
    result = {
        "phase": name,
        "concurrency": concurrency,
        "logins": len(ok),
        "new": sum(login.new for login in ok),
        "logins_per_second": round(len(ok) / elapsed, 1),
        "p50_ms": round(statistics.median(callbacks), 1) if callbacks else None,
        "p95_ms": round(percentile(callbacks, 0.95), 1) if callbacks else None,
        "p99_ms": round(percentile(callbacks, 0.99), 1) if callbacks else None,
        "failed": len(failed),
        "failures": dict(Counter(login.failure for login in failed).most_common(5)),
        "duplicates": duplicates,
        "half_created": half,
        "graph_connections_per_login": round(
            (stack.forwarder.counts["graph"] - graph_before) / max(1, len(ok)), 3
        ),
        "resumed": resumed,
        "recovery_s": recovery,
        "pages": len(page_ms),
        "pages_failed": sum(not page[2] for page in timed_pages),
        "pages_p50_ms": round(statistics.median(page_ms), 1) if page_ms else None,
        "pages_p99_ms": round(percentile(page_ms, 0.99), 1) if page_ms else None,
        # To look up in haproxy.log (its timers) and the hosts' logs (the request's own time).
        "slowest_pages": [
            (round(seconds * 1000), path, request_id)
            for _, seconds, _, path, request_id in sorted(timed_pages, key=lambda p: -p[1])[:3]
        ],
    }
    result["passed"] = bool(
        len(failed) - len(unexpected) <= allowed
        and not unexpected
        and not duplicates
        and not half
        and resumed
        and (recovery is None or recovery <= RECOVERY)
        and ok
        and (
            not page_ms
            or (result["pages_p99_ms"] <= promise.pages_p99_ms and not result["pages_failed"])
        )
    )
    print(json.dumps(result), flush=True)
    return result


def table(results):
    lines = [
        "| phase | concurrency | logins | logins/s | callback p50 / p95 / p99 ms | failed: what "
        "people saw | recovery s | other pages p50 / p99 ms | duplicates | half-created "
        "| new Graph connections per login |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        seen_by = "; ".join(f"{count} {failure}" for failure, count in r["failures"].items())
        failed = f"{r['failed']}: {seen_by}" if seen_by else str(r["failed"])
        recovery = "-" if r["recovery_s"] is None else r["recovery_s"]
        pages = f"{r['pages_p50_ms']} / {r['pages_p99_ms']}" if r["pages"] else "-"
        lines.append(
            f"| {r['phase']} | {r['concurrency']} | {r['logins']} | {r['logins_per_second']} "
            f"| {r['p50_ms']} / {r['p95_ms']} / {r['p99_ms']} | {failed} | {recovery} "
            f"| {pages} | {r['duplicates']} | {r['half_created']} "
            f"| {r['graph_connections_per_login']} |"
        )
    return "\n".join(lines)


def scenarios(stack, people, args):
    """The phases, in order, but those --phases leaves out (the first steady phase always
    runs: it registers the people who return later); each a result dict."""
    hosts = stack.network.hosts
    concurrencies = [int(c) for c in args.concurrency.split(",")]
    top = concurrencies[-1]
    seconds, cap, fault = args.seconds, args.max_logins, args.fault_seconds
    results = []

    def run(name, concurrency, event=None, promise=None):
        wanted = not args.phases or any(word in name for word in args.phases.split(","))
        if wanted or not results:
            results.append(phase(stack, people, name, concurrency, seconds, cap, event, promise))

    for concurrency in concurrencies:
        run("steady", concurrency)

    def rolling():
        for host in hosts:
            stack.restart_gracefully(host)

    run("rolling restart", top, rolling)
    # The host killed hard fails the requests it was serving: at most one per person.
    run(
        "host killed",
        top,
        lambda: stack.kill_and_restart(hosts[0]),
        Promise(allowed=top, may_see=("",)),
    )
    # Redis is an accelerator: restarted or stopped, no login fails.
    run("Redis restarted", top, stack.restart_redis)
    run(
        f"Redis stopped {fault:g} s",
        top,
        lambda: stack.stop_redis_for(fault),
    )
    run(
        "PostgreSQL connections dropped",
        top,
        stack.postgresql.terminate_backends,
        Promise(allowed=top, may_see=("",)),
    )
    # Unreachable: every login needs it, and fails with the site's own page, then resumes.
    run(
        f"PostgreSQL unreachable {fault:g} s",
        top,
        lambda: stack.falter("postgresql", fault),
        Promise(allowed=None, may_see=("the site's 503 page",)),
    )
    # More people than the hosts have threads, Graph at 5 s a call: the other pages and the
    # health checks go on; logins beyond the Graph slots are told Facebook is slow.
    run(
        f"Graph slow 5 s a call for {fault * 2:g} s",
        args.crowd,
        lambda: stack.falter("graph", fault * 2, slow=5.0),
        Promise(
            allowed=None,
            may_see=("Facebook is slow", "Facebook unreachable"),
            pages_p99_ms=args.pages_p99_ms,
        ),
    )
    run(
        f"Graph refused {fault * 1.5:g} s",
        top,
        lambda: stack.falter("graph", fault * 1.5),
        Promise(allowed=None, may_see=("Facebook unreachable",)),
    )
    return results


def bake(directory):
    from cookiecutter.main import cookiecutter

    site = Path(cookiecutter(str(ROOT), no_input=True, output_dir=str(directory)))
    run(sys.executable, "tasks.py", "install", cwd=site, timeout=900)
    return site


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="an installed baked site (default: bake one)")
    parser.add_argument("--hosts", type=int, default=3)
    parser.add_argument("--concurrency", default="4,16,32", help="steady phases' concurrencies")
    parser.add_argument("--seconds", type=float, default=20.0, help="per steady phase")
    parser.add_argument("--max-logins", type=int, default=5000, help="per phase")
    parser.add_argument("--new-share", type=float, default=0.3, help="of logins, new people")
    parser.add_argument("--fault-seconds", type=float, default=10.0, help="a fault's length")
    parser.add_argument("--crowd", type=int, default=64, help="people at once while Graph is slow")
    parser.add_argument("--pages-p99-ms", type=float, default=300.0, help="the other pages' goal")
    parser.add_argument("--phases", help="only the phases whose names hold one of these words")
    parser.add_argument("--short", action="store_true", help="CI: 2 hosts, 2 and 6 at once, 4 s")
    parser.add_argument("--json", type=Path, help="write the results here too")
    parser.add_argument("--logs", type=Path, help="keep the processes' logs here")
    args = parser.parse_args()
    if args.short:
        args.hosts, args.concurrency, args.seconds, args.max_logins = 2, "2,6", 4.0, 400
        args.fault_seconds, args.crowd, args.pages_p99_ms = 3.0, 24, SHORT_PAGES_P99_MS
    if os.geteuid() != 0:
        sys.exit("scale_out.py needs root: it makes network namespaces (ip netns)")
    os.setpriority(os.PRIO_PROCESS, 0, LOAD_NICENESS)
    database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/")
    # SIGTERM (a CI timeout) tears down as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    with ExitStack() as cleanup:
        work = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="scale-out-")))
        site = args.site.resolve() if args.site else bake(work / "site")
        logs = (args.logs or work / "run").resolve()
        logs.mkdir(parents=True, exist_ok=True)
        stack = Stack(site, logs)
        cleanup.callback(stack.close)
        try:
            stack.build(args.hosts, args.max_logins * 8, database_url)
            results = scenarios(stack, People(args.max_logins * 8, args.new_share), args)
        except BaseException:
            for log in sorted(logs.glob("*.log")):
                lines = log.read_text(errors="replace").splitlines()[-15:]
                print(f"--- {log.name} (last lines)", *lines, sep="\n", file=sys.stderr)
            raise
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    failed = [r["phase"] for r in results if not r["passed"]]
    if failed:
        sys.exit(f"scale-out: these phases broke their promise: {', '.join(failed)}")


if __name__ == "__main__":
    main()
