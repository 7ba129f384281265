"""gigm8.lib.html.sanitize_html: the allow-list every stored description goes through."""

from __future__ import annotations

import pytest

from gigm8.lib.html import sanitize_html
from gigm8.tests.xss import DIRTY_DESCRIPTION_HTML, assert_sanitized


def test_script_vectors_are_removed_and_text_markup_kept() -> None:
    assert_sanitized(sanitize_html(DIRTY_DESCRIPTION_HTML))


@pytest.mark.parametrize(
    "href",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java&#x09;script:alert(1)",
        " javascript:alert(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "vbscript:msgbox(1)",
        "/relative/to/the/source/site",
        "//evil.example/x",
    ],
)
def test_only_absolute_http_and_mailto_links_keep_their_href(href: str) -> None:
    assert sanitize_html(f'<a href="{href}">x</a>') == '<a rel="nofollow noopener noreferrer">x</a>'


def test_allowed_links_get_a_safe_rel() -> None:
    assert sanitize_html('<a href="mailto:jobs@acme.example" rel="opener">m</a>') == (
        '<a href="mailto:jobs@acme.example" rel="nofollow noopener noreferrer">m</a>'
    )


def test_content_of_dropped_elements_goes_with_them() -> None:
    markup = "<style>p{}</style><form action='/x'><input name=q>Log in</form><object>o</object><p>kept</p>"
    assert sanitize_html(markup) == "<p>kept</p>"


def test_sanitizing_is_idempotent_and_strips_the_edges() -> None:
    once = sanitize_html("\n <p>a&nbsp;b<br/>c</p>\r\n<table><tr><td colspan=2>t</td></tr></table> ")
    assert once == '<p>a&nbsp;b<br>c</p>\n<table><tbody><tr><td colspan="2">t</td></tr></tbody></table>'
    assert sanitize_html(once) == once


def test_a_narrower_tag_list_drops_links_and_attributes() -> None:
    assert sanitize_html('<p>x <a href="https://a.example">y</a></p><h1>z</h1>', tags={"p"}) == "<p>x y</p>z"
