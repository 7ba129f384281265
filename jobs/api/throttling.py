"""DRF's anonymous and per-user throttles, reading their rates when a request comes.

DRF's own classes copy DEFAULT_THROTTLE_RATES once at import; these read
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] (API_THROTTLE_ANON / API_THROTTLE_USER) each time, so
a settings override (a test's tiny rate) applies. Counts live in the cache: Redis in production,
shared by every API process.
"""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class AnonThrottle(AnonRateThrottle):
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class UserThrottle(UserRateThrottle):
    def get_rate(self) -> str | None:
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
