"""Refusing addresses inside our own network.

Careers-page URLs come from staff-edited Company rows and from command arguments; a crawl
must not become a way to reach internal services (metadata endpoints, admin ports). A host
is refused when any address it resolves to is not globally routable (private, loopback,
link-local, shared, reserved, multicast), unless it lies in a network the settings allow.

The check resolves the name just before the request; a resolver that answers differently a
moment later (DNS rebinding) is not covered, which is why the guard is one layer, not the
only one: production workers should also sit behind an egress firewall.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from gigm8.env import EnvError

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


class RefusedAddress(Exception):
    """A URL whose host is (or resolves to) an address the guard refuses."""


def parse_networks(values: Iterable[str]) -> list[Network]:
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError:
            raise EnvError(
                f"CRAWL_ALLOWED_PRIVATE_NETWORKS: expected networks like 10.0.0.0/8 or 127.0.0.1/32, got {value!r}"
            ) from None
    return networks


def _unmapped(address: Address) -> Address:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


class AddressGuard:
    """Decides whether a URL may be fetched; remembers each host's answer for the run."""

    def __init__(self, allowed: Iterable[str | Network] = ()) -> None:
        self.allowed: list[Network] = [ipaddress.ip_network(n, strict=False) for n in allowed]
        self._hosts: dict[tuple[str, int], str | None] = {}

    def refuses_address(self, address: Address) -> bool:
        address = _unmapped(address)
        if address.is_global:
            return False
        return not any(address in network for network in self.allowed)

    def _literal(self, host: str) -> Address | None:
        try:
            return ipaddress.ip_address(host.strip("[]"))
        except ValueError:
            return None

    async def check_url(self, url: str) -> None:
        """Raise RefusedAddress when the URL's host is (or resolves to) a refused address."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            if parts.scheme in ("data", "blob", "about"):
                return  # in-page resources: no network
            raise RefusedAddress(f"refused {url[:200]}: scheme {parts.scheme!r} is not crawled")
        host = (parts.hostname or "").lower()
        if not host:
            raise RefusedAddress(f"refused {url[:200]}: no host")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        key = (host, port)
        if key not in self._hosts:
            self._hosts[key] = await self._reason(host, port)
        reason = self._hosts[key]
        if reason:
            raise RefusedAddress(f"refused {url[:200]}: {reason}")

    async def _reason(self, host: str, port: int) -> str | None:
        literal = self._literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            try:
                infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            except OSError:
                return None  # unresolvable: the download itself fails with the DNS error
            addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
        for address in addresses:
            if self.refuses_address(address):
                return f"{host} is a private, loopback or link-local address ({_unmapped(address)})"
        return None


# scrapy-playwright loads its abort predicate by dotted path, so the guard it consults is
# this module's; the address-guard middleware configures it when a guarded spider opens
# (one crawler per process: runs happen in child processes).
_browser_guard: AddressGuard | None = None


def configure_browser_guard(guard: AddressGuard | None) -> None:
    global _browser_guard
    _browser_guard = guard


async def playwright_abort_request(request: Any) -> bool:
    """PLAYWRIGHT_ABORT_REQUEST: abort browser requests (sub-resources, redirects) to refused hosts."""
    if _browser_guard is None:
        return False
    try:
        await _browser_guard.check_url(request.url)
    except RefusedAddress:
        return True
    return False
