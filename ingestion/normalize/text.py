"""Text, HTML, dates and company names."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from email.utils import parsedate_to_datetime

import lxml.etree
import lxml.html

from gigm8.lib.text import CONTROL_RE

# Elements that start a new line in the plain text; the rest are inline.
_BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "thead",
        "tfoot",
        "tr",
        "ul",
    ]
)
# Elements whose content is never text a reader sees.
_DROP_TAGS = ("script", "style", "noscript", "template", "head", "title")
_TAG_RE = re.compile(r"<\s*/?\s*[a-zA-Z][a-zA-Z0-9]*(?:\s[^<>]*)?/?\s*>")
# The tags that make a text HTML (not "Use <Python> daily"): those job descriptions are written with.
_HTML_TAGS = (
    r"(?:p|div|br|li|ul|ol|span|strong|b|i|em|u|a|h[1-6]|table|tr|td|th|section|article|font|hr|img|"
    r"blockquote|pre|code)"
)
_KNOWN_TAG_RE = re.compile(rf"<\s*/?\s*{_HTML_TAGS}(?:\s[^<>]*)?\s*/?\s*>", re.IGNORECASE)
_ESCAPED_TAG_RE = re.compile(rf"&lt;\s*/?\s*{_HTML_TAGS}(?:\s[^<>]{{0,500}}?)?\s*/?\s*&gt;", re.IGNORECASE)
# C0 controls other than tab/newline, and NUL, which PostgreSQL text cannot store.
_BLANK_LINES_RE = re.compile(r"\n{3,}")


def strip_control(text: str | None) -> str:
    """`text` without NUL and the other control characters PostgreSQL or a browser chokes on."""
    return CONTROL_RE.sub("", str(text)) if text else ""


def looks_like_html(text: str) -> bool:
    """Whether `text` holds HTML tags, raw (``<p>``) or entity-escaped (``&lt;p&gt;``)."""
    return bool(text) and bool(_KNOWN_TAG_RE.search(text) or _ESCAPED_TAG_RE.search(text))


def unescape_html(markup: str) -> str:
    """The HTML itself when `markup` is entity-escaped HTML (Greenhouse's ``content``), else `markup` unchanged.

    Escaped markup (``&lt;p&gt;Hi&lt;/p&gt;``) is unescaped once; a document that already has real tags is
    left alone so that its own entities (``&amp;``) are not decoded twice.
    """
    if not markup or "&lt;" not in markup or _TAG_RE.search(markup):
        return markup
    return html.unescape(markup)


def clean_text(text: str | None) -> str:
    """Plain text tidied for storage: entities decoded, control characters dropped, spaces collapsed.

    Line breaks are kept (at most one blank line in a row); each line is stripped.
    """
    if not text:
        return ""
    text = html.unescape(str(text))
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = CONTROL_RE.sub("", text)
    # str.split() without arguments is the fastest way to collapse every kind of space (nbsp, tabs…).
    text = "\n".join(" ".join(line.split()) for line in text.split("\n"))
    if "\n\n\n" in text:
        text = _BLANK_LINES_RE.sub("\n\n", text)
    return text.strip()


def html_to_text(markup: str | None) -> str:
    """Readable plain text from an HTML fragment or document.

    Handles entity-escaped HTML (Greenhouse ``content``: ``&lt;p&gt;…``) by unescaping it first.
    Block elements (paragraphs, headings, list items, table rows, ``<br>``) become line breaks, list items
    are prefixed with ``- ``, scripts and styles are dropped, entities are decoded and runs of spaces are
    collapsed; at most one blank line separates paragraphs. Text without tags comes back cleaned.
    """
    if not markup:
        return ""
    markup = unescape_html(str(markup))
    if not _TAG_RE.search(markup):
        return clean_text(markup)
    markup = CONTROL_RE.sub("", markup)
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return clean_text(_TAG_RE.sub(" ", markup))
    for element in root.xpath("|".join(f"//{tag}" for tag in _DROP_TAGS)):
        element.drop_tree()
    for element in root.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag == "br":
            element.tail = "\n" + (element.tail or "")
        elif tag == "li":
            element.text = "\n- " + (element.text or "")
            element.tail = "\n" + (element.tail or "")
        elif tag in _BLOCK_TAGS:
            element.text = "\n\n" + (element.text or "")
            element.tail = "\n\n" + (element.tail or "")
        elif tag in ("td", "th"):
            element.tail = " " + (element.tail or "")
    text = root.text_content()
    # text_content() already decoded the entities; clean_text must not decode "&amp;lt;" a second time.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(_tidy_list_items(lines))).strip()


def _tidy_list_items(lines: list[str]) -> list[str]:
    """Join a bullet to its text when the item held a paragraph (``<li><p>x</p></li>``), and drop the
    blank lines between consecutive items."""
    joined: list[str] = []
    bullet = False
    for line in lines:
        if line == "-":
            bullet = True
            continue
        if bullet and line:
            line, bullet = "- " + line, False
        joined.append(line)
    tidy: list[str] = []
    for index, line in enumerate(joined):
        if not line and tidy and tidy[-1].startswith("- "):
            following = next((later for later in joined[index + 1 :] if later), "")
            if following.startswith("- "):
                continue
        tidy.append(line)
    return tidy


# ---------------------------------------------------------------------------------------------- dates

_RELATIVE_RE = re.compile(
    r"^(?:posted\s+)?(?:(?P<today>today|just posted|just now)|(?P<yesterday>yesterday)|"
    r"(?P<n>\d+)\+?\s*(?P<unit>minute|min|hour|hr|day|week|month)s?\s+ago)$"
)
_RELATIVE_UNITS = {
    "minute": timedelta(minutes=1),
    "min": timedelta(minutes=1),
    "hour": timedelta(hours=1),
    "hr": timedelta(hours=1),
    "day": timedelta(days=1),
    "week": timedelta(weeks=1),
    "month": timedelta(days=30),
}
# Epoch values above this are milliseconds (Lever's createdAt); as seconds it would be the year 5138.
_EPOCH_MS_THRESHOLD = 100_000_000_000


def parse_datetime(value: object, *, now: datetime | None = None) -> datetime | None:
    """An aware UTC datetime from whatever a source gives as a date, or None when it cannot be read.

    Accepts datetimes (naive ones are taken as UTC), dates (midnight UTC), ISO 8601 strings with ``Z`` or
    an offset (``2026-07-15T08:33:45Z``, ``2026-07-14T18:35:00-04:00``), date-only strings, epoch seconds
    and epoch milliseconds as numbers or digit strings (Lever ``createdAt``), RFC 2822 dates (feeds) and
    a trailing ``UTC`` (Recruitee's ``2026-07-10 12:00:00 UTC``) and
    Workday's relative ``Posted 8 Days Ago`` / ``Posted Today`` (relative to `now`, default the current
    time). Never raises.
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, (int, float, Decimal)):
        return _from_epoch(value)
    text = str(value).strip()
    if not text or text in {"-1", "0"}:
        return None
    if re.fullmatch(r"\d+(?:\.\d+)?", text):
        return _from_epoch(Decimal(text))
    # Recruitee writes "2026-07-10 12:00:00 UTC".
    text = re.sub(r"\s+UTC$", "+00:00", text)
    try:
        return _utc(datetime.fromisoformat(text.replace("z", "Z")))
    except ValueError:
        pass
    try:
        return _utc(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError):
        pass
    match = _RELATIVE_RE.match(" ".join(text.lower().split()))
    if match:
        today = (now or datetime.now(UTC)).astimezone(UTC)
        if match["today"]:
            return today
        if match["yesterday"]:
            return today - timedelta(days=1)
        return today - int(match["n"]) * _RELATIVE_UNITS[match["unit"]]
    return None


def _utc(value: datetime) -> datetime | None:
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def _from_epoch(value: float | Decimal) -> datetime | None:
    try:
        seconds = float(value)
        if abs(seconds) >= _EPOCH_MS_THRESHOLD:
            seconds /= 1000
        if seconds <= 0:
            return None
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError, InvalidOperation):
        return None
