"""Escaping and the page frame shared by the renderers.

Pages are self-contained (inline CSS; no scripts, fonts, images or links to fetch) and
well-formed XML as well as HTML, so they open offline and parse with any XML tool.
"""
from __future__ import annotations

import html
import re

# Characters XML 1.0 forbids even when escaped (C0 controls but tab/newline/return),
# and lone surrogates, which a Doc may hold but UTF-8 can't encode.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def escape(text: str) -> str:
    """`text` safe inside XML/HTML text and quoted attributes."""
    return html.escape(_NOT_XML.sub("\ufffd", str(text)), quote=True)


def page(body: str, *, title: str, css: str) -> str:
    """An HTML5 page that is also well-formed XML."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"/><title>{escape(title)}</title>
<style>
body {{ font-family: -apple-system, "Segoe UI", sans-serif; margin: 2em; }}
{css}
</style></head>
<body>
{body}
</body></html>
"""
