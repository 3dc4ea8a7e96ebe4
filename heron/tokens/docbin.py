"""DocBin: many Docs in one compact, pickle-free binary (msgpack + zlib).

Layout (format version 2, see _docbin_format.py): a small header declaring the counts
and the inflated size, then a zlib body with attrs (names), one uint64 token array
(n_tokens, n_attrs) for all Docs (ORTH first), per-token spaces (uint8), per-Doc
lengths, a strings table for every hash used, cats, span groups (one `doc.spans.to_bytes()`
per Doc, b"" for none: spaCy's "span_groups") and (store_user_data=True)
JSON-serialisable user_data entries. Loading never executes code from the file, and
reading a file from someone else costs memory in proportion to the sizes its header
declares, which must stay under a limit (see `from_bytes`). Format 1 files still load.
"""
from __future__ import annotations

from typing import Iterable, Iterator, Optional, Union

import numpy as np

from ..errors import Errors, HeronError, HeronValueError
from ..util import PathLike, atomic_write_bytes, ensure_path
from . import _docbin_format
from ._docbin_format import FORMAT_VERSION, MAX_SIZE
from ._serialize import column_values, user_data_from_list, user_data_to_list
from .attrs import IDS, NAMES, ORTH, SPACY, intify_attrs
from .doc import Doc
from .span_groups import has_spans, span_strings
from .vocab import Vocab

DEFAULT_ATTRS = ("ORTH", "NORM", "TAG", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID", "ENT_ID",
                 "LEMMA", "MORPH", "POS", "SENT_START")
# Attributes whose values are string hashes that must travel in the strings table.
_HASHED = {IDS[n] for n in ("ORTH", "TAG", "DEP", "ENT_TYPE", "ENT_KB_ID", "ENT_ID", "LEMMA",
                            "MORPH", "POS", "NORM", "LOWER", "SHAPE", "PREFIX", "SUFFIX")}


