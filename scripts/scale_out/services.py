"""The servers the app hosts share: the run's PostgreSQL database and HAProxy in front.

Each is set up for the run alone (a database of its own, a configuration of its own) and
driven by the faults: PostgreSQL's connections terminated, an app host drained at HAProxy.
"""

import os
import re
import socket
import subprocess
from contextlib import suppress
from urllib.parse import urlsplit

from .processes import Failed, run

APP_PORT = 8000  # each app host's gunicorn, at its own address


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
    """The load balancer: TLS, /readyz checks and retries on another host, and its admin
    socket, which drains a host and tells each one's state and sessions."""

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
