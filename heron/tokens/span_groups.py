"""SpanGroups: `doc.spans`, the Doc's span groups by key (spaCy v3's `doc.spans`).

    doc.spans["sc"] = [doc[0:2], doc[1:3]]    # any iterable of Spans becomes SpanGroup "sc"
    doc.spans["sc"].append(doc[4:5])

It is created on first use of `doc.spans` (a Doc without span groups carries nothing).
The helpers below keep the groups consistent wherever a Doc is copied, cut, joined,
retokenized or serialised (doc.py, _serialize.py, _retokenize.py, docbin.py call them).

Bytes (`to_bytes`): spaCy's layout since v3.4, {group bytes: [keys]} (a group stored
under several keys is written once); the older list of group bytes (keys = names) and
b"" are read too, so `.spacy` files of any spaCy v3 load.
"""
from __future__ import annotations

import copy
import warnings
from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional, Union

import msgpack
import numpy as np

from ..errors import Errors, HeronValueError, Warnings
from .span import Span
from .span_group import GroupData, SpanGroup, SpanTuple, unpack
from .strings import MSGPACK_PACK

if TYPE_CHECKING:
    from .doc import Doc

_EMPTY_BYTES = msgpack.packb([])  # spaCy writes this for a Doc without groups


class SpanGroups(MutableMapping):
    """`doc.spans`: str key -> SpanGroup of the Doc. Assigning Spans makes a group named by the key.

    A view like SpanGroup (see span_group.py): the Doc owns a dict key -> GroupData and
    each `doc.spans` is a new SpanGroups over it holding the Doc. `SpanGroups(doc, items)`
    builds a free-standing mapping, as in spaCy.
    """

    __slots__ = ("_doc", "_groups")

    def __init__(self, doc: "Doc", items: Iterable[tuple[str, Union[SpanGroup, Iterable[Span]]]] = ()):
        self._doc = doc
        self._groups: dict[str, GroupData] = {}
        for key, value in items:
            self[key] = value

    @classmethod
    def _view(cls, doc: "Doc", groups: dict[str, GroupData]) -> "SpanGroups":
        view = cls.__new__(cls)
        view._doc = doc
        view._groups = groups
        return view

    @property
    def doc(self) -> "Doc":
        return self._doc

    def __getitem__(self, key: str) -> SpanGroup:
        return SpanGroup._view(self._doc, self._groups[key])

    def __setitem__(self, key: str, value: Union[SpanGroup, Iterable[Span]]) -> None:
        if not isinstance(key, str):
            raise HeronValueError(Errors.E076.format(type=type(key).__name__, key=key))
        if isinstance(value, SpanGroup):
            if value.doc is not self._doc:
                raise HeronValueError(Errors.E072.format(where=f"doc.spans[{key!r}] = group",
                                                         what=f"the span group {value.name!r}"))
        else:
            value = SpanGroup(self._doc, name=key, spans=value)
        self._groups[key] = value._data  # shared: later changes through `value` show here

    def __delitem__(self, key: str) -> None:
        del self._groups[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._groups)

    def __len__(self) -> int:
        return len(self._groups)

    def setdefault(self, key: str, default: Union[SpanGroup, Iterable[Span], None] = None) -> SpanGroup:
        """The group at `key`, first storing `default` (Spans or a group; None = empty) there if missing."""
        if key not in self._groups:
            self[key] = () if default is None else default
        return self[key]

    def __repr__(self) -> str:
        return f"SpanGroups({dict(self.items())!r})"

    def copy(self, doc: Optional["Doc"] = None) -> "SpanGroups":
        """A free-standing copy of every group, bound to `doc` (default: the same Doc; see SpanGroup.copy)."""
        target = self._doc if doc is None else doc
        return SpanGroups._view(target, {key: self[key].copy(target)._data for key in self._groups})

    def to_bytes(self) -> bytes:
        """spaCy's layout: msgpack {group bytes: [keys]}; msgpack [] when there are no groups."""
        if not self._groups:
            return _EMPTY_BYTES
        msg: dict[bytes, list[str]] = {}
        for key in self._groups:
            msg.setdefault(self[key].to_bytes(), []).append(key)
        return msgpack.packb(msg, **MSGPACK_PACK)

    def from_bytes(self, data: bytes, *, source: str = "doc.spans.from_bytes") -> "SpanGroups":
        """Replace the groups with `to_bytes()` output (heron's or any spaCy v3's). E077 on bad data."""
        doc = self._doc
        groups: dict[str, GroupData] = {}
        msg: Any = [] if not data or data == _EMPTY_BYTES else unpack(data, source)
        if isinstance(msg, list):  # spaCy < 3.4: the group bytes, keyed by their names
            for item in msg:
                group = SpanGroup(doc).from_bytes(item, source=source)
                if group.name in groups:
                    warnings.warn(Warnings.W002.format(source=source, name=group.name), stacklevel=2)
                groups[group.name] = group._data
        elif isinstance(msg, dict):
            for item, keys in msg.items():
                if not (isinstance(keys, list) and keys and all(isinstance(k, str) for k in keys)):
                    raise HeronValueError(Errors.E077.format(source=source, problem="group keys must be a list of str"))
                data_ = SpanGroup(doc).from_bytes(item, source=source)._data
                for k, key in enumerate(keys):  # keys sharing a group get copies, as in spaCy
                    groups[key] = data_ if k == 0 else data_.copy()
        else:
            raise HeronValueError(Errors.E077.format(source=source, problem="expected a msgpack list or map of groups"))
        self._groups.clear()  # in place: this may be the Doc's own dict
        self._groups.update(groups)
        return self


