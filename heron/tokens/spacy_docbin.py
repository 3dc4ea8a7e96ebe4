"""SpacyDocBin: spaCy v3's DocBin files (`.spacy`) read and written by heron, without spaCy.

    docs = list(SpacyDocBin().from_disk("train.spacy").get_docs(nlp.vocab))
    SpacyDocBin(docs=docs).to_disk("out.spacy")        # spaCy reads it with DocBin().from_disk

Same surface as heron's DocBin (add, get_docs, to_bytes/from_bytes, to_disk/from_disk,
merge, len). The bytes are spaCy's (see _spacy_docbin_format.py); what differs from
heron's own format is how strings become numbers. spaCy stores a string as its symbol
ID when it is in spaCy's symbol table ("NOUN" = 92, "nsubj" = 429, "_" = 456) and as
its MurmurHash64A otherwise (_spacy_hash.py); heron hashes with blake2b. So this
class keeps spaCy's IDs internally (a file read and written again is unchanged) and
translates at the boundary: `add` maps a Doc's heron hashes to spaCy's IDs through the
Doc's strings, `get_docs` maps spaCy's IDs back through the file's strings list and
the symbol table. Attribute IDs are spaCy's too (attrs in a file are symbols, with
the same numbers as heron.tokens.attrs: ENT_KB_ID = 452, MORPH = 453, ENT_ID = 454).

Kept: words, spaces, TAG, POS, MORPH (the hash of the FEATS string, "_" for an annotated
token without features), LEMMA, NORM, HEAD (relative), DEP, ENT_IOB (0 "", 1 I, 2 O,
3 B), ENT_TYPE, ENT_KB_ID, ENT_ID, SENT_START (1, -1, 0 unknown), doc.cats, doc.spans,
user_data (plain msgpack values only), and spaCy's per-Doc flag `has_unknown_spaces`
(`self.flags`; a heron Doc has no such attribute, so `get_docs` gives those Docs a space
after every token, as spaCy does, and `add(doc, has_unknown_spaces=True)` writes it).
Other columns a file may hold (LOWER, SHAPE, lexical flags) are derived from the words
in heron and are ignored when reading.
"""
from __future__ import annotations

from typing import Dict, Iterable, Iterator, List, Optional, Union

import numpy as np

from ..errors import Errors, HeronError, HeronValueError
from ..util import PathLike, atomic_write_bytes, ensure_path
from . import _spacy_docbin_format as fmt
from ._docbin_format import MAX_SIZE
from ._serialize import column_values, user_data_to_list
from ._spacy_hash import spacy_string_ids
from ._spacy_span_groups import EMPTY_BYTES, translate_span_groups
from ._spacy_symbols import SYMBOL_IDS, SYMBOLS
from .attrs import IDS, NAMES, intify_attr
from .doc import Doc
from .morphology import EMPTY_MORPH
from .span_groups import has_spans
from .vocab import Vocab

# spaCy's DocBin default (DOCBIN_ALL_ATTRS): every annotation.
DEFAULT_ATTRS = ("ORTH", "NORM", "TAG", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "ENT_KB_ID", "ENT_ID",
                 "LEMMA", "MORPH", "POS", "SENT_START")
# Columns whose values are string IDs (translated); the others are numbers in both libraries.
STRING_ATTRS = frozenset({"ORTH", "NORM", "LEMMA", "POS", "TAG", "DEP", "ENT_TYPE", "ENT_KB_ID", "ENT_ID", "MORPH"})
# The strings spaCy's DocBin.add puts in the strings list for every token, whatever the attrs.
_LISTED = ("ORTH", "TAG", "LEMMA", "NORM", "MORPH", "DEP", "ENT_TYPE", "ENT_KB_ID", "ENT_ID")
ORTH_ID = SYMBOL_IDS["ORTH"]
FILE_SUFFIX = ".spacy"


