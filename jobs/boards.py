"""How a board token names its board, for ATS kinds whose board is more than one name.

A Workday board is three parts: the employer's host, its tenant and its career site, written as
one token "host/tenant/site" (e.g. "gdit.wd5.myworkdayjobs.com/gdit/External_Career_Site", read
from the board's public address https://gdit.wd5.myworkdayjobs.com/External_Career_Site, whose
API is POST /wday/cxs/gdit/External_Career_Site/jobs on that host). The host must be a
myworkdayjobs.com address: the token is typed by staff and decides where a crawl connects.
"""

from __future__ import annotations

import dataclasses
import re

_HOST = r"(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+myworkdayjobs\.com"
_NAME = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
_WORKDAY_HOST_RE = re.compile(rf"^{_HOST}$")
_WORKDAY_NAME_RE = re.compile(rf"^{_NAME}$")
WORKDAY_TOKEN_RE = re.compile(rf"{_HOST}/{_NAME}/{_NAME}")  # the whole token (the catalog's check)
WORKDAY_EXAMPLE = "gdit.wd5.myworkdayjobs.com/gdit/External_Career_Site"


# A Recruitee board is its company's subdomain (<company>.recruitee.com): the token becomes a host
# name, so it is one DNS label and nothing else.
RECRUITEE_TOKEN_RE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")


class BoardTokenError(ValueError):
    """A board token that does not name a board of its kind (the message says what is expected)."""


@dataclasses.dataclass(frozen=True, slots=True)
class WorkdayBoard:
    host: str
    tenant: str
    site: str

    @property
    def token(self) -> str:
        return f"{self.host}/{self.tenant}/{self.site}"


def workday_board(token: str) -> WorkdayBoard:
    """The (host, tenant, site) of a Workday board token; BoardTokenError with the expected form if not one."""
    parts = token.strip().split("/")
    expected = f"expected host/tenant/site, e.g. {WORKDAY_EXAMPLE}"
    if len(parts) != 3:
        raise BoardTokenError(f"not a Workday board {token!r}: {expected}")
    host, tenant, site = parts
    host = host.lower()
    if not _WORKDAY_HOST_RE.match(host):
        raise BoardTokenError(f"not a Workday board {token!r}: the host must end in .myworkdayjobs.com ({expected})")
    if not (_WORKDAY_NAME_RE.match(tenant) and _WORKDAY_NAME_RE.match(site)):
        raise BoardTokenError(f"not a Workday board {token!r}: tenant and site are single names ({expected})")
    return WorkdayBoard(host=host, tenant=tenant, site=site)


def recruitee_board(token: str) -> str:
    """The company subdomain of a Recruitee board token; BoardTokenError if it is not one DNS label."""
    if not RECRUITEE_TOKEN_RE.fullmatch(token):
        raise BoardTokenError(f"not a Recruitee board {token!r}: expected the company's subdomain, e.g. acme")
    return token.lower()


def board_token_error(ats_kind: str, token: str) -> str | None:
    """Why a token cannot name a board of this kind (the kinds whose token decides a host), or None."""
    check = {"workday": workday_board, "recruitee": recruitee_board}.get(ats_kind)
    if check is None or not token:
        return None
    try:
        check(token)
    except BoardTokenError as exc:
        return str(exc)
    return None