class DocBin:
    """Collect Docs and serialise them together.

    attrs (Iterable[str | int] | None): token attributes to keep; default DEFAULT_ATTRS
        (every annotation). ORTH and spaces are always kept so text round-trips exactly.
    store_user_data (bool): also keep doc.user_data (extension values); entries that are
        not JSON-serialisable are skipped with warning W001.
    docs (Iterable[Doc]): Docs to add straight away.
    """

    def __init__(self, attrs: Optional[Iterable[Union[str, int]]] = None,
                 store_user_data: bool = False, docs: Iterable[Doc] = ()):
        ids = intify_attrs(DEFAULT_ATTRS if attrs is None else attrs)
        self.attrs = [ORTH] + [a for a in dict.fromkeys(ids) if a not in (ORTH, SPACY)]
        self.store_user_data = store_user_data
        self.tokens: list[np.ndarray] = []
        self.spaces: list[np.ndarray] = []
        self.cats: list[dict] = []
        self.user_data: list[Optional[list]] = []
        self.span_groups: list[bytes] = []
        self._source = "a DocBin built in memory"  # named in E043; from_bytes/from_disk set it
        self.strings: set[str] = set()
        for doc in docs:
            self.add(doc)

    def __len__(self) -> int:
        return len(self.tokens)

    def add(self, doc: Doc) -> None:
        """Store a snapshot of `doc` (later changes to the Doc are not seen)."""
        array = np.zeros((len(doc), len(self.attrs)), dtype=np.uint64)
        for j, attr in enumerate(self.attrs):
            array[:, j] = column_values(doc, attr)
        hashed = [j for j, attr in enumerate(self.attrs) if attr in _HASHED and attr != ORTH]
        lookup = doc.vocab.strings
        self.strings.update(lookup[h] for h in np.unique(array[:, hashed]).tolist() if h)
        self.strings.update(doc._words)
        self.tokens.append(array)
        self.spaces.append(np.array(doc._spaces, dtype=np.uint8))
        self.cats.append(dict(doc.cats))
        if has_spans(doc):
            self.span_groups.append(doc.spans.to_bytes())
            self.strings.update(span_strings(doc))
        else:
            self.span_groups.append(b"")
        self.user_data.append(user_data_to_list(doc.user_data) if self.store_user_data else None)

    def get_docs(self, vocab: Vocab) -> Iterator[Doc]:
        """Yield the stored Docs, adding the strings table to `vocab.strings` first.

        A Doc the stored columns cannot rebuild (a hash missing from the strings table,
        a head outside its Doc, ...) raises E043 naming the file and the Doc's index.
        """
        for string in self.strings:
            vocab.strings.add(string)
        lookup = vocab.strings
        for i, (array, spaces, cats, user_data, groups) in enumerate(zip(
                self.tokens, self.spaces, self.cats, self.user_data, self.span_groups)):
            try:
                words = [lookup[h] for h in array[:, 0].tolist()]
                doc = Doc._from_words_fast(vocab, words, spaces.astype(bool).tolist())
                doc.from_array(self.attrs[1:], array[:, 1:])
                doc.cats = dict(cats)
                if user_data:
                    doc.user_data = user_data_from_list(user_data)
                if groups:
                    doc.spans.from_bytes(groups, source=f"{self._source}, doc {i}")
            except (HeronError, TypeError, ValueError) as e:  # a corrupt or hand-edited file
                raise HeronValueError(Errors.E043.format(source=self._source, i=i, err=e)) from None
            yield doc

    def merge(self, other: "DocBin") -> None:
        """Append `other`'s Docs (both must have the same attrs; E029 otherwise)."""
        if self.attrs != other.attrs:
            raise HeronValueError(Errors.E029.format(
                problem=f"attrs {[NAMES[a] for a in self.attrs]} vs {[NAMES[a] for a in other.attrs]}"))
        self.tokens.extend(other.tokens)
        self.spaces.extend(other.spaces)
        self.cats.extend(other.cats)
        self.span_groups.extend(other.span_groups)
        self.strings.update(other.strings)
        if self.store_user_data:
            self.user_data.extend(other.user_data)
        else:
            self.user_data.extend([None] * len(other))

    def to_bytes(self) -> bytes:
        tokens = np.vstack(self.tokens) if self.tokens else np.zeros((0, len(self.attrs)), np.uint64)
        spaces = np.concatenate(self.spaces) if self.spaces else np.zeros(0, np.uint8)
        body = {
            "attrs": [NAMES[a] for a in self.attrs],
            "tokens": np.ascontiguousarray(tokens, dtype="<u8").tobytes(),
            "spaces": spaces.tobytes(),
            "lengths": np.array([len(t) for t in self.tokens], dtype="<i8").tobytes(),
            "strings": sorted(self.strings), "cats": self.cats,
            "store_user_data": self.store_user_data,
            "user_data": self.user_data if self.store_user_data else None,
            "span_groups": self.span_groups,
        }
        return _docbin_format.encode(body, n_docs=len(self.tokens), n_tokens=len(tokens), n_attrs=len(self.attrs))

    def from_bytes(self, data: bytes, *, source: str = "bytes", max_size: Optional[int] = None) -> "DocBin":
        """Load `to_bytes()` output, replacing this DocBin's contents.

        source: the name used in error messages (from_disk passes the path).
        max_size: refuse a body that inflates to more bytes than this (E042). None (the
            default, right for files from others): 64 MiB, or up to 300 times the compressed
            size for larger bodies, at most 4 GiB (~40M tokens), so memory stays in
            proportion to the file. Pass a number only for files you trust (e.g. a huge,
            very repetitive corpus of your own): it is then the only cap.
        RAISES: E028 (not a DocBin, or its header and body disagree), E042, E044 (the
            compressed data is corrupt, truncated or inflates past its declared size).
        """
        msg = _docbin_format.decode(data, source, max_size)
        lengths = msg["lengths"]
        bounds = np.cumsum(lengths)[:-1] if len(lengths) else []
        self.attrs = msg["attrs"]
        self.tokens = [t.copy() for t in np.split(msg["tokens"], bounds)] if len(lengths) else []
        self.spaces = [s.copy() for s in np.split(msg["spaces"], bounds)] if len(lengths) else []
        self.strings = set(msg["strings"])
        self.cats = list(msg["cats"])
        self.store_user_data = msg["store_user_data"]
        self.user_data = list(msg["user_data"]) if msg["user_data"] else [None] * len(self.tokens)
        self.span_groups = list(msg["span_groups"])
        self._source = source
        return self

    def to_disk(self, path: PathLike) -> None:
        """Write atomically: readers see the old file or the complete new one."""
        atomic_write_bytes(path, self.to_bytes())

    def from_disk(self, path: PathLike, *, max_size: Optional[int] = None) -> "DocBin":
        """Read a `.heron` file (see from_bytes; a file larger than the size cap is not read: E042)."""
        path = ensure_path(path)
        cap = MAX_SIZE if max_size is None else max_size
        try:
            n_bytes = path.stat().st_size
            if n_bytes > cap:
                raise HeronValueError(Errors.E042.format(source=path, what=f"a file of {n_bytes} bytes", limit=cap))
            data = path.read_bytes()
        except OSError as e:
            raise HeronValueError(Errors.E028.format(source=str(path), err=e, version=FORMAT_VERSION)) from None
        return self.from_bytes(data, source=str(path), max_size=max_size)
