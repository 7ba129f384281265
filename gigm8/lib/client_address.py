"""The address of the client that sent a request, trusting X-Forwarded-For only as far as told.

Anyone can send an `X-Forwarded-For` header. Only the entries that our own proxies wrote can be
believed: with NUM_PROXIES = N, the last N entries are theirs (the outermost proxy overwrites
what the client sent, each inner one appends what it saw), and the N-th from the right is the
address the outermost proxy saw, the client's. With N = 0 (no proxy, the default) the header is
ignored and the client is REMOTE_ADDR.

The anonymous throttle (jobs.api.throttling), the metrics and health-detail access check
(gigm8.metrics) and the request log line all ask this one function, so they agree on who the
client is. DRF's own `SimpleRateThrottle.get_ident` follows the same rule with
REST_FRAMEWORK["NUM_PROXIES"], which the settings set from the same variable.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

FORWARDED_FOR = "HTTP_X_FORWARDED_FOR"


def client_address(request: HttpRequest) -> str:
    """The client's address: REMOTE_ADDR, or the entry our outermost trusted proxy wrote."""
    remote_addr = request.META.get("REMOTE_ADDR", "")
    num_proxies: int = settings.NUM_PROXIES
    forwarded = request.META.get(FORWARDED_FOR, "")
    if num_proxies == 0 or not forwarded:
        return remote_addr
    hops = [hop.strip() for hop in forwarded.split(",")]
    # A chain shorter than configured did not pass every proxy; its first entry is still the
    # one the first proxy it met wrote (nginx.conf overwrites, so there is one entry per proxy).
    return hops[-min(num_proxies, len(hops))]