class SpacyDocBin:
    """Docs in spaCy v3's DocBin format.

    attrs (Iterable[str] | None): token attributes to write; default all of DEFAULT_ATTRS
        (spaCy's default). ORTH and spaces are always kept.
    store_user_data (bool): also write doc.user_data (entries that can't be saved are
        skipped with W001). Reading always reads it when the file has it, as spaCy does.
    docs (Iterable[Doc]): Docs to add straight away.
    """

    def __init__(self, attrs: Optional[Iterable[Union[str, int]]] = None, store_user_data: bool = False,
                 docs: Iterable[Doc] = ()):
        names = {_attr_name(a) for a in (DEFAULT_ATTRS if attrs is None else attrs)}
        self.attrs: List[int] = [ORTH_ID] + sorted(SYMBOL_IDS[n] for n in names if n != "ORTH")  # spaCy IDs
        self.store_user_data = store_user_data
        self.tokens: List[np.ndarray] = []  # per Doc: (n_tokens, n_attrs) uint64 in spaCy's IDs
        self.spaces: List[np.ndarray] = []
        self.cats: List[dict] = []
        self.flags: List[dict] = []
        self.span_groups: List[bytes] = []  # spaCy's doc.spans bytes (spaCy's IDs)
        self.user_data: List[Optional[bytes]] = []
        self.strings: set[str] = set()
        self._ids: Dict[str, int] = {}  # string -> spaCy ID, memo for add()
        self._source = "a SpacyDocBin built in memory"  # named in errors; from_bytes/from_disk set it
        for doc in docs:
            self.add(doc)

    def __len__(self) -> int:
        return len(self.tokens)

    # ---- writing ---------------------------------------------------------------------
    def add(self, doc: Doc, *, has_unknown_spaces: bool = False) -> None:
        """Store a snapshot of `doc` (spaCy's IDs, strings and span groups).

        has_unknown_spaces: spaCy's flag for Docs whose spaces are not known (made from
            words alone); spaCy then trains and scores them on their gold tokens.
        """
        strings = doc.vocab.strings
        names = [SYMBOLS[a] for a in self.attrs]
        columns = {name: column_values(doc, IDS[name]) for name in set(names) | set(_LISTED)}
        texts = {h: strings.as_string(h) for h in np.unique(np.concatenate(
            [columns[n] for n in STRING_ATTRS.union(_LISTED) if n in columns])).tolist()}
        for name in _LISTED:
            listed = (texts[h] for h in np.unique(columns[name]).tolist())
            if name == "MORPH":  # spaCy lists str(token.morph), "" for an analysis without features
                listed = ("" if text == EMPTY_MORPH else text for text in listed)
            self.strings.update(listed)
        array = np.zeros((len(doc), len(names)), dtype=np.uint64)
        for j, name in enumerate(names):
            array[:, j] = self._to_spacy_ids(columns[name], texts) if name in STRING_ATTRS else columns[name]
        self.tokens.append(array)
        self.spaces.append(np.array(doc._spaces, dtype=np.uint8))
        self.cats.append(dict(doc.cats))
        self.flags.append({"has_unknown_spaces": bool(has_unknown_spaces)})
        self.span_groups.append(self._span_groups_of(doc) if has_spans(doc) else EMPTY_BYTES)
        if self.store_user_data:
            entries = user_data_to_list(doc.user_data)  # W001 for values msgpack can't hold
            user_data = {tuple(k) if isinstance(k, list) else k: v for k, v in entries}
            self.user_data.append(fmt.msgpack.packb(user_data, **fmt.MSGPACK_PACK))

    def _spacy_id(self, text: str) -> int:
        key = self._ids.get(text)
        if key is None:
            key = self._ids[text] = int(spacy_string_ids([text])[0])
        return key

    def _to_spacy_ids(self, column: np.ndarray, texts: Dict[int, str]) -> np.ndarray:
        uniques, inverse = np.unique(column, return_inverse=True)
        new = [texts[h] for h in uniques.tolist() if texts[h] not in self._ids]
        self._ids.update(zip(new, spacy_string_ids(new).tolist()))
        return np.array([self._ids[texts[h]] for h in uniques.tolist()], dtype=np.uint64)[inverse.reshape(-1)]

    def _span_groups_of(self, doc: Doc) -> bytes:
        strings = doc.vocab.strings
        for group in doc.spans.values():  # spaCy lists each span's label_, kb_id_ and id_ ("" for none)
            for span in group:
                self.strings.update((span.label_, span.kb_id_, span.id_))
        return translate_span_groups(doc.spans.to_bytes(), lambda key, what: self._spacy_id(strings.as_string(key)),
                                     source="doc.spans")

    def merge(self, other: "SpacyDocBin") -> None:
        """Append `other`'s Docs (same attrs and store_user_data; E524 otherwise)."""
        for setting in ("attrs", "store_user_data"):
            if getattr(self, setting) != getattr(other, setting):
                raise HeronValueError(Errors.E524.format(
                    setting=setting, first=getattr(self, setting), second=getattr(other, setting)))
        for name in ("tokens", "spaces", "cats", "flags", "span_groups", "user_data"):
            getattr(self, name).extend(getattr(other, name))
        self.strings.update(other.strings)

    def to_bytes(self) -> bytes:
        """spaCy's DocBin.to_bytes layout, byte for byte."""
        tokens = np.vstack(self.tokens) if self.tokens else np.zeros(0, dtype=np.uint64)
        spaces = np.concatenate(self.spaces) if self.spaces else np.zeros(0, dtype=np.uint8)
        msg = {"version": fmt.VERSION, "attrs": list(self.attrs),
               "tokens": np.ascontiguousarray(tokens, dtype="<u8").tobytes(),
               "spaces": spaces.astype(bool).tobytes(),
               "lengths": np.array([len(t) for t in self.tokens], dtype="<i4").tobytes(),
               "strings": sorted(self.strings), "cats": self.cats, "flags": self.flags,
               "span_groups": self.span_groups}
        if self.store_user_data:
            msg["user_data"] = self.user_data
        return fmt.encode(msg)

    def to_disk(self, path: PathLike) -> None:
        """Write atomically: readers see the old file or the complete new one."""
        atomic_write_bytes(path, self.to_bytes())

    # ---- reading ---------------------------------------------------------------------
    def from_bytes(self, data: bytes, *, source: str = "bytes", max_size: Optional[int] = None) -> "SpacyDocBin":
        """Load spaCy's `DocBin.to_bytes()` output, replacing this bin's contents.

        source: the name used in error messages (from_disk passes the path).
        max_size: refuse a body that inflates to more bytes than this (E522). None (the
            default, right for files from others): heron DocBin's rule (64 MiB, or up to
            300 times the compressed size, at most 4 GiB). Pass a number only for files
            you trust: it is then the only cap.
        RAISES: E520 (not a spaCy DocBin, or inconsistent), E521 (corrupt zlib data), E522.
        """
        msg = fmt.decode(data, source, max_size)
        bounds = np.cumsum(msg["lengths"])[:-1]
        n_docs = len(msg["lengths"])
        self.attrs = list(msg["attrs"])
        self.tokens = [t.copy() for t in np.split(msg["tokens"], bounds)] if n_docs else []
        self.spaces = [s.copy() for s in np.split(msg["spaces"], bounds)] if n_docs else []
        self.strings = set(msg["strings"])
        self.cats, self.flags = list(msg["cats"]), list(msg["flags"])
        self.span_groups, self.user_data = list(msg["span_groups"]), list(msg["user_data"])
        self.store_user_data = msg["store_user_data"]
        self._source = source
        return self

    def from_disk(self, path: PathLike, *, max_size: Optional[int] = None) -> "SpacyDocBin":
        """Read a `.spacy` file (see from_bytes; a file larger than the size cap is not read: E522)."""
        path = ensure_path(path)
        cap = MAX_SIZE if max_size is None else max_size
        try:
            n_bytes = path.stat().st_size
            if n_bytes > cap:
                raise HeronValueError(Errors.E522.format(source=path, what=f"the file has {n_bytes} bytes", limit=cap))
            data = path.read_bytes()
        except OSError as e:
            raise fmt.invalid(str(path), f"can't read the file ({e})") from None
        return self.from_bytes(data, source=str(path), max_size=max_size)

    def get_docs(self, vocab: Vocab) -> Iterator[Doc]:
        """Yield the stored Docs, adding the strings they use to `vocab.strings` first.

        A Doc the stored data cannot rebuild (an ID missing from the strings list, a head
        outside its Doc, bad span groups, ...) raises E523 naming the file and the Doc's
        index. user_data that is not plain msgpack is skipped with W520.
        """
        from ._spacy_docbin_read import DocReader

        yield from DocReader(self, vocab).docs()


def _attr_name(attr: Union[str, int]) -> str:
    """The attribute's name for `attrs=` (heron names or IDs); E525 unless a DocBin column."""
    try:
        name = NAMES[intify_attr(attr)]
    except HeronError:
        name = str(attr)
    if name not in DEFAULT_ATTRS:
        raise HeronValueError(Errors.E525.format(attr=attr, allowed=", ".join(DEFAULT_ATTRS)))
    return name


__all__ = ["SpacyDocBin", "DEFAULT_ATTRS", "STRING_ATTRS", "FILE_SUFFIX"]
