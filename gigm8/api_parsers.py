"""The API's JSON parser: DRF's, with bounds on what a body may hold.

A body of 100,000 nested arrays made Python's JSON decoder raise RecursionError (a 500); 1e999
decoded to an infinite float that no field expects. Both are a 400 `parse_error` here, and a body
nested deeper than MAX_DEPTH is refused before any serializer walks it recursively (no request
body of this API goes past three levels).
"""

from __future__ import annotations

import codecs
import math
from typing import Any

from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_DEPTH = 32


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise ValueError(f"number out of range: {text[:40]}")
    return number


def _depth(data: Any) -> int:
    """How deeply lists and objects nest in `data` (a scalar: 0), without recursion."""
    deepest = 0
    pending = [(data, 1)]
    while pending:
        value, level = pending.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        if deepest > MAX_DEPTH:
            break
        pending.extend((child, level + 1) for child in children)
    return deepest


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        parser_context = parser_context or {}
        try:
            # get_encoding came with DRF 3.17; the stubs for django-stubs 5.2 (3.16.x) lack it.
            decoded = codecs.getreader(parsers.get_encoding(parser_context))(stream)  # type: ignore[attr-defined]
            parse_constant = json.strict_constant if self.strict else None
            # A StreamReader reads str like any text file; typeshed does not make it an IO[str].
            data = json.load(decoded, parse_constant=parse_constant, parse_float=_finite_float)  # type: ignore[arg-type]
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from None
        except ValueError as exc:
            raise ParseError(f"JSON parse error - {exc}") from None
        if _depth(data) > MAX_DEPTH:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.")
        return data
