"""Checks of what users hand to render/serve: the options of each style and the dicts
of manual mode. A mistake gets a coded error naming the option or the docs[i] key at
fault, instead of a KeyError deep inside a renderer or a page that silently lies.
"""
from __future__ import annotations

from numbers import Real
from typing import Any, Dict, List, Mapping, Sequence

from ..errors import Errors, HeronTypeError, HeronValueError, Warnings, warn
from .render_span import TEMPLATE_KEYS

FLAGS = ("compact", "collapse_punct", "collapse_phrases", "fine_grained", "add_lemma")
DEP_NUMBERS = ("offset_x", "arrow_stroke", "arrow_width", "arrow_spacing", "word_spacing", "distance")
SPAN_NUMBERS = ("top_offset", "span_label_offset", "top_offset_step")
TEXTS = ("color", "bg", "font", "template", "kb_url_template", "spans_key")
KNOWN_OPTIONS = {
    "dep": (*FLAGS, *DEP_NUMBERS, "color", "bg", "font"),
    "ent": ("ents", "colors", "template", "kb_url_template"),
    "span": ("spans_key", "template", "templates", "colors", "kb_url_template", *SPAN_NUMBERS),
}
MANUAL_FORMATS = {
    "dep": '{"words": [{"text": "Hi", "tag": "INTJ"}, ...], "arcs": [{"start": 0, "end": 1, "label": "dep", '
           '"dir": "left" or "right"}, ...]} with 0 <= start < end < len(words)',
    "ent": '{"text": "...", "ents": [{"start": 0, "end": 5, "label": "ORG"}, ...], "title": None} with character '
           'offsets into text, entities not overlapping (overlapping spans need style="span")',
    "span": '{"text": "...", "tokens": ["Hi", ...], "spans": [{"start_token": 0, "end_token": 1, "label": "X"}, '
            '...]} with token offsets, end exclusive',
}


def check_options(options: Any, style: str) -> Dict[str, Any]:
    """The options as a dict; E633 for a value of the wrong kind, W635 for unknown keys."""
    if not isinstance(options, Mapping):
        raise HeronTypeError(Errors.E633.format(key="", value=options, detail=f"options is a {type(options).__name__}",
                                                fix="pass a dict, e.g. options={\"compact\": True}"))
    options = dict(options)
    unknown = [key for key in options if key not in KNOWN_OPTIONS[style]]
    if unknown:
        warn(Warnings.W635.format(style=style, unknown=", ".join(map(repr, unknown)),
                                  known=", ".join(KNOWN_OPTIONS[style])))
    for key, value in options.items():
        if key in DEP_NUMBERS + SPAN_NUMBERS and (not isinstance(value, Real) or isinstance(value, bool)):
            _bad(key, value, "is not a number", "pass a number of pixels, e.g. 150")
        elif key in ("template", "templates") and style == "span":
            if value is not None:
                _check_span_template(key, value)
        elif key in TEXTS and value is not None and not isinstance(value, str):
            _bad(key, value, "is not a str", f"pass text, e.g. {key}={_EXAMPLES.get(key, repr('...'))}")
        elif key == "colors" and not isinstance(value, Mapping):
            _bad(key, value, "is not a dict", "pass {label: CSS colour}, e.g. {\"ORG\": \"#7aecec\"}")
        elif key == "ents" and value is not None and (isinstance(value, str) or not _all_str(value)):
            _bad(key, value, "is not a list of labels", "pass e.g. [\"ORG\", \"PERSON\"], or None for all labels")
    return options


_EXAMPLES = {"color": "'#000000'", "bg": "'#ffffff'", "font": "'Arial'", "spans_key": "'sc'",
             "kb_url_template": "'https://www.wikidata.org/wiki/{}'", "template": "'<mark>{text} {label}</mark>'"}


def _all_str(values: Any) -> bool:
    try:
        return all(isinstance(v, str) for v in values)
    except TypeError:
        return False


