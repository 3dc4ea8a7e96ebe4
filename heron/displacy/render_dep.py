"""Dependency parses as SVG, spaCy's DependencyRenderer: one picture per parsed dict
({"words": [{"text", "tag", "lemma"?}], "arcs": [{"start", "end", "label", "dir"}]}).

Geometry and markup follow spaCy's renderer number for number, so a parse drawn by heron
looks like spaCy's; unlike spaCy, tags, lemmas and arc labels are escaped too.
"""
from __future__ import annotations

import uuid
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from ._common import DEFAULT_DIR, DEFAULT_LANG, finish, settings_of
from ._markup import escape
from .templates import TPL_DEP_ARCS, TPL_DEP_SVG, TPL_DEP_WORDS, TPL_DEP_WORDS_LEMMA, TPL_TITLE

ArcKey = Tuple[int, int, str]  # (start, end, label)


class DependencyRenderer:
    """Render dependency parses as SVGs.

    options: compact (bool, square arcs and a tighter layout), word_spacing (px between
    the arcs and the words, default 45), arrow_spacing (px between arrows on one word,
    default 20, compact 12), arrow_width (default 10, compact 6), arrow_stroke (default 2),
    distance (px between words, default 175, compact 150), offset_x (left margin, 50),
    color (text and arcs, "#000000"), bg (background, "#ffffff"), font ("Arial").
    """

    style = "dep"

    def __init__(self, options: Mapping[str, Any] = {}) -> None:
        self.compact = bool(options.get("compact", False))
        self.word_spacing = options.get("word_spacing", 45)
        self.arrow_spacing = options.get("arrow_spacing", 12 if self.compact else 20)
        self.arrow_width = options.get("arrow_width", 6 if self.compact else 10)
        self.arrow_stroke = options.get("arrow_stroke", 2)
        self.distance = options.get("distance", 150 if self.compact else 175)
        self.offset_x = options.get("offset_x", 50)
        self.color = str(options.get("color", "#000000"))
        self.bg = str(options.get("bg", "#ffffff"))
        self.font = str(options.get("font", "Arial"))
        self.direction = DEFAULT_DIR
        self.lang = DEFAULT_LANG
        self.levels: Dict[ArcKey, int] = {}
        self.highest_level = 0

    def render(self, parsed: Sequence[Mapping[str, Any]], page: bool = False, minify: bool = False) -> str:
        """The SVGs of `parsed` (one per dict), or a whole HTML page of them."""
        # a random prefix keeps the arcs' ids unique across renders shown on one page
        # (labels find their arc by id), even for identical parses
        id_prefix = uuid.uuid4().hex
        self.lang, self.direction = settings_of(parsed)
        rendered = []
        for i, p in enumerate(parsed):
            svg = self.render_svg(f"{id_prefix}-{i}", p["words"], p["arcs"])
            if p.get("title"):
                svg = TPL_TITLE.format(title=escape(p["title"])) + svg
            rendered.append(svg)
        return finish(rendered, page=page, minify=minify, lang=self.lang, direction=self.direction)

    def render_svg(self, render_id: Any, words: Sequence[Mapping[str, Any]],
                   arcs: Sequence[Mapping[str, Any]]) -> str:
        """One <svg>: the words in a row, the arcs above them, each arc as high as the
        arcs nested inside it need."""
        self.levels = self.get_levels(arcs)
        self.highest_level = max(self.levels.values(), default=0)
        self.offset_y = self.distance / 2 * self.highest_level + self.arrow_stroke
        self.width = self.offset_x + len(words) * self.distance
        self.height = self.offset_y + 3 * self.word_spacing
        self.id = render_id
        words_svg = [self.render_word(w["text"], w["tag"], w.get("lemma"), i) for i, w in enumerate(words)]
        arcs_svg = [self.render_arrow(a["label"], a["start"], a["end"], a["dir"], i) for i, a in enumerate(arcs)]
        return TPL_DEP_SVG.format(id=escape(self.id), width=self.width, height=self.height,
                                  color=escape(self.color), bg=escape(self.bg), font=escape(self.font),
                                  content="".join(words_svg) + "".join(arcs_svg),
                                  dir=escape(self.direction), lang=escape(self.lang))

    def render_word(self, text: str, tag: str, lemma: Optional[str], i: int) -> str:
        """The word `i` with its tag (and lemma) under it."""
        y = self.offset_y + self.word_spacing
        x = self.offset_x + i * self.distance
        if self.direction == "rtl":
            x = self.width - x
        if lemma is not None:
            return TPL_DEP_WORDS_LEMMA.format(text=escape(text), tag=escape(tag), lemma=escape(lemma), x=x, y=y)
        return TPL_DEP_WORDS.format(text=escape(text), tag=escape(tag), x=x, y=y)

    def render_arrow(self, label: str, start: int, end: int, direction: str, i: int) -> str:
        """The arc between words `start` < `end`, its label, and its head at the
        dependent's end ("left": at `start`, "right": at `end`)."""
        level = self.levels[(start, end, label)]
        x_start = self.offset_x + start * self.distance + self.arrow_spacing
        if self.direction == "rtl":
            x_start = self.width - x_start
        y = self.offset_y
        # arcs that land on one word end apart, lower arcs further out
        x_end = (self.offset_x + (end - start) * self.distance + start * self.distance
                 - self.arrow_spacing * (self.highest_level - level) / 4)
        if self.direction == "rtl":
            x_end = self.width - x_end
        y_curve = self.offset_y - level * self.distance / 2
        if self.compact:
            y_curve = self.offset_y - level * self.distance / 6
        if y_curve == 0 and self.highest_level > 5:
            y_curve = -self.distance
        return TPL_DEP_ARCS.format(id=escape(self.id), i=i, stroke=self.arrow_stroke,
                                   head=self.get_arrowhead(direction, x_start, y, x_end),
                                   label=escape(label), label_side="right" if self.direction == "rtl" else "left",
                                   arc=self.get_arc(x_start, y, y_curve, x_end))

    def get_arc(self, x_start: float, y: float, y_curve: float, x_end: float) -> str:
        """The arc's path: a cubic Bézier curve, or three straight lines when compact."""
        template = "M{x},{y} C{x},{c} {e},{c} {e},{y}"
        if self.compact:
            template = "M{x},{y} {x},{c} {e},{c} {e},{y}"
        return template.format(x=x_start, y=y, c=y_curve, e=x_end)

    def get_arrowhead(self, direction: str, x: float, y: float, end: float) -> str:
        """The arrowhead's path, at the arc's start ("left") or end ("right")."""
        if direction == "left":
            p1, p2, p3 = (x, x - self.arrow_width + 2, x + self.arrow_width - 2)
        else:
            p1, p2, p3 = (end, end + self.arrow_width - 2, end - self.arrow_width + 2)
        return f"M{p1},{y + 2} L{p2},{y - self.arrow_width} {p3},{y - self.arrow_width}"

    def get_levels(self, arcs: Sequence[Mapping[str, Any]]) -> Dict[ArcKey, int]:
        """The height level of each arc, keyed by (start, end, label): 1 + the highest
        level among the words it spans, shortest arcs placed first."""
        unique: Dict[Tuple[int, int, str, str], Mapping[str, Any]] = {}
        for arc in arcs:
            unique.setdefault((arc["start"], arc["end"], arc["label"], arc.get("dir", "")), arc)
        length = max((arc["end"] for arc in unique.values()), default=0)
        max_level: List[int] = [0] * length
        levels: Dict[ArcKey, int] = {}
        for arc in sorted(unique.values(), key=lambda arc: arc["end"] - arc["start"]):
            level = max(max_level[arc["start"]:arc["end"]]) + 1
            for i in range(arc["start"], arc["end"]):
                max_level[i] = level
            levels[(arc["start"], arc["end"], arc["label"])] = level
        return levels
