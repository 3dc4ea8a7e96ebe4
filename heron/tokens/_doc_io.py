"""Doc's copies and serialisation, mixed into `Doc` (kept out of doc.py, which holds the
core API): `copy`, `from_docs`, `to_array`/`from_array`, `to_json`/`from_json`,
`to_bytes`/`from_bytes`, `to_dict`/`from_dict`. The work is in _serialize.py and
_json.py; these are the methods spaCy users call.
"""
from __future__ import annotations

import copy as _copy
import functools
from typing import TYPE_CHECKING, Any, Iterable, Optional

import numpy as np

from . import _json, _serialize, span_groups

if TYPE_CHECKING:
    from .doc import Doc
    from .vocab import Vocab


class _class_or_instance:
    """Method callable on the class with a vocab, or on an instance (using its vocab)."""

    def __init__(self, func):
        self.func = func
        self.__doc__ = func.__doc__

    def __get__(self, obj, cls):
        if obj is None:
            return functools.partial(self.func, cls)
        return functools.partial(self.func, cls, obj.vocab)


class DocIOMixin:
    """`Doc`'s copy and serialisation methods (no state of its own: Doc has __slots__)."""

    __slots__ = ()
    vocab: Any
    _words: Any
    _spaces: Any
    _cols: Any
    user_data: Any
    cats: Any
    _tensor: Any
    _hooks: Any

    def copy(self) -> "Doc":
        """A deep copy sharing only the Vocab."""
        doc = type(self)._from_words_fast(self.vocab, list(self._words), list(self._spaces))
        doc._cols = {attr: col.copy() for attr, col in self._cols.items()}
        doc.user_data = _copy.deepcopy(self.user_data)
        doc.cats = dict(self.cats)
        if self._tensor is not None:
            doc._tensor = self._tensor.clone() if hasattr(self._tensor, "clone") else self._tensor.copy()
        if self._hooks is not None:
            doc._hooks = tuple(dict(h) for h in self._hooks)
        span_groups.copy_to(self, doc)
        return doc

    @classmethod
    def from_docs(cls, docs: list["Doc"], ensure_whitespace: bool = True) -> Optional["Doc"]:
        """Concatenate Docs into one (None for an empty list); each Doc starts a sentence.

        ensure_whitespace: add a space after a Doc whose last token has none, so that
        words of neighbouring Docs do not run together in the text.
        """
        return _serialize.from_docs(cls, list(docs), ensure_whitespace)

    def __deepcopy__(self, memo) -> "Doc":
        return self.copy()

    def to_array(self, attrs) -> np.ndarray:
        """uint64 array (len(doc), len(attrs)) of the attrs; 1-D if `attrs` is one attr.

        HEAD is the relative offset and SENT_START -1/0/1, stored two's-complement in uint64
        (view as int64 to read them). String attributes are StringStore hashes.
        """
        return _serialize.to_array(self, attrs)

    def from_array(self, attrs, array: np.ndarray) -> "Doc":
        """Write annotation columns from `array` (as made by to_array). Lexical attrs are skipped."""
        return _serialize.from_array(self, attrs, array)

    def to_json(self, underscore: Optional[list[str]] = None) -> dict:
        """spaCy's JSON format: text, tokens, ents, sents, cats, and `underscore` extensions."""
        return _json.to_json(self, underscore)

    @_class_or_instance
    def from_json(cls, vocab: Vocab, data: dict, *, validate: bool = True) -> "Doc":
        """A new Doc from `doc.to_json()` output (E026 on inconsistent offsets).

        Call as `Doc.from_json(vocab, data)` or, like spaCy, `Doc(vocab).from_json(data)`.
        """
        return _json.from_json(cls, vocab, data)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """msgpack bytes with words, annotations, cats, tensor and serialisable user_data."""
        return _serialize.doc_to_bytes(self, exclude)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "Doc":
        """Load `to_bytes()` output into this Doc (replacing its words and annotations)."""
        return _serialize.doc_from_bytes(self, data, exclude)

    def to_dict(self, *, exclude: Iterable[str] = ()) -> dict:
        return _serialize.doc_to_dict(self, exclude)

    def from_dict(self, msg: dict, *, exclude: Iterable[str] = ()) -> "Doc":
        return _serialize.doc_from_dict(self, msg, exclude)
