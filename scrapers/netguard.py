"""Refusing addresses inside our own network: the one rule, and the guard that applies it.

Careers-page URLs come from staff-edited Company rows and from command arguments; a crawl
must not become a way to reach internal services (metadata endpoints, admin ports). A host
is refused when any address it resolves to is not a public unicast one: private, loopback,
link-local, shared (carrier-grade NAT), multicast, reserved, unspecified, IPv6 site-local, or
an IPv4 address of those kinds written as IPv6 (IPv4-mapped, IPv4-compatible, NAT64
`64:ff9b::/96`, 6to4 `2002::/16`) — unless it lies in a network the settings allow
(CRAWL_ALLOWED_PRIVATE_NETWORKS; the tests' fake sites live on loopback).

`address_refusal` is that rule, and nothing else decides it. Two places apply it:

- Scrapy's own downloads: PrivateAddressGuardMiddleware checks every request, redirect hops
  included (each hop is a new request), before it is sent.
- Chromium (JavaScript careers pages): all of the browser's traffic — navigations, redirect
  hops, sub-resources, fetch(), WebSockets — goes through the egress proxy
  (scrapers.egress), which resolves each destination once, refuses by this rule and connects
  to exactly the address it checked. Chromium never resolves a name itself, so a resolver
  that answers "public" to the check and "internal" to the connection (DNS rebinding) has no
  second question to answer differently.

Scrapy's own client still resolves again when it connects, so for it a rebinding resolver
remains a gap; and a bug in either layer is possible. Production workers should also sit
behind an egress firewall that drops traffic to internal ranges.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
import weakref
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from gigm8.env import EnvError

logger = logging.getLogger(__name__)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 ranges that carry an IPv4 address in their low bits, or that Python calls global
# although nothing public lives there.
_IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")  # deprecated ::a.b.c.d
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # RFC 6052 well-known prefix
_SITE_LOCAL = ipaddress.IPv6Network("fec0::/10")  # deprecated, still routed inside some sites
_SHARED = ipaddress.IPv4Network("100.64.0.0/10")  # carrier-grade NAT
_REFUSAL_SAMPLE = 20  # distinct refusal lines kept for the run's log


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


def embedded_ipv4(address: Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one stands for (mapped, compatible, NAT64, 6to4), if any."""
    if not isinstance(address, ipaddress.IPv6Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _IPV4_COMPATIBLE and int(address) > 1):  # not :: or ::1
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def _kind(address: Address) -> str | None:
    """What makes an address internal, in a few words; None for a public unicast address."""
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if isinstance(address, ipaddress.IPv6Address) and address in _SITE_LOCAL:
        return "site-local"
    if isinstance(address, ipaddress.IPv4Address) and address in _SHARED:
        return "shared (carrier-grade NAT)"
    if address.is_private:
        return "private"
    if address.is_reserved or not address.is_global:
        return "reserved"
    return None


def address_refusal(address: Address, *, allowed: Sequence[Network] = ()) -> str | None:
    """Why the crawl must not connect to `address` ("127.0.0.1 is a loopback address"); None when it may.

    An IPv6 form of an IPv4 address is judged as that IPv4 address: NAT64 and 6to4 forms of
    public addresses stay reachable (IPv6-only workers behind DNS64 need them).
    """
    if any(address in network for network in allowed):
        return None
    inner = embedded_ipv4(address)
    if inner is not None:
        if any(inner in network for network in allowed):
            return None
        kind = _kind(inner)
        return f"{address} is a {kind} address ({inner})" if kind else None
    kind = _kind(address)
    return f"{address} is a {kind} address" if kind else None


def _literal(host: str) -> Address | None:
    try:
        return ipaddress.ip_address(host.strip("[]").split("%")[0])
    except ValueError:
        return None


class AddressGuard:
    """Applies the rule for one crawl: resolves hosts, refuses, and keeps count of what it refused."""

    def __init__(self, allowed: Iterable[str | Network] = ()) -> None:
        self.allowed: list[Network] = [ipaddress.ip_network(n, strict=False) for n in allowed]
        self._hosts: dict[tuple[str, int], str | None] = {}
        self.refused = 0
        self.refusals: list[str] = []  # distinct lines, the first _REFUSAL_SAMPLE

    def refuses_address(self, address: Address) -> bool:
        return address_refusal(address, allowed=self.allowed) is not None

    def record(self, message: str) -> None:
        """Count one refused connection and log it (the run's SyncLog shows the sample)."""
        self.refused += 1
        logger.warning("%s", message)
        if message not in self.refusals and len(self.refusals) < _REFUSAL_SAMPLE:
            self.refusals.append(message)

    async def resolve(self, host: str, port: int) -> list[Address]:
        """Every address `host` resolves to, all allowed; RefusedAddress (with the reason) otherwise.

        OSError when the name does not resolve. The caller connects to these addresses, never
        to the name: what was checked is what is reached.
        """
        literal = _literal(host)
        if literal is not None:
            addresses = [literal]
        else:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
            addresses = list(dict.fromkeys(ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos))
        for address in addresses:
            reason = address_refusal(address, allowed=self.allowed)
            if reason:
                raise RefusedAddress(reason if literal is not None else f"{host} resolves to {reason}")
        return addresses

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
        try:
            await self.resolve(host, port)
        except RefusedAddress as exc:
            return str(exc)
        except OSError:
            return None  # unresolvable: the download itself fails with the DNS error
        return None


# One guard per crawl, shared by the middleware, the egress proxy and the pipeline (which
# records its refusals in the run's SyncLog).
_guards: weakref.WeakKeyDictionary[Any, AddressGuard] = weakref.WeakKeyDictionary()


def crawler_guard(crawler: Any) -> AddressGuard:
    guard = _guards.get(crawler)
    if guard is None:
        guard = _guards[crawler] = AddressGuard(crawler.settings.getlist("CRAWL_ALLOWED_PRIVATE_NETWORKS"))
    return guard
