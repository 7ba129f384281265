"""The one place environment variables are read.

Each getter parses one variable and, on a bad value, raises EnvError whose message is one
line naming the variable, what was expected and what was given. manage.py prints that line
and exits non-zero instead of a traceback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from datetime import time

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")


class EnvError(ImproperlyConfigured):
    """A configuration variable holds a value we cannot use."""


def _raw(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None else value.strip()


def is_set(name: str) -> bool:
    return bool(_raw(name))


def env_str(name: str, default: str = "") -> str:
    value = _raw(name)
    return value or default


def env_bool(name: str, default: bool = False) -> bool:
    value = _raw(name)
    if value is None:
        return default
    lowered = value.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise EnvError(f"{name}: expected true or false, got {value!r}")


def env_int(name: str, default: int, *, min_value: int | None = None, max_value: int | None = None) -> int:
    value = _raw(name)
    if not value:
        return default
    try:
        number = int(value)
    except ValueError:
        raise EnvError(f"{name}: expected a whole number, got {value!r}") from None
    if min_value is not None and number < min_value:
        raise EnvError(f"{name}: must be at least {min_value}, got {number}")
    if max_value is not None and number > max_value:
        raise EnvError(f"{name}: must be at most {max_value}, got {number}")
    return number


def env_list(name: str, default: Sequence[str] = ()) -> list[str]:
    value = _raw(name)
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]


def env_choice(name: str, choices: Sequence[str], default: str) -> str:
    value = _raw(name)
    if not value:
        return default
    if value not in choices:
        raise EnvError(f"{name}: expected one of {', '.join(choices)}, got {value!r}")
    return value


def env_time(name: str, default: str) -> time:
    value = _raw(name) or default
    match = _HHMM.match(value)
    if not match:
        raise EnvError(f"{name}: expected a time as HH:MM (24-hour), got {value!r}")
    return time(int(match.group(1)), int(match.group(2)))


def env_url(name: str, default: str = "") -> str:
    value = _raw(name)
    if not value:
        return default
    if not re.match(r"^[a-z][a-z0-9+.-]*://", value, re.IGNORECASE):
        raise EnvError(f"{name}: expected a URL like scheme://host, got {value!r}")
    return value.rstrip("/")
