"""Plain-text helpers with no Django in them: the one line-cleaning rule every layer shares."""

from __future__ import annotations

import html
import re

# Control characters other than tab, newline and carriage return.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_line(text: str | None) -> str:
    """One line of plain text (a title, a location): entities decoded, all whitespace collapsed to one space."""
    if not text:
        return ""
    text = html.unescape(str(text))
    if not text.isprintable():  # the common case skips the regex
        text = CONTROL_RE.sub("", text)
    return " ".join(text.split())
