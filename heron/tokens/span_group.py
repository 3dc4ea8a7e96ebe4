"""SpanGroup: a named, ordered list of Spans of one Doc, overlaps allowed (spaCy v3's SpanGroup).

    doc.spans["sc"] = [doc[0:2], doc[1:3]]          # converted to a SpanGroup named "sc"
    group = SpanGroup(doc, name="errors", spans=[doc[0:1]], attrs={"annotator": "ann"})

Storage: each span is a tuple of ints (start, end, label, kb_id, id): token bounds and
StringStore hashes. Reading returns a new Span, as in spaCy, so changing a Span read from
a group does not change the group (assign it back: `group[i] = span`).

A SpanGroup is a view: the Doc and a `GroupData` record (name, attrs, span tuples). The
Doc owns the records of `doc.spans` (no reference back to the Doc), and every
`doc.spans[key]` is a new view holding the Doc strongly. So there is no reference cycle
(a Doc is freed as soon as it is unused, tensor and all) and, unlike spaCy's weak
reference, `nlp(text).spans["sc"]` stays usable after the Doc's last other reference is
gone. Views of one record share it: `doc.spans[key].append(span)` changes the Doc, and
two keys may hold one record (`doc.spans["b"] = doc.spans["a"]`), as in spaCy. Compare
groups with `==` (same Doc, name, attrs and spans): each `doc.spans[key]` is a new view.

Bytes (`to_bytes`): spaCy's layout, so `.spacy` files can be read and written:
msgpack {"name": str, "attrs": dict, "spans": [struct ">QQQllll" (id, kb_id, label,
start, end, start_char, end_char), ...]}. Reading checks every field against the Doc
(bounds, character offsets, strings) and raises E077 instead of building a bad span.
The hashes inside are the StringStore's own; spaCy's are murmurhash, not blake2b, so a
reader of `.spacy` files must translate the label/kb_id/id hashes (the file's strings
list gives their text) before loading them. With the same hashes, spaCy 3.8 and heron
read each other's span group bytes (checked by hand against spaCy 3.8.18).
"""
from __future__ import annotations

import copy as _copy
import struct
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Optional, Union, overload

import msgpack

from ..errors import Errors, HeronValueError
from .span import Span
from .strings import MSGPACK_PACK, MSGPACK_UNPACK

if TYPE_CHECKING:
    from .doc import Doc

SpanTuple = tuple[int, int, int, int, int]  # (start, end, label, kb_id, id)
SPAN_STRUCT = struct.Struct(">QQQllll")  # spaCy's: id, kb_id, label, start, end, start_char, end_char


class GroupData:
    """What a span group holds, without its Doc (what `doc.spans` stores per key)."""

    __slots__ = ("name", "attrs", "spans")

    def __init__(self, name: str, attrs: dict, spans: list[SpanTuple]):
        self.name = name
        self.attrs = attrs
        self.spans = spans

    def copy(self) -> "GroupData":
        return GroupData(self.name, _copy.deepcopy(self.attrs), list(self.spans))


