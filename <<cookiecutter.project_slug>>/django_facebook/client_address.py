"""The address of the client a request comes from, as counters must see it.

Behind a load balancer REMOTE_ADDR is the balancer's, the same for everyone, and
X-Forwarded-For is whatever the client wrote followed by what each proxy appended. So the
client is the rightmost address in X-Forwarded-For that no trusted proxy (TRUSTED_PROXIES:
addresses or networks) could have written, and only when the request came from a trusted
proxy; anything left of it is the client's own say and is never believed. Without
TRUSTED_PROXIES, REMOTE_ADDR alone.
"""

import ipaddress
from collections.abc import Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return False
    return any(ip in network for network in networks)


def client_address(request: HttpRequest) -> str:
    """The client's address (a string; empty when the request carries none)."""
    peer = request.META.get("REMOTE_ADDR", "")
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ())))
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for hop in reversed([hop for hop in hops if hop]):
        if not _trusted(hop, networks):
            return hop
    return peer
