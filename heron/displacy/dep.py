"""Dependency parses as SVG: one picture per sentence, arcs with labels over a word row
and a tag row (the root's label in a third row under its word).

Arcs are drawn from head to dependent, the arrow at the dependent. An arc sits one
level above the highest arc nested inside it, so nested arcs never cross. Sizes are
estimated from character counts (no font metrics offline), generously enough for
typical UI fonts. Styling is in presentation attributes, so an SVG also renders alone.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Sequence, Tuple

import numpy as np

from ._markup import escape, page

FONT_PX = 14
CHAR_PX = 8.5  # average advance of a 14px sans-serif character, rounded up
WORD_PAD = 24
LEVEL_PX = 26  # height added per arc level
MARGIN = 10
ARC_COLOR = "#555"
CSS = """.doc { border-bottom: 1px solid #ddd; padding: 1em 0; overflow-x: auto; }
.doc h2 { font-size: 1em; color: #888; font-weight: normal; }"""

Arc = Tuple[int, int, str]  # (head, dependent, label), indices within the sentence


def render_parses(docs: Iterable[Any], title: str = "heron parses") -> str:
    """One page with every Doc's sentences drawn as SVG parses."""
    body = []
    for n, doc in enumerate(docs):
        pictures = "\n".join(render_dep_svg(sent) for sent in sentences(doc))
        body.append(f'<div class="doc"><h2>#{n}</h2>\n{pictures}</div>')
    return page("\n".join(body), title=title, css=CSS)


def render_dep_svg(doclike: Any) -> str:
    """An <svg> of one Doc or Span (best a sentence): arcs whose two ends are inside it."""
    tokens = list(doclike)
    start = tokens[0].i if tokens else 0
    words = [t.text for t in tokens]
    tags = [t.tag_ or t.pos_ for t in tokens]
    heads = [t.head.i - start for t in tokens]
    arcs = [(h, d, tokens[d].dep_) for d, h in enumerate(heads) if h != d and 0 <= h < len(tokens)]
    roots = [tokens[d].dep_ if h == d and tokens[d].dep_ else "" for d, h in enumerate(heads)]
    return _svg(words, tags, roots, arcs)


def sentences(doclike: Any) -> List[Any]:
    """A Doc's sentences when it has boundaries; else the Doc (or Span) as one piece."""
    if getattr(doclike, "doc", doclike) is doclike and len(doclike) and doclike.has_annotation("SENT_START"):
        return list(doclike.sents)
    return [doclike]


def arc_levels(arcs: Sequence[Arc]) -> List[int]:
    """Level of each arc: 1 + the highest level among the arcs nested inside it."""
    order = sorted(range(len(arcs)), key=lambda k: abs(arcs[k][0] - arcs[k][1]))
    placed: Dict[int, List[Tuple[int, int]]] = {}  # left end -> [(right end, level)]
    levels = [0] * len(arcs)
    for k in order:
        lo, hi = sorted(arcs[k][:2])
        inner = [lv for p in range(lo, hi + 1) for right, lv in placed.get(p, ()) if right <= hi]
        levels[k] = 1 + max(inner, default=0)
        placed.setdefault(lo, []).append((hi, levels[k]))
    return levels


def _svg(words: List[str], tags: List[str], roots: List[str], arcs: List[Arc]) -> str:
    widths = [max(CHAR_PX * max(len(w), len(t), len(r)) + WORD_PAD, 40)
              for w, t, r in zip(words, tags, roots)]
    lefts = MARGIN + np.concatenate([[0.0], np.cumsum(widths)[:-1]]) if widths else np.zeros(0)
    centers = [float(x) + w / 2 for x, w in zip(lefts, widths)]
    levels = arc_levels(arcs)
    top = MARGIN + FONT_PX
    base = top + max(levels, default=0) * LEVEL_PX + 8  # where arcs land, above the words
    word_y, tag_y = base + FONT_PX + 6, base + 2 * FONT_PX + 10
    root_y = tag_y + FONT_PX + 4
    width = MARGIN * 2 + sum(widths)
    height = root_y + MARGIN
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="parse" width="{width:.0f}" '
             f'height="{height}" viewBox="0 0 {width:.0f} {height}" font-family="sans-serif" '
             f'font-size="{FONT_PX}" role="img">',
             f'<title>{escape(" ".join(words))}</title>']
    for (head, dep, label), level in zip(arcs, levels):
        parts.append(_arc(centers, widths, head, dep, label, level, base))
    for i, (word, tag, root) in enumerate(zip(words, tags, roots)):
        x = f"{centers[i]:.1f}"
        parts.append(f'<text class="word" x="{x}" y="{word_y}" text-anchor="middle">{escape(word)}</text>')
        parts.append(f'<text class="tag" x="{x}" y="{tag_y}" text-anchor="middle" fill="#888">{escape(tag)}</text>')
        if root:
            parts.append(f'<text class="root" x="{x}" y="{root_y}" text-anchor="middle" '
                         f'font-size="{FONT_PX - 3}" fill="{ARC_COLOR}">{escape(root)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _arc(centers: List[float], widths: List[float], head: int, dep: int, label: str,
         level: int, base: float) -> str:
    lo, hi = sorted((head, dep))
    # ends spread by level so arcs landing on one word stay apart
    x1 = centers[lo] + min(3 * level, widths[lo] / 3)
    x2 = centers[hi] - min(3 * level, widths[hi] / 3)
    rise = level * LEVEL_PX
    control = base - rise / 0.75  # a cubic's peak reaches 3/4 of its control points' height
    xd = x2 if dep == hi else x1
    return (f'<g class="arc"><path d="M{x1:.1f},{base} C{x1:.1f},{control:.1f} {x2:.1f},{control:.1f} '
            f'{x2:.1f},{base}" fill="none" stroke="{ARC_COLOR}" stroke-width="1.5"/>'
            f'<path d="M{xd - 4:.1f},{base - 7} L{xd + 4:.1f},{base - 7} L{xd:.1f},{base} Z" '
            f'fill="{ARC_COLOR}"/>'
            f'{_label(label, (x1 + x2) / 2, base - rise - 3)}</g>')


def _label(label: str, x: float, y: float) -> str:
    """The label over a white halo (a stroked copy drawn first: clear over other arcs
    without relying on paint-order, which some SVG renderers ignore)."""
    at = f'x="{x:.1f}" y="{y:.1f}" text-anchor="middle" font-size="{FONT_PX - 3}"'
    text = escape(label)
    return (f'<text class="halo" {at} fill="#fff" stroke="#fff" stroke-width="4" aria-hidden="true">{text}</text>'
            f'<text class="label" {at} fill="{ARC_COLOR}">{text}</text>')