class SpanGroup:
    """Spans of one Doc in a chosen order; the same tokens may be in several spans.

    doc (Doc): the Doc every span belongs to.
    name (str): the group's name; `doc.spans[key] = [...]` names it `key`.
    attrs (dict | None): JSON-serialisable settings or notes kept with the group
        (saved by to_bytes and DocBin; E079 if a value can't be).
    spans (Iterable[Span]): the initial spans, each of `doc` (E072 otherwise).
    """

    __slots__ = ("_doc", "_data")

    def __init__(self, doc: "Doc", *, name: str = "", attrs: Optional[dict] = None,
                 spans: Iterable[Span] = ()):
        self._doc = doc
        self._data = GroupData(name, dict(attrs) if attrs is not None else {}, [])
        self._data.spans = [self._as_tuple(span, "SpanGroup(spans=...)") for span in spans]

    @classmethod
    def _view(cls, doc: "Doc", data: GroupData) -> "SpanGroup":
        """A group over `data` (its spans already checked against `doc`), sharing it."""
        group = cls.__new__(cls)
        group._doc = doc
        group._data = data
        return group

    @classmethod
    def _from_tuples(cls, doc: "Doc", name: str, attrs: dict, spans: list[SpanTuple]) -> "SpanGroup":
        return cls._view(doc, GroupData(name, attrs, spans))

    @property
    def doc(self) -> "Doc":
        """The Doc the spans belong to."""
        return self._doc

    @property
    def name(self) -> str:
        return self._data.name

    @name.setter
    def name(self, value: str) -> None:
        self._data.name = value

    @property
    def attrs(self) -> dict:
        """JSON-serialisable settings or notes kept with the group."""
        return self._data.attrs

    @attrs.setter
    def attrs(self, value: dict) -> None:
        self._data.attrs = value

    @property
    def _spans(self) -> list[SpanTuple]:
        return self._data.spans

    @_spans.setter
    def _spans(self, value: list[SpanTuple]) -> None:
        self._data.spans = value

    def _label(self) -> str:
        return f" {self.name!r}" if self.name else ""

    def _as_tuple(self, span: Any, where: str) -> SpanTuple:
        if not isinstance(span, Span):
            raise HeronValueError(Errors.E075.format(where=where, type=type(span).__name__, value=repr(span)[:80]))
        if span.doc is not self.doc:
            raise HeronValueError(Errors.E072.format(where=where, what=f"span {span.text!r}"))
        return (span.start, span.end, span.label, span.kb_id, span.id)

    def _span(self, doc: "Doc", item: SpanTuple) -> Span:
        span = Span.__new__(Span)  # skips Span.__init__'s checks: the tuple was checked on the way in
        span.doc = doc
        span.start, span.end, span.label, span.kb_id, span.id = item
        return span

    # ---- the list protocol -----------------------------------------------------------
    def __len__(self) -> int:
        return len(self._spans)

    def __iter__(self) -> Iterator[Span]:
        doc = self.doc
        for item in self._spans:
            yield self._span(doc, item)

    @overload
    def __getitem__(self, i: int) -> Span: ...

    @overload
    def __getitem__(self, i: slice) -> "SpanGroup": ...

    def __getitem__(self, i: Union[int, slice]) -> Union[Span, "SpanGroup"]:
        """group[i] is a Span (a copy, as in spaCy); group[i:j] a new SpanGroup (same name and attrs)."""
        if isinstance(i, slice):
            return SpanGroup._from_tuples(self.doc, self.name, _copy.deepcopy(self.attrs), self._spans[i])
        return self._span(self.doc, self._spans[self._index(i)])

    def __setitem__(self, i: Union[int, slice], value: Any) -> None:
        if isinstance(i, slice):
            self._spans[i] = [self._as_tuple(span, "SpanGroup[i:j] = spans") for span in value]
        else:
            self._spans[self._index(i)] = self._as_tuple(value, "SpanGroup[i] = span")

    def __delitem__(self, i: Union[int, slice]) -> None:
        if isinstance(i, slice):
            del self._spans[i]
        else:
            del self._spans[self._index(i)]

    def _index(self, i: int) -> int:
        n = len(self._spans)
        if not -n <= i < n:
            raise IndexError(Errors.E074.format(name=self._label(), i=i, n=n))
        return i + n if i < 0 else i

    def append(self, span: Span) -> None:
        """Add `span` (a Span of the group's Doc) at the end."""
        self._spans.append(self._as_tuple(span, "SpanGroup.append"))

    def extend(self, spans: Union["SpanGroup", Iterable[Span]]) -> None:
        """Add the spans of another group of the same Doc, or any Spans of the Doc, at the end.

        From a group, its attrs that this group lacks are added too (spaCy's rule).
        """
        self._concat(spans, self)

    def __iadd__(self, other: Union["SpanGroup", Iterable[Span]]) -> "SpanGroup":
        return self._concat(other, self)

    def __add__(self, other: "SpanGroup") -> "SpanGroup":
        """A new group: this group's spans, then `other`'s; this name; attrs merged (self first)."""
        if not isinstance(other, SpanGroup):
            return NotImplemented
        return self._concat(other, self.copy())

    def _concat(self, other: Union["SpanGroup", Iterable[Span]], target: "SpanGroup") -> "SpanGroup":
        if isinstance(other, SpanGroup):
            if other.doc is not self.doc:
                raise HeronValueError(Errors.E072.format(where="SpanGroup + / += / extend",
                                                         what=f"the span group {other.name!r}"))
            new_attrs = {k: _copy.deepcopy(v) for k, v in other.attrs.items() if k not in target.attrs}
            target._spans.extend(other._spans)
            target.attrs.update(new_attrs)
        else:
            target._spans.extend([self._as_tuple(span, "SpanGroup.extend") for span in other])
        return target

    # ---- comparison and display ----------------------------------------------------
    def __eq__(self, other: object) -> bool:
        """Same Doc (the object), name, attrs and spans (bounds, label, kb_id, id) in the same order."""
        if not isinstance(other, SpanGroup):
            return NotImplemented
        return (self._doc is other._doc and self.name == other.name and self.attrs == other.attrs
                and self._spans == other._spans)

    __hash__ = None  # type: ignore[assignment]  # mutable, like a list

    def __repr__(self) -> str:
        spans = ", ".join(_describe(self._span(self._doc, item)) for item in self._spans)
        return f"SpanGroup(name={self.name!r}, spans=[{spans}])"

    @property
    def has_overlap(self) -> bool:
        """Whether a token is in two of the spans (empty spans hold no token, so never overlap)."""
        last_end = -1
        for start, end, *_ in sorted(self._spans):
            if start == end:
                continue
            if start < last_end:
                return True
            last_end = max(last_end, end)
        return False

    # ---- copies and bytes -------------------------------------------------------------
    def copy(self, doc: Optional["Doc"] = None) -> "SpanGroup":
        """A copy bound to `doc` (default: the same Doc).

        A Doc with the same tokens (e.g. `doc.copy()`) keeps the token bounds; any other
        Doc gets each span by its character offsets (E078 if they are not token boundaries
        there). Strings move to the target's vocab when it is another one.
        """
        source = self.doc
        target = source if doc is None else doc
        attrs = _copy.deepcopy(self.attrs)
        if target is source or (target._words == source._words and target._spaces == source._spaces):
            if target.vocab is not source.vocab:
                _copy_strings(source, target, self._spans)
            return SpanGroup._from_tuples(target, self.name, attrs, list(self._spans))
        spans = []
        for i, span in enumerate(self):
            new = target.char_span(span.start_char, span.end_char)
            if new is None:
                raise HeronValueError(Errors.E078.format(name=self._label(), i=i, text=span.text,
                                                         start=span.start_char, end=span.end_char))
            spans.append((new.start, new.end, span.label, span.kb_id, span.id))
        if target.vocab is not source.vocab:
            _copy_strings(source, target, spans)
        return SpanGroup._from_tuples(target, self.name, attrs, spans)

    def to_bytes(self) -> bytes:
        """spaCy's msgpack layout (see the module docstring); E079 for attrs that can't be saved."""
        from ._serialize import is_serialisable

        for key, value in self.attrs.items():
            if not is_serialisable(value) or not is_serialisable(key):
                raise HeronValueError(Errors.E079.format(name=self._label(), key=key, type=type(value).__name__))
        doc = self.doc
        offsets = doc._get_offsets()
        words = doc._words
        pack = SPAN_STRUCT.pack
        spans = [pack(id_, kb_id, label, start, end, offsets[start],
                      offsets[end - 1] + len(words[end - 1]) if end > start else offsets[start])
                 for start, end, label, kb_id, id_ in self._spans]
        return msgpack.packb({"name": self.name, "attrs": self.attrs, "spans": spans}, **MSGPACK_PACK)

    def from_bytes(self, data: bytes, *, source: str = "SpanGroup.from_bytes") -> "SpanGroup":
        """Load `to_bytes()` output (heron's or spaCy's) into this group, replacing its content.

        Every span is checked against the Doc: 0 <= start <= end <= len(doc), its character
        offsets match the Doc's tokens, and label/kb_id/id are in the vocab's strings (or 0).
        RAISES E077 naming `source` and the problem; the group is unchanged then.
        """
        msg = unpack(data, source)
        if not isinstance(msg, dict):
            raise HeronValueError(Errors.E077.format(source=source, problem="a group is not a msgpack map"))
        name, attrs, raw = msg.get("name"), msg.get("attrs"), msg.get("spans")
        if not isinstance(name, str) or not isinstance(attrs, dict) or not isinstance(raw, list):
            raise HeronValueError(Errors.E077.format(
                source=source, problem="expected a map with 'name' (str), 'attrs' (map) and 'spans' (list)"))
        doc = self.doc
        self._spans = [_read_span(doc, item, i, name, source) for i, item in enumerate(raw)]
        self.name = name
        self.attrs = dict(attrs)
        return self


