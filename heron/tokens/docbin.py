"""DocBin: many Docs in one compact, pickle-free binary (msgpack + zlib).

Layout (format version 1): attrs (names), one uint64 token array (n_tokens, n_attrs) for
all Docs (ORTH first), per-token spaces (uint8), per-Doc lengths, a strings table for
every hash used, cats, and (store_user_data=True) JSON-serialisable user_data entries.
Loading never executes code from the file.
"""
from __future__ import annotations

import zlib
from typing import Iterable, Iterator, Optional, Union

import msgpack
import numpy as np

from ..errors import Errors, HeronValueError
from ..util import PathLike, atomic_write_bytes, ensure_path
from ._serialize import column_values, user_data_from_list, user_data_to_list
from .attrs import IDS, NAMES, ORTH, SPACY, intify_attrs
from .doc import Doc
from .strings import MSGPACK_PACK, MSGPACK_UNPACK
from .vocab import Vocab

FORMAT_VERSION = 1
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
        self.user_data.append(user_data_to_list(doc.user_data) if self.store_user_data else None)

    def get_docs(self, vocab: Vocab) -> Iterator[Doc]:
        """Yield the stored Docs, adding the strings table to `vocab.strings` first."""
        for string in self.strings:
            vocab.strings.add(string)
        lookup = vocab.strings
        for array, spaces, cats, user_data in zip(self.tokens, self.spaces, self.cats, self.user_data):
            words = [lookup[h] for h in array[:, 0].tolist()]
            doc = Doc._from_words_fast(vocab, words, spaces.astype(bool).tolist())
            doc.from_array(self.attrs[1:], array[:, 1:])
            doc.cats = dict(cats)
            if user_data:
                doc.user_data = user_data_from_list(user_data)
            yield doc

    def merge(self, other: "DocBin") -> None:
        """Append `other`'s Docs (both must have the same attrs; E029 otherwise)."""
        if self.attrs != other.attrs:
            raise HeronValueError(Errors.E029.format(
                problem=f"attrs {[NAMES[a] for a in self.attrs]} vs {[NAMES[a] for a in other.attrs]}"))
        self.tokens.extend(other.tokens)
        self.spaces.extend(other.spaces)
        self.cats.extend(other.cats)
        self.strings.update(other.strings)
        if self.store_user_data:
            self.user_data.extend(other.user_data)
        else:
            self.user_data.extend([None] * len(other))

    def to_bytes(self) -> bytes:
        tokens = np.vstack(self.tokens) if self.tokens else np.zeros((0, len(self.attrs)), np.uint64)
        spaces = np.concatenate(self.spaces) if self.spaces else np.zeros(0, np.uint8)
        msg = {
            "format": "heron.DocBin", "version": FORMAT_VERSION,
            "attrs": [NAMES[a] for a in self.attrs],
            "tokens": np.ascontiguousarray(tokens, dtype="<u8").tobytes(),
            "spaces": spaces.tobytes(),
            "lengths": np.array([len(t) for t in self.tokens], dtype="<i8").tobytes(),
            "strings": sorted(self.strings), "cats": self.cats,
            "store_user_data": self.store_user_data,
            "user_data": self.user_data if self.store_user_data else None,
        }
        return zlib.compress(msgpack.packb(msg, **MSGPACK_PACK))

    def from_bytes(self, data: bytes, *, source: str = "bytes") -> "DocBin":
        """Load `to_bytes()` output, replacing this DocBin's contents (E028 if invalid)."""
        try:
            msg = msgpack.unpackb(zlib.decompress(data), **MSGPACK_UNPACK)
            if not isinstance(msg, dict) or msg.get("format") != "heron.DocBin":
                raise ValueError("no heron DocBin header")
            if msg["version"] != FORMAT_VERSION:
                raise ValueError(f"unsupported format version {msg['version']}")
            attrs = [IDS[name] for name in msg["attrs"]]
            lengths = np.frombuffer(msg["lengths"], dtype="<i8")
            tokens = np.frombuffer(msg["tokens"], dtype="<u8").reshape(-1, len(attrs))
            spaces = np.frombuffer(msg["spaces"], dtype=np.uint8)
            if lengths.sum() != len(tokens) or len(spaces) != len(tokens):
                raise ValueError("token counts do not match the lengths")
        except Exception as e:  # zlib/msgpack raise many unrelated types on foreign files
            raise HeronValueError(Errors.E028.format(source=source, err=f"{type(e).__name__}: {e}",
                                                     version=FORMAT_VERSION)) from None
        bounds = np.cumsum(lengths)[:-1] if len(lengths) else []
        self.attrs = attrs
        self.tokens = [t.copy() for t in np.split(tokens, bounds)] if len(lengths) else []
        self.spaces = [s.copy() for s in np.split(spaces, bounds)] if len(lengths) else []
        self.strings = set(msg["strings"])
        self.cats = list(msg["cats"])
        self.store_user_data = bool(msg.get("store_user_data"))
        self.user_data = list(msg["user_data"]) if msg.get("user_data") else [None] * len(self.tokens)
        return self

    def to_disk(self, path: PathLike) -> None:
        """Write atomically: readers see the old file or the complete new one."""
        atomic_write_bytes(path, self.to_bytes())

    def from_disk(self, path: PathLike) -> "DocBin":
        path = ensure_path(path)
        try:
            data = path.read_bytes()
        except OSError as e:
            raise HeronValueError(Errors.E028.format(source=str(path), err=e, version=FORMAT_VERSION)) from None
        return self.from_bytes(data, source=str(path))
