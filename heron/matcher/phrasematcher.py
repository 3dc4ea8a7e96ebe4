"""PhraseMatcher: find exact token sequences given as Doc patterns, fast for many phrases.

    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("CITY", [nlp.make_doc("San Francisco"), nlp.make_doc("New York")])
    matcher(doc)   # [(match_id, start, end), ...] sorted by (start, end)

Patterns are indexed by their first token's value, then by length, so matching costs
one dict lookup per token plus one tuple comparison per candidate length; the number
of patterns (tens of thousands of gazetteer entries) barely matters. All matches are
returned, overlapping ones included (the entity_ruler picks among them).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Set, Tuple

from ..errors import Errors, HeronKeyError, HeronValueError, Warnings, warn
from ._attrs import ANNOTATION_ATTRS, BOOL_ATTRS, GETTERS, Columns, doc_and_offset, normalize_attr

Match = Tuple[int, int, int]
# Attributes whose values are (almost) unique per token string: the useful ones.
_RECOMMENDED = ("ORTH", "LOWER", "NORM", "SHAPE", "LEMMA", "POS", "TAG")


class PhraseMatcher:
    """Match Doc patterns by one token attribute.

    vocab (Vocab): the shared vocab.
    attr (str): the attribute to compare: "ORTH" (exact text, default), "LOWER"
        (case-insensitive), "NORM", "SHAPE", or annotation attributes such as "LEMMA",
        "POS", "TAG" (then patterns must be made with `nlp(text)`, not `make_doc`).
    validate (bool): check that pattern Docs carry the annotation `attr` needs.
    """

    def __init__(self, vocab, attr: str = "ORTH", validate: bool = False):
        norm = normalize_attr(attr or "ORTH")
        if norm not in GETTERS or norm in BOOL_ATTRS:
            raise HeronValueError(Errors.E336.format(attr=attr, supported=", ".join(_RECOMMENDED)))
        self.vocab = vocab
        self.attr = norm
        self.validate = validate
        # first value -> length -> phrase tuple -> key ids (a phrase may belong to many keys)
        self._index: Dict[Any, Dict[int, Dict[Tuple[Any, ...], List[int]]]] = {}
        self._phrases: Dict[int, List[Tuple[Any, ...]]] = {}
        self._callbacks: Dict[int, Optional[Callable]] = {}
        self._order: List[int] = []

    def __len__(self) -> int:
        """The number of keys (not phrases)."""
        return len(self._phrases)

    def __contains__(self, key: Any) -> bool:
        return self._normalize_key(key) in self._phrases

    def _normalize_key(self, key: Any) -> int:
        return self.vocab.strings.add(key) if isinstance(key, str) else int(key)

    def add(self, key: Any, docs: Sequence[Any], *, on_match: Optional[Callable] = None) -> None:
        """Add Doc patterns under `key`; empty Docs are skipped with a warning."""
        if not isinstance(docs, (list, tuple)):
            raise HeronValueError(Errors.E337.format(key=key, i=0, obj=type(docs).__name__))
        phrases = []
        for i, doc in enumerate(docs):
            if not hasattr(doc, "vocab") or not hasattr(doc, "__len__") or hasattr(doc, "start"):
                raise HeronValueError(Errors.E337.format(key=key, i=i, obj=repr(doc)[:60]))
            if len(doc) == 0:
                warn(Warnings.W301.format(key=key, i=i))
                continue
            if self.validate and self.attr in ANNOTATION_ATTRS and hasattr(doc, "has_annotation"):
                if not doc.has_annotation(self.attr):
                    raise HeronValueError(Errors.E338.format(attr=self.attr, i=i, key=key))
            phrases.append(tuple(Columns(list(doc)).get(self.attr)))
        key_id = self._normalize_key(key)
        if key_id not in self._phrases:
            self._order.append(key_id)
            self._phrases[key_id] = []
        for phrase in phrases:
            self._phrases[key_id].append(phrase)
            by_len = self._index.setdefault(phrase[0], {}).setdefault(len(phrase), {})
            owners = by_len.setdefault(phrase, [])
            if key_id not in owners:
                owners.append(key_id)
        self._callbacks[key_id] = on_match

    def remove(self, key: Any) -> None:
        """Remove every phrase of `key`; an unknown key raises a coded KeyError."""
        key_id = self._normalize_key(key)
        if key_id not in self._phrases:
            raise HeronKeyError(Errors.E335.format(cls="PhraseMatcher", key=key))
        for phrase in self._phrases.pop(key_id):
            by_len = self._index.get(phrase[0], {})
            owners = by_len.get(len(phrase), {}).get(phrase)
            if owners and key_id in owners:
                owners.remove(key_id)
                if not owners:
                    del by_len[len(phrase)][phrase]
        self._callbacks.pop(key_id, None)
        self._order.remove(key_id)

    def __call__(self, doclike, *, as_spans: bool = False) -> List[Any]:
        """All (match_id, start, end), relative to `doclike`; Spans with as_spans=True."""
        doc, tokens, offset = doc_and_offset(doclike)
        values = Columns(tokens).get(self.attr)
        rank = {key: i for i, key in enumerate(self._order)}
        found: Set[Match] = set()
        n = len(values)
        for start, value in enumerate(values):
            by_len = self._index.get(value)
            if not by_len:
                continue
            for length, table in by_len.items():
                if start + length > n:
                    continue
                owners = table.get(tuple(values[start:start + length]))
                for key_id in owners or ():
                    found.add((key_id, start, start + length))
        matches = sorted(found, key=lambda m: (m[1], m[2], rank.get(m[0], 0)))
        for i, (key_id, _, _) in enumerate(matches):
            on_match = self._callbacks.get(key_id)
            if on_match is not None:
                on_match(self, doc, i, matches)
        if as_spans:
            from ..tokens import Span

            return [Span(doc, offset + s, offset + e, label=self.vocab.strings[k])
                    for k, s, e in matches]
        return matches


__all__ = ["PhraseMatcher"]
