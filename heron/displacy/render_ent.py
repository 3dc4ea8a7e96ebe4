"""Named entities as highlighted HTML, spaCy's EntityRenderer: one block per parsed dict
({"text", "ents": [{"start", "end", "label", "kb_id"?, "kb_url"?, "params"?}], "title"?}),
entity offsets in characters.
"""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence

from ._common import (
    DEFAULT_DIR,
    DEFAULT_ENTITY_COLOR,
    DEFAULT_LANG,
    color_of,
    fill,
    finish,
    kb_link,
    label_colors,
    settings_of,
)
from ._markup import escape
from .templates import TPL_ENT, TPL_ENT_RTL, TPL_ENTS, TPL_TITLE


class EntityRenderer:
    """Render named entities as HTML.

    options: ents (labels to highlight, default all; others stay plain text), colors
    ({label: CSS colour}, over spaCy's defaults), template (markup of one entity with
    {text}, {label}, {bg}, {kb_link} and any manual "params").
    """

    style = "ent"

    def __init__(self, options: Mapping[str, Any] = {}) -> None:
        self.default_color = DEFAULT_ENTITY_COLOR
        self.colors = label_colors(options)
        ents = options.get("ents")
        self.ents: Optional[List[str]] = None if ents is None else [str(ent).upper() for ent in ents]
        self.direction = DEFAULT_DIR
        self.lang = DEFAULT_LANG
        self.template: Optional[str] = options.get("template") or None

    @property
    def ent_template(self) -> str:
        # chosen per render: the direction comes with the documents' settings
        if self.template:
            return self.template
        return TPL_ENT_RTL if self.direction == "rtl" else TPL_ENT

    def render(self, parsed: Sequence[Mapping[str, Any]], page: bool = False, minify: bool = False) -> str:
        """Each dict's text with its entities marked, or a whole HTML page of them."""
        self.lang, self.direction = settings_of(parsed)
        rendered = [self.render_ents(p["text"], p["ents"], p.get("title")) for p in parsed]
        return finish(rendered, page=page, minify=minify, lang=self.lang, direction=self.direction)

    def render_ents(self, text: str, spans: Sequence[Mapping[str, Any]], title: Optional[str]) -> str:
        """`text` with each entity of `spans` (sorted, not overlapping) in a <mark>;
        line breaks outside entities become <br>."""
        markup = ""
        offset = 0
        for span in spans:
            label, start, end = span["label"], span["start"], span["end"]
            markup += _text_with_breaks(text[offset:start])
            entity = escape(text[start:end])
            if self.ents is None or str(label).upper() in self.ents:
                values: Dict[str, Any] = {"label": escape(label), "text": entity, "bg": color_of(self.colors, label),
                                          "kb_link": kb_link(span.get("kb_id", ""), span.get("kb_url", "#"))}
                values.update({key: escape(value) for key, value in (span.get("params") or {}).items()})
                markup += fill(self.ent_template, "template", **values)
            else:
                markup += entity
            offset = end
        markup += _text_with_breaks(text[offset:])
        markup = TPL_ENTS.format(content=markup, dir=escape(self.direction))
        if title:
            markup = TPL_TITLE.format(title=escape(title)) + markup
        return markup


def _text_with_breaks(text: str) -> str:
    return "<br>".join(escape(line) for line in text.split("\n"))
