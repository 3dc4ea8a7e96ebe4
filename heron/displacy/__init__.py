"""Offline pictures of annotations: dependency parses as SVG, entities as marked-up text.

    from heron import displacy
    html = displacy.render(docs, style="dep", page=True)   # one HTML page, inline SVGs
    svg = displacy.render(doc, style="dep")                 # the SVGs of its sentences

A small first part of spaCy's displaCy (same `render` name and styles); output is
self-contained (no scripts, fonts or links to fetch) and escaped, so text from any
corpus is safe to open in a browser.
"""
from __future__ import annotations

from typing import Any

from ..errors import Errors, HeronValueError
from .dep import render_dep_svg, render_parses, sentences
from .ent import render_ent_markup, render_entities

STYLES = ("dep", "ent")


def render(docs: Any, style: str = "dep", page: bool = False, title: str = "") -> str:
    """Markup for a Doc, a Span or a list of them.

    style: "dep" (SVG parses: one per sentence) or "ent" (text with marked entities).
    page: a whole HTML page (True) or just the markup to embed (False).
    """
    if style not in STYLES:
        raise HeronValueError(Errors.E425.format(style=style, styles=", ".join(map(repr, STYLES))))
    items = list(docs) if isinstance(docs, (list, tuple)) else [docs]
    if page:
        if style == "dep":
            return render_parses(items, title=title or "heron parses")
        return render_entities(items, title=title or "heron entities")
    if style == "dep":
        return "\n".join(render_dep_svg(sent) for doc in items for sent in sentences(doc))
    return "\n".join(f'<div class="entities">{render_ent_markup(doc)}</div>' for doc in items)


__all__ = ["render", "render_dep_svg", "render_parses", "render_entities", "render_ent_markup"]