def _check_span_template(key: str, value: Any) -> None:
    if not isinstance(value, Mapping) or not all(isinstance(value.get(k), str) for k in TEMPLATE_KEYS):
        _bad(key, value, "is not a dict of the three templates",
             "pass {\"span\": ..., \"slice\": ..., \"start\": ...} (strings; see heron.displacy.templates.TPL_SPAN, "
             "TPL_SPAN_SLICE, TPL_SPAN_START)")


def _bad(key: str, value: Any, detail: str, fix: str) -> None:
    raise HeronValueError(Errors.E633.format(key=f"[{key!r}]", value=value, detail=detail, fix=fix))


def check_manual(docs: Sequence[Any], style: str) -> List[Dict[str, Any]]:
    """Copies of the manual dicts, ents sorted by offsets; E632 for a missing key or an
    offset that doesn't fit (rather than a wrong picture or a KeyError)."""
    checked = []
    for i, doc in enumerate(docs):
        if not isinstance(doc, Mapping):
            raise HeronTypeError(Errors.E631.format(i=i, type=type(doc).__name__, manual=False,
                                                    fix="pass dicts (see heron.displacy.parse_deps/parse_ents/"
                                                        "parse_spans for the format), or manual=False to pass Docs"))
        doc = dict(doc)
        {"dep": _check_dep, "ent": _check_ent, "span": _check_span}[style](doc, i)
        checked.append(doc)
    return checked


def _fail(style: str, i: int, detail: str) -> None:
    raise HeronValueError(Errors.E632.format(style=style, i=i, detail=detail, format=MANUAL_FORMATS[style]))


def _require(doc: Any, keys: Sequence[str], style: str, where: str, i: int) -> None:
    if not isinstance(doc, Mapping):
        _fail(style, i, f"{where} is a {type(doc).__name__}, not a dict")
    missing = [key for key in keys if key not in doc]
    if missing:
        _fail(style, i, f"{where} has no {', '.join(map(repr, missing))}")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_dep(doc: Dict[str, Any], i: int) -> None:
    _require(doc, ("words", "arcs"), "dep", "the dict", i)
    for k, word in enumerate(doc["words"]):
        _require(word, ("text", "tag"), "dep", f"words[{k}]", i)
    n_words = len(doc["words"])
    for k, arc in enumerate(doc["arcs"]):
        _require(arc, ("start", "end", "label", "dir"), "dep", f"arcs[{k}]", i)
        start, end = arc["start"], arc["end"]
        if not (_is_int(start) and _is_int(end) and 0 <= start < end < n_words):
            _fail("dep", i, f"arcs[{k}] has start={start!r}, end={end!r} with {n_words} words")
        if arc["dir"] not in ("left", "right"):
            _fail("dep", i, f"arcs[{k}] has dir={arc['dir']!r}")


def _check_ent(doc: Dict[str, Any], i: int) -> None:
    _require(doc, ("text", "ents"), "ent", "the dict", i)
    for k, ent in enumerate(doc["ents"]):
        _require(ent, ("start", "end", "label"), "ent", f"ents[{k}]", i)
    doc["ents"] = sorted(doc["ents"], key=lambda ent: (ent["start"], ent["end"]))
    previous_end = 0
    for ent in doc["ents"]:
        start, end = ent["start"], ent["end"]
        if not (_is_int(start) and _is_int(end) and 0 <= start <= end <= len(doc["text"])):
            _fail("ent", i, f"the entity {ent!r} doesn't fit the text of {len(doc['text'])} characters")
        if start < previous_end:
            _fail("ent", i, f"the entity {ent!r} overlaps the one before it")
        previous_end = end


def _check_span(doc: Dict[str, Any], i: int) -> None:
    _require(doc, ("tokens", "spans"), "span", "the dict", i)
    n_tokens = len(doc["tokens"])
    for k, span in enumerate(doc["spans"]):
        _require(span, ("start_token", "end_token", "label"), "span", f"spans[{k}]", i)
        start, end = span["start_token"], span["end_token"]
        if not (_is_int(start) and _is_int(end) and 0 <= start <= end <= n_tokens):
            _fail("span", i, f"spans[{k}] has start_token={start!r}, end_token={end!r} with {n_tokens} tokens")
