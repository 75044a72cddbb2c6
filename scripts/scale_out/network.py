"""Addresses and the network the app hosts live on: free ports, namespaces, certificates.

Each app host is a network namespace of its own with a veth pair (Network, Host), so that it
has an address of its own behind HAProxy; the run's TLS certificate names those addresses.
free_port is also the template's tests' one (tests/test_container_image.py imports it).
"""

import os
import random
import socket
from dataclasses import dataclass

from .processes import Failed, run


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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
