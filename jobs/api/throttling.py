"""DRF's anonymous and per-user throttles, reading their rates when a request comes.

DRF's own classes copy DEFAULT_THROTTLE_RATES once at import; these read
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (API_THROTTLE_ANON / API_THROTTLE_USER) each time, so
a settings override (a test's tiny rate) applies. Counts live in the cache: Redis in production,
shared by every API process.

An anonymous caller is counted by its address as gigm8.lib.client_address tells it, which trusts
X-Forwarded-For only as far as NUM_PROXIES says: DRF's own get_ident, with no NUM_PROXIES set,
counted the whole header, so a client rotating it was a new caller at each request.
"""

from __future__ import annotations

from typing import Any

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle

from gigm8.lib.client_address import client_address


class AnonThrottle(AnonRateThrottle):
    def get_rate(self) -> str | None:
        # The stubs type the rates as numbers (they are strings such as "100/hour") and scope as
        # optional (AnonRateThrottle and UserRateThrottle set it).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[arg-type,return-value]

    def get_ident(self, request: Any) -> str:
        return client_address(request)


class UserThrottle(UserRateThrottle):
    def get_rate(self) -> str | None:
        # The stubs type the rates as numbers (they are strings such as "100/hour") and scope as
        # optional (AnonRateThrottle and UserRateThrottle set it).
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)  # type: ignore[arg-type,return-value]

    def get_ident(self, request: Any) -> str:
        # Used for anonymous callers that reach a user-throttled view.
        return client_address(request)
