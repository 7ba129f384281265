"""The two failures every client raises, so tasks and services decide alike what to retry."""

from __future__ import annotations


class ClientError(Exception):
    """A source could not be read."""


class TransientError(ClientError):
    """Worth trying again later: a timeout, a refused connection, 429 or a 5xx."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PermanentError(ClientError):
    """Trying again will not help: rejected credentials, another 4xx, a payload we cannot read."""


class CredentialsError(PermanentError):
    """The service refused our credentials (401/403): every further request would fail too."""
