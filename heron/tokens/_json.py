"""Doc <-> spaCy's JSON format (Doc.to_json / Doc.from_json). Private helpers behind the Doc methods."""
from __future__ import annotations

from typing import Optional

from ..errors import Errors, HeronValueError
from . import span_groups
from ._serialize import is_serialisable


def _json_value(name: str, value):
    if not is_serialisable(value):
        raise HeronValueError(Errors.E025.format(name=name, value=repr(value)[:80]))
    return value


def to_json(doc, underscore: Optional[list]) -> dict:
    data: dict = {"text": doc.text}
    if doc.has_annotation("ENT_IOB"):
        data["ents"] = [_ent_json(ent) for ent in doc.ents]
    if len(doc) and doc.has_annotation("SENT_START"):
        data["sents"] = [{"start": s.start_char, "end": s.end_char} for s in doc.sents]
    if doc.cats:
        data["cats"] = dict(doc.cats)
    if span_groups.has_spans(doc):
        data["spans"] = span_groups.to_json(doc)
    include = {a: doc.has_annotation(a) for a in ("TAG", "POS", "MORPH", "LEMMA", "DEP", "HEAD")}
    tokens = []
    for token in doc:
        item = {"id": token.i, "start": token.idx, "end": token.idx + len(token)}
        if include["TAG"]:
            item["tag"] = token.tag_
        if include["POS"]:
            item["pos"] = token.pos_
        if include["MORPH"]:
            item["morph"] = str(token.morph)
        if include["LEMMA"]:
            item["lemma"] = token.lemma_
        if include["DEP"] or include["HEAD"]:
            item["dep"] = token.dep_
            item["head"] = token.head.i
        tokens.append(item)
    data["tokens"] = tokens
    if underscore:
        _underscore_to_json(doc, list(underscore), data)
    return data


def _ent_json(ent) -> dict:
    item = {"start": ent.start_char, "end": ent.end_char, "label": ent.label_}
    if ent.kb_id:
        item["kb_id"] = ent.kb_id_
    return item


def _underscore_to_json(doc, names: list, data: dict) -> None:
    data["_"] = {}
    for name in names:
        if doc.has_extension(name):
            data["_"][name] = _json_value(name, doc._.get(name))
    # Token and Span values: only those stored in user_data (getters are code, not data).
    for key, value in doc.user_data.items():
        if not (isinstance(key, tuple) and len(key) == 4 and key[0] == "._." and key[1] in names):
            continue
        _, name, start, end = key
        if start is None:
            continue
        if end is None:
            data.setdefault("underscore_token", {}).setdefault(name, []).append(
                {"start": start, "value": _json_value(name, value)})
        else:
            data.setdefault("underscore_span", {}).setdefault(name, []).append(
                {"start": start, "end": end, "value": _json_value(name, value)})


def from_json(cls, vocab, data: dict):
    if not isinstance(data, dict) or not isinstance(data.get("text"), str) or not isinstance(data.get("tokens"), list):
        raise HeronValueError(Errors.E026.format(problem="expected a dict with 'text' (str) and 'tokens' (list)"))
    text, tokens = data["text"], data["tokens"]
    words, spaces = _words_from_offsets(text, tokens)

    def column(key):
        return [t.get(key) for t in tokens] if any(key in t for t in tokens) else None

    heads = column("head")
    sent_starts = None
    if data.get("sents") is not None:
        starts = {s["start"] for s in data["sents"]}
        sent_starts = [t["start"] in starts for t in tokens]
    doc = cls(vocab, words, spaces, tags=column("tag"), pos=column("pos"), morphs=column("morph"),
              lemmas=column("lemma"), deps=column("dep"), heads=heads, sent_starts=sent_starts)
    if data.get("ents") is not None:
        spans = []
        for ent in data["ents"]:
            span = doc.char_span(ent["start"], ent["end"], label=ent["label"], kb_id=ent.get("kb_id", ""))
            if span is None:
                raise HeronValueError(Errors.E026.format(problem=f"entity {ent} is not aligned to tokens"))
            spans.append(span)
        doc.ents = spans
    if data.get("spans") is not None:
        problem = span_groups.from_json(doc, data["spans"])
        if problem:
            raise HeronValueError(Errors.E026.format(problem=problem))
    doc.cats = dict(data.get("cats") or {})
    _underscore_from_json(doc, data)
    return doc


def _words_from_offsets(text: str, tokens: list) -> tuple[list, list]:
    words, spaces = [], []
    for i, tok in enumerate(tokens):
        start, end = tok.get("start"), tok.get("end")
        nxt = tokens[i + 1]["start"] if i + 1 < len(tokens) else len(text)
        if not isinstance(start, int) or not isinstance(end, int) or not 0 <= start < end <= len(text):
            raise HeronValueError(Errors.E026.format(problem=f"token {i} has bad offsets start={start}, end={end}"))
        if i == 0 and start != 0:
            raise HeronValueError(Errors.E026.format(problem="the first token must start at char 0"))
        gap = text[end:nxt] if isinstance(nxt, int) else None
        if gap not in ("", " "):
            raise HeronValueError(Errors.E026.format(
                problem=(f"between token {i} and the next, text {gap!r} is not a single space; "
                         "whitespace must be tokens")))
        words.append(text[start:end])
        spaces.append(gap == " ")
    if not tokens and text:
        raise HeronValueError(Errors.E026.format(problem="text is not empty but there are no tokens"))
    return words, spaces


def _underscore_from_json(doc, data: dict) -> None:
    from .doc import Doc
    from .span import Span
    from .token import Token

    for name, value in (data.get("_") or {}).items():
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)
        doc._.set(name, value)
    for cls, section in ((Token, "underscore_token"), (Span, "underscore_span")):
        for name, items in (data.get(section) or {}).items():
            if not cls.has_extension(name):
                cls.set_extension(name, default=None)
            for item in items:
                doc.user_data[("._.", name, item["start"], item.get("end"))] = item["value"]
