"""Entities as highlighted text (HTML marks with their labels)."""
from __future__ import annotations

import zlib
from typing import Any, Iterable, List

from ._markup import escape, page

PALETTE = ("#7aecec", "#bfeeb7", "#feca74", "#ff9561", "#aa9cfc", "#c887fb", "#9cc9cc",
           "#ffeb80", "#ff8197", "#f0d0ff", "#bfe1d9", "#e4e7d2")
CSS = """.doc { border-bottom: 1px solid #ddd; padding: 1em 0; white-space: pre-wrap; line-height: 2.4; }
mark { padding: 0.25em 0.5em; margin: 0 0.2em; border-radius: 0.35em; }
mark .label { font-size: 0.7em; font-weight: bold; text-transform: uppercase; margin-left: 0.4em; }"""


def render_entities(docs: Iterable[Any], title: str = "heron entities") -> str:
    """One page highlighting each Doc's entities with their labels."""
    body = "\n".join(f'<div class="doc">{render_ent_markup(doc)}</div>' for doc in docs)
    return page(body, title=title, css=CSS)


def render_ent_markup(doc: Any) -> str:
    """The Doc's text with each entity in a <mark> (colour chosen by its label)."""
    text = doc.text
    parts: List[str] = []
    pos = 0
    for ent in doc.ents:
        parts.append(escape(text[pos:ent.start_char]))
        color = PALETTE[zlib.crc32(ent.label_.encode("utf8", "surrogatepass")) % len(PALETTE)]
        parts.append(f'<mark class="entity" style="background: {color}">'
                     f'{escape(ent.text)}<span class="label">{escape(ent.label_)}</span></mark>')
        pos = ent.end_char
    parts.append(escape(text[pos:]))
    return "".join(parts)
