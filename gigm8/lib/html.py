"""The one HTML sanitizer: what a job description may keep so a frontend can render it as HTML.

Descriptions arrive as HTML from careers pages, ATS boards, imports and staff; whatever a
source sends (``<script>``, ``onerror=``, ``javascript:`` links, ``<svg onload>``, frames) must
not reach a reader's browser. ``sanitize_html`` keeps an allow-list of structural and text
markup and drops everything else; ingestion (the normalizer), staff writes (API and admin), the
data migration that cleaned stored rows and the CTS sync all call it, so "sanitized" means one
thing everywhere. Pure (nh3 only), so every layer may import it.
"""

from __future__ import annotations

from collections.abc import Collection

import nh3

# Structural and text tags a job description is written with. No img (a tracking pixel, and a
# hot-link to the source's server), no forms, no media, no style.
ALLOWED_TAGS = frozenset(
    {
        *("p", "br", "hr", "div", "span", "blockquote", "pre", "code"),
        *("ul", "ol", "li", "dl", "dt", "dd"),
        *("strong", "b", "em", "i", "u", "s", "sub", "sup", "small"),
        *("h1", "h2", "h3", "h4", "h5", "h6"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
        "a",
    }
)
# Tags dropped with everything inside them: their content is code or a foreign document, never
# text of the posting.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "form", "svg", "math", "noscript", "template", "textarea"}
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"}, "th": {"colspan", "rowspan", "scope"}}
# Absolute links only: a relative one points into the source's site, not ours.
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow noopener noreferrer"

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags=set(DROPPED_WITH_CONTENT),
    attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
    url_schemes=set(ALLOWED_URL_SCHEMES),
    url_relative="deny",
    link_rel=LINK_REL,
    strip_comments=True,
)


def sanitize_html(markup: str | None, *, tags: Collection[str] | None = None) -> str:
    """`markup` reduced to the allow-list, surrounding whitespace stripped ("" for None).

    Idempotent: sanitizing its own output gives the same string, so a stored description sent
    back unchanged by a staff form compares equal. `tags` narrows the allow-list further (CTS
    takes a few text tags and no links) and drops attributes.
    """
    if not markup:
        return ""
    if tags is None:
        return _CLEANER.clean(str(markup)).strip()
    narrowed = set(tags) & ALLOWED_TAGS
    return nh3.clean(
        str(markup), tags=narrowed, clean_content_tags=set(DROPPED_WITH_CONTENT), attributes={}, link_rel=None
    ).strip()