# ---- keeping doc.spans consistent (called by doc.py, _serialize.py, _retokenize.py) ----------
def has_spans(doc: "Doc") -> bool:
    """Whether the Doc has span groups (without creating doc.spans)."""
    return bool(doc._spans)


def copy_to(doc: "Doc", new: "Doc") -> None:
    """Copy doc's groups to `new`, a Doc with the same tokens (doc.copy); shared groups stay shared."""
    if doc._spans:
        copies: dict[int, GroupData] = {}
        new._spans = {key: copies.setdefault(id(data), data.copy()) for key, data in doc._spans.items()}


def span_strings(doc: "Doc") -> set[str]:
    """The label, kb_id and id strings of every span (they travel with Doc bytes and DocBins)."""
    out: set[str] = set()
    strings = doc.vocab.strings
    for data in (doc._spans or {}).values():
        for _, _, *hashes in data.spans:
            out.update(strings.as_string(key) for key in hashes if key)
    return out


def remap(doc: "Doc", starts: np.ndarray, ends: np.ndarray, n_new: int) -> None:
    """Move every span to new token indices after a retokenization.

    starts[i] / ends[i]: the first new token of old token i / one past its last. A span
    keeps the new tokens its old first and last tokens became: a merge that takes part of
    a span grows it to the whole merged token (a span can't end inside a token); a split
    token keeps all its pieces in the span. So no span ever points at tokens that are gone.
    """
    n = len(starts)
    for data in {id(d): d for d in (doc._spans or {}).values()}.values():  # a group may sit under two keys
        data.spans = [_moved(item, starts, ends, n, n_new) for item in data.spans]


def _moved(item: SpanTuple, starts: np.ndarray, ends: np.ndarray, n: int, n_new: int) -> SpanTuple:
    start, end, label, kb_id, id_ = item
    new_start = int(starts[start]) if start < n else n_new
    new_end = int(ends[end - 1]) if end > start else new_start
    return (new_start, new_end, label, kb_id, id_)


def spans_in(span: Span, new: "Doc") -> None:
    """Give `new` (= span.as_doc()) the span groups of span.doc, keeping the spans inside `span`."""
    lo, hi = span.start, span.end
    for key, data in (span.doc._spans or {}).items():
        kept = [(s - lo, e - lo, label, kb_id, id_) for s, e, label, kb_id, id_ in data.spans if s >= lo and e <= hi]
        new.spans[key] = SpanGroup._from_tuples(new, data.name, copy.deepcopy(data.attrs), kept)


def concat(docs: list["Doc"], new: "Doc") -> None:
    """Join the groups of `docs` into `new` (Doc.from_docs): per key, spans shifted by the tokens before.

    A key in any Doc is in the result (empty if its groups are); name and attrs come from
    the first group with the key, plus attrs the later ones add (SpanGroup + rules).
    """
    offset = 0
    for doc in docs:
        for key, data in (doc._spans or {}).items():
            if key not in new.spans:
                new.spans[key] = SpanGroup._from_tuples(new, data.name, copy.deepcopy(data.attrs), [])
            target = new.spans[key]
            target.attrs.update({k: copy.deepcopy(v) for k, v in data.attrs.items() if k not in target.attrs})
            target._spans.extend((s + offset, e + offset, label, kb_id, id_) for s, e, label, kb_id, id_ in data.spans)
        offset += len(doc)


# ---- JSON (spaCy's Doc.to_json "spans") --------------------------------------------------------
def to_json(doc: "Doc") -> dict:
    """{key: [{"start": char, "end": char, "label", "kb_id", "id"}, ...]} (spaCy's keys)."""
    return {key: [{"start": span.start_char, "end": span.end_char, "label": span.label_,
                   "kb_id": span.kb_id_, "id": span.id_} for span in group]
            for key, group in doc.spans.items()}


def from_json(doc: "Doc", data: Any) -> Optional[str]:
    """Set doc.spans from to_json output; returns a problem (for E026) or None."""
    if not isinstance(data, dict):
        return f"'spans' must map keys to lists of spans, found {type(data).__name__}"
    groups = {}
    for key, items in data.items():
        if not isinstance(items, list):
            return f"spans[{key!r}] must be a list"
        spans = []
        for i, item in enumerate(items):
            ok = isinstance(item, dict) and all(isinstance(item.get(k), int) for k in ("start", "end"))
            span = doc.char_span(item["start"], item["end"], label=str(item.get("label") or ""),
                                 kb_id=str(item.get("kb_id") or ""), span_id=str(item.get("id") or "")) if ok else None
            if span is None:
                return f"spans[{key!r}][{i}] = {item!r} is not aligned to tokens"
            spans.append(span)
        groups[key] = spans
    for key, spans in groups.items():
        doc.spans[key] = spans
    return None


__all__ = ["SpanGroups", "has_spans", "copy_to", "span_strings", "remap", "spans_in", "concat",
           "to_json", "from_json"]