def _describe(span: Span) -> str:
    label = f" {span.label_}" if span.label else ""
    return f"{span.start}:{span.end}{label} {span.text!r}"


def _copy_strings(source: "Doc", target: "Doc", spans: Iterable[SpanTuple]) -> None:
    strings, add = source.vocab.strings, target.vocab.strings.add
    for _, _, *hashes in spans:
        for key in hashes:
            if key:
                add(strings.as_string(key))


def unpack(data: Any, source: str) -> Any:
    """The msgpack message in `data` (E077 naming `source` if it is not bytes or not msgpack)."""
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise HeronValueError(Errors.E077.format(source=source, problem=f"expected bytes, got {type(data).__name__}"))
    try:
        return msgpack.unpackb(data, **MSGPACK_UNPACK)  # lengths are bounded by len(data)
    except Exception as e:  # noqa: BLE001  (msgpack raises several unrelated types on foreign bytes)
        raise HeronValueError(Errors.E077.format(source=source, problem=f"not msgpack ({type(e).__name__})")) from None


def _read_span(doc: "Doc", item: Any, i: int, name: str, source: str) -> SpanTuple:
    where = f"span {i} of group {name!r}"
    if not isinstance(item, bytes) or len(item) != SPAN_STRUCT.size:
        raise HeronValueError(Errors.E077.format(
            source=source, problem=f"{where} is not {SPAN_STRUCT.size} packed bytes"))
    id_, kb_id, label, start, end, start_char, end_char = SPAN_STRUCT.unpack(item)
    n = len(doc._words)
    if not 0 <= start <= end <= n:
        raise HeronValueError(Errors.E077.format(
            source=source, problem=f"{where} has tokens {start}-{end}, outside a Doc of {n} tokens"))
    offsets = doc._get_offsets()
    expected_end = offsets[end - 1] + len(doc._words[end - 1]) if end > start else offsets[start]
    if (start_char, end_char) != (offsets[start], expected_end):
        raise HeronValueError(Errors.E077.format(
            source=source, problem=(f"{where} has characters {start_char}-{end_char}, but its tokens "
                                    f"{start}-{end} cover {offsets[start]}-{expected_end} (different tokens?)")))
    strings = doc.vocab.strings
    for what, key in (("label", label), ("kb_id", kb_id), ("id", id_)):
        if key and key not in strings:
            raise HeronValueError(Errors.E077.format(
                source=source, problem=f"{where} has a {what} hash {key} missing from the strings"))
    return (start, end, label, kb_id, id_)


__all__ = ["SpanGroup", "GroupData", "SpanTuple", "SPAN_STRUCT"]
