"""A job description with the script vectors a source or a staff member could send, and the
check that what is stored or served keeps the harmless markup and none of them."""

from __future__ import annotations

DIRTY_DESCRIPTION_HTML = (
    "<h2>About the role</h2>"
    "<p>Build <strong>data pipelines</strong> &amp; <em>ship</em> them.</p>"
    '<script>alert("xss-script")</script>'
    '<img src="x" onerror="alert(\'xss-img\')">'
    "<p><a href=\"javascript:alert('xss-link')\">apply</a> or "
    '<a href="https://acme.example/apply" onclick="steal()" target="_blank">apply here</a></p>'
    '<svg onload="alert(\'xss-svg\')"><circle r="1"></circle></svg>'
    '<iframe src="https://evil.example/frame">framed</iframe>'
    '<p style="position:fixed">Stack:</p><ul><li>Python</li><li>SQL</li></ul>'
)

# What the allow-list keeps of it.
KEPT = (
    "<h2>About the role</h2>",
    "<p>Build <strong>data pipelines</strong> &amp; <em>ship</em> them.</p>",
    '<a href="https://acme.example/apply" rel="nofollow noopener noreferrer">apply here</a>',
    "<p>Stack:</p><ul><li>Python</li><li>SQL</li></ul>",
)
FORBIDDEN = ("<script", "alert(", "onerror", "onload", "onclick", "javascript:", "<img", "<svg", "<iframe",
             "evil.example", "style=", "target=")  # fmt: skip


def assert_sanitized(markup: str) -> None:
    """`markup` is DIRTY_DESCRIPTION_HTML after sanitizing: every vector gone, the rest kept."""
    lowered = markup.lower()
    left = [marker for marker in FORBIDDEN if marker in lowered]
    assert not left, f"{left} survived in {markup!r}"
    for part in KEPT:
        assert part in markup, f"{part!r} lost from {markup!r}"
