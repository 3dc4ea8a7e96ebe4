"""Spans (possibly overlapping) as coloured bars under the tokens, spaCy's SpanRenderer:
one block per parsed dict ({"text", "tokens": [str], "spans": [{"start_token",
"end_token", "label", "kb_id"?, "kb_url"?}], "title"?}), span offsets in tokens.

Spans that overlap stack: each span keeps one vertical slot from its first token to its
last, one below the spans still open where it starts.
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
from .templates import (
    TPL_SPAN,
    TPL_SPAN_RTL,
    TPL_SPAN_SLICE,
    TPL_SPAN_SLICE_RTL,
    TPL_SPAN_START,
    TPL_SPAN_START_RTL,
    TPL_SPANS,
    TPL_TITLE,
)

TEMPLATE_KEYS = ("span", "slice", "start")


class SpanRenderer:
    """Render spans as HTML.

    options: colors ({label: CSS colour}), template ({"span", "slice", "start"}: the
    markup of a token, of a span's bar under it, and of the bar with the label where a
    span starts), top_offset (px from the token's top to the first bar, default 40),
    span_label_offset (px, 20), top_offset_step (px between stacked bars, 17).
    """

    style = "span"

    def __init__(self, options: Mapping[str, Any] = {}) -> None:
        self.default_color = DEFAULT_ENTITY_COLOR
        self.colors = label_colors(options)
        self.direction = DEFAULT_DIR
        self.lang = DEFAULT_LANG
        self.top_offset = options.get("top_offset", 40)
        self.span_label_offset = options.get("span_label_offset", 20)
        self.offset_step = options.get("top_offset_step", 17)
        # spaCy's option is "template"; "templates" is accepted as the same thing
        self.template: Optional[Mapping[str, str]] = options.get("template") or options.get("templates") or None

    @property
    def templates(self) -> Dict[str, str]:
        """{"span", "slice", "start"} templates: the user's, else by text direction."""
        if self.template:
            return dict(self.template)
        if self.direction == "rtl":
            return {"span": TPL_SPAN_RTL, "slice": TPL_SPAN_SLICE_RTL, "start": TPL_SPAN_START_RTL}
        return {"span": TPL_SPAN, "slice": TPL_SPAN_SLICE, "start": TPL_SPAN_START}

    def render(self, parsed: Sequence[Mapping[str, Any]], page: bool = False, minify: bool = False) -> str:
        """Each dict's tokens with their spans, or a whole HTML page of them."""
        self.lang, self.direction = settings_of(parsed)
        rendered = [self.render_spans(p["tokens"], p["spans"], p.get("title")) for p in parsed]
        return finish(rendered, page=page, minify=minify, lang=self.lang, direction=self.direction)

    def render_spans(self, tokens: Sequence[str], spans: Sequence[Mapping[str, Any]], title: Optional[str]) -> str:
        """The tokens, each with a bar per span it is in and a label where a span starts."""
        markup = self._render_markup(self._assemble_per_token_info(tokens, spans))
        markup = TPL_SPANS.format(content=markup, dir=escape(self.direction))
        if title:
            markup = TPL_TITLE.format(title=escape(title)) + markup
        return markup

    @staticmethod
    def _assemble_per_token_info(tokens: Sequence[str],
                                 spans: Sequence[Mapping[str, Any]]) -> List[Dict[str, Any]]:
        """Per token: its text and the spans over it ({label, is_start, render_slot, kb_link})."""
        # by start, longer spans first (on top), then label: the order spans stack in
        ordered = sorted((dict(s) for s in spans),
                         key=lambda s: (s["start_token"], -(s["end_token"] - s["start_token"]), s["label"]))
        for span in ordered:
            span["render_slot"] = 0
        per_token_info = []
        for idx, token in enumerate(tokens):
            open_spans: List[Dict[str, Any]] = []
            entities = []
            for span in ordered:
                if not span["start_token"] <= idx < span["end_token"]:
                    span["render_slot"] = 0
                    continue
                is_start = idx == span["start_token"]
                if is_start:  # one slot below the last span still open here
                    span["render_slot"] = (open_spans[-1]["render_slot"] if open_spans else 0) + 1
                open_spans.append(span)
                entities.append({"label": span["label"], "is_start": is_start, "render_slot": span["render_slot"],
                                 "kb_link": kb_link(span.get("kb_id", ""), span.get("kb_url", "#"))})
            per_token_info.append({"text": token, "entities": entities})
        return per_token_info

    def _render_markup(self, per_token_info: Sequence[Mapping[str, Any]]) -> str:
        markup = ""
        templates = self.templates
        for token in per_token_info:
            entities = sorted(token["entities"], key=lambda d: d["render_slot"])
            # whitespace tokens have no line height, so bars under them would misalign
            if entities and token["text"].strip():
                total_height = self.top_offset + self.span_label_offset + self.offset_step * (len(entities) - 1)
                markup += fill(templates["span"], "template['span']", text=escape(token["text"]),
                               span_slices=self._get_span_slices(token["entities"], templates["slice"]),
                               span_starts=self._get_span_starts(token["entities"], templates["start"]),
                               total_height=total_height)
            else:
                markup += escape(token["text"] + " ")
        return markup

    def _top_offset(self, entity: Mapping[str, Any]) -> Any:
        return self.top_offset + self.offset_step * (entity["render_slot"] - 1)

    def _get_span_slices(self, entities: Sequence[Mapping[str, Any]], template: str) -> str:
        """The bars of every span over one token, each at its span's slot."""
        return "".join(fill(template, "template['slice']", bg=color_of(self.colors, entity["label"]),
                            top_offset=self._top_offset(entity)) for entity in entities)

    def _get_span_starts(self, entities: Sequence[Mapping[str, Any]], template: str) -> str:
        """The labelled bar starts of the spans that begin at one token."""
        return "".join(fill(template, "template['start']", bg=color_of(self.colors, entity["label"]),
                            top_offset=self._top_offset(entity), label=escape(entity["label"]),
                            kb_link=entity["kb_link"])
                       for entity in entities if entity["is_start"])
