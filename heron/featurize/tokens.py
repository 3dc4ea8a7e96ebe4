"""Docs -> TokenBatch: the attribute-hash tensor every trunk starts from.

`featurize(docs, attrs)` runs on every batch at inference, so it is built for speed:
lexical attributes (NORM, PREFIX, SUFFIX, SHAPE, LOWER, ORTH, flags, LENGTH) depend only
on the word string, so each Vocab gets a feature table: word -> row of a (rows, A)
uint64 array holding the word's attribute hashes. A warm batch then costs one dict
lookup per token (in C, via `map`) plus one numpy gather into the padded (B, T, A)
array. Contextual attributes (TAG, POS, ENT_TYPE, ...) and per-token NORM overrides
(tokenizer special cases such as "n't" -> "not") are read from the Doc's columns.

Hashes are the StringStore's (stable across processes): `ids[b, t, j]` equals
`doc[t].<attr>` reinterpreted as int64. Strings are NOT added to the StringStore
(features are model inputs, not annotations), so featurizing never grows the vocab.

Character features (`n_chars`, read by heron.CharacterEmbed.v1) are lexical too: each
word's first and last UTF-8 bytes, interleaved 0, -1, 1, -2, ... and padded with 255
(spaCy's `Doc.to_utf8_array`), are stored in the same per-Vocab table, so they cost
no extra lookup per token. Bytes, not code points, because spaCy's CharacterEmbed
embeds bytes (256 rows per position): the same settings mean the same model.
"""
from __future__ import annotations

import weakref
from dataclasses import dataclass, replace
from itertools import chain
from typing import Any, Iterable, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from ..errors import Errors, HeronValueError
from ..tokens.attrs import FLAG_ATTRS, LENGTH, NAMES, NORM, ORTH, STRING_LEX_ATTRS, intify_attr
from ..tokens.strings import get_string_id, text_to_bytes

# Attributes whose strings can key a vectors table (heron.nn.static_vectors has the same list).
VECTORS_KEY_ATTRS = ("ORTH", "NORM", "LOWER")
# Lexical attributes: a function of the word string alone, hence cacheable per Vocab.
LEXICAL_ATTRS = frozenset(STRING_LEX_ATTRS) | frozenset(FLAG_ATTRS) | {LENGTH}
# A long-running server fed unique strings must not grow without limit: past this many
# rows a table is rebuilt from scratch (~100 MB for 4 attributes would be 3M rows).
_MAX_ROWS = 1_000_000
# The byte that fills character slots a word is too short for (never valid UTF-8).
CHAR_PAD = 255


@dataclass
class TokenBatch:
    """A padded batch of token features: the input of every tok2vec trunk.

    ids (Tensor): (B, T, A) int64, the uint64 attribute hashes reinterpreted as int64;
        padding positions hold 0.
    mask (Tensor): (B, T) bool, True on real tokens.
    lengths (Tensor): (B,) int64 tokens per doc; T = max(1, lengths.max()).
    attrs (tuple[str, ...]): attribute names of the A columns, e.g. ("NORM", "PREFIX").
    vectors (Tensor | None): (B, T, D) float32 static word vectors, or None when the
        batch carries none (filled by the static-vectors machinery).
    chars (Tensor | None): (B, T, n_chars) uint8 UTF-8 bytes of each token's text, in
        the order first, last, second, second-to-last, ... (`char_bytes`), 255 where a
        word is shorter than n_chars and on padding; None unless featurize was asked
        for `n_chars` (heron.CharacterEmbed.v1 reads it). uint8 keeps host-to-device
        copies 8x smaller than int64; the layer widens it.
    """

    ids: torch.Tensor
    mask: torch.Tensor
    lengths: torch.Tensor
    attrs: Tuple[str, ...]
    vectors: Optional[torch.Tensor] = None
    chars: Optional[torch.Tensor] = None

    def __len__(self) -> int:
        return int(self.ids.shape[0])

    @property
    def n_tokens(self) -> int:
        return int(self.lengths.sum())

    def to(self, device: Union[str, torch.device]) -> "TokenBatch":
        """The same batch on `device` (tensors copied only if they live elsewhere)."""
        vectors = None if self.vectors is None else self.vectors.to(device)
        chars = None if self.chars is None else self.chars.to(device)
        return replace(self, ids=self.ids.to(device), mask=self.mask.to(device),
                       lengths=self.lengths.to(device), vectors=vectors, chars=chars)


def normalize_attrs(attrs: Iterable[Union[str, int]]) -> Tuple[str, ...]:
    """Canonical names for attribute names or IDs: ["norm", 69] -> ("NORM", "PREFIX")."""
    if isinstance(attrs, (str, int)):
        attrs = [attrs]
    return tuple(NAMES[intify_attr(a)] for a in attrs)


def featurize(docs: Sequence, attrs: Iterable[Union[str, int]], *,
              vectors_attr: Optional[str] = None, n_chars: int = 0) -> TokenBatch:
    """Attribute hashes of `docs` as a padded TokenBatch (one row per doc).

    docs (Sequence[Doc]): the batch; empty docs are allowed (T is at least 1).
    attrs (Iterable[str | int]): attribute names or IDs, e.g. ("NORM", "PREFIX",
        "SUFFIX", "SHAPE"); unknown names raise E020.
    vectors_attr (str | None): "ORTH", "NORM" or "LOWER": also fill `vectors` with each
        token's row of `doc.vocab.vectors`, looked up by that attribute's string (a
        model's `vectors_attr`). None (default) = no vectors.
    n_chars (int): also fill `chars` with n_chars UTF-8 bytes per token (a model's
        `chars_needed`, e.g. CharacterEmbed's nC). 0 (default) = no chars.
    RETURNS (TokenBatch): ids (B, T, A) int64, mask (B, T), lengths (B,), vectors
        (B, T, D) float32 (zeros for padding and words without a vector) and chars
        (B, T, n_chars) uint8.
    """
    names = normalize_attrs(attrs)
    docs = list(docs)
    if isinstance(n_chars, bool) or not isinstance(n_chars, int) or n_chars < 0:
        raise HeronValueError(Errors.E157.format(value=n_chars))
    if vectors_attr is None:
        return _featurize(docs, names, n_chars)
    # The key column rides along with the model's columns: same cached table, same
    # per-token dict lookup, and NORM overrides apply to it exactly as to features.
    key_name = normalize_attrs([vectors_attr])[0]
    if key_name not in VECTORS_KEY_ATTRS:
        raise HeronValueError(Errors.E652.format(layer="featurize", arg="vectors_attr",
                                                 value=vectors_attr, allowed=list(VECTORS_KEY_ATTRS)))
    extra = key_name not in names
    batch = _featurize(docs, names + (key_name,) if extra else names, n_chars)
    keys = batch.ids[..., -1 if extra else names.index(key_name)]  # (B, T) int64 view of uint64
    vectors = _vectors(docs, keys.numpy().view(np.uint64), batch.mask.numpy(), key_name)
    if extra:
        batch = replace(batch, ids=batch.ids[..., :-1].contiguous(), attrs=names)
    # No table loaded: None, so a layer that needs vectors raises its coded error (E650).
    return replace(batch, vectors=None if vectors is None else torch.from_numpy(vectors))


def _vectors(docs: list, keys: np.ndarray, mask: np.ndarray, attr: str) -> Optional[np.ndarray]:
    """(B, T, D) float32 rows of the docs' vocab.vectors for (B, T) uint64 keys of `attr`;
    None if no doc's vocab has vectors."""
    tables = {id(doc.vocab): getattr(doc.vocab, "vectors", None) for doc in docs}
    dims = {int(t.shape[1]) for t in tables.values() if t is not None and t.shape[1]}
    if not dims:
        return None
    if len(dims) > 1:  # docs of pipelines with different vectors in one batch
        raise HeronValueError(Errors.E651.format(layer="featurize", expected=min(dims), got=max(dims)))
    dim = dims.pop()
    if len(tables) == 1:  # the usual case: one vectorised lookup for the whole batch
        table: Any = next(iter(tables.values()))
        if getattr(table, "mode", "default") == "default":
            # Look up the padded keys directly: no scatter copy of the (N, D) rows; padding
            # (key 0) is zeroed explicitly in case a table has a row for hash 0.
            out = np.asarray(table.get_batch(keys.reshape(-1)), dtype=np.float32).reshape(*mask.shape, dim)
            if not out.flags.writeable:
                out = out.copy()
            out[~mask] = 0.0
            return out
        out = np.zeros((*mask.shape, dim), dtype=np.float32)
        out[mask] = table.get_batch(_table_keys(table, docs, keys[mask], attr))
        return out
    out = np.zeros((*mask.shape, dim), dtype=np.float32)
    for b, doc in enumerate(docs):  # docs from several pipelines: rare
        table = getattr(doc.vocab, "vectors", None)
        if table is not None and table.shape[1] and len(doc):
            out[b, : len(doc)] = table.get_batch(_table_keys(table, [doc], keys[b, : len(doc)], attr))
    return out


def _table_keys(table, docs: list, keys: np.ndarray, attr: str):
    """What `table.get_batch` takes: the uint64 hashes, except for subword tables
    (floret, fastText), which build vectors from the characters and so need the texts
    (featurize never adds strings to the StringStore, so hashes of new words have none)."""
    if getattr(table, "mode", "default") == "default":
        return keys
    if attr == "ORTH":
        return list(chain.from_iterable(_words(doc) for doc in docs))
    name = attr.lower() + "_"  # norm_ / lower_: NORM overrides of the Doc apply
    return [getattr(token, name) for doc in docs for token in doc]


def _featurize(docs: list, names: Tuple[str, ...], n_chars: int = 0) -> TokenBatch:
    ids = [intify_attr(name) for name in names]
    lengths = np.fromiter((len(doc) for doc in docs), dtype=np.int64, count=len(docs))
    n_max = max(1, int(lengths.max())) if len(docs) else 1
    mask = np.arange(n_max)[None, :] < lengths[:, None]  # (B, T)
    vocabs = {id(doc.vocab): doc.vocab for doc in docs}
    if len(vocabs) <= 1:
        out, chars = _lexical_rows(docs, ids, mask, n_chars)  # (B, T, A) uint64, (B, T, C) uint8
    else:  # docs from several pipelines: rare, so simply one doc at a time
        out = np.zeros((len(docs), n_max, len(ids)), dtype=np.uint64)
        chars = np.full((len(docs), n_max, n_chars), CHAR_PAD, dtype=np.uint8)
        for b, doc in enumerate(docs):
            rows, doc_chars = _lexical_rows([doc], ids, mask[b: b + 1, : lengths[b]], n_chars)
            out[b, : lengths[b]] = rows[0]
            chars[b, : lengths[b]] = doc_chars[0]
    _fill_contextual(docs, ids, out)
    return TokenBatch(ids=torch.from_numpy(out.view(np.int64)), mask=torch.from_numpy(mask),
                      lengths=torch.from_numpy(lengths), attrs=names,
                      chars=torch.from_numpy(chars) if n_chars else None)


def unpad(X: torch.Tensor, lengths: Union[torch.Tensor, Sequence[int]]) -> List[torch.Tensor]:
    """Per-doc views of a padded (B, T, W) tensor: [X[b, :lengths[b]] for each b]."""
    lengths = lengths.tolist() if isinstance(lengths, torch.Tensor) else list(lengths)
    return [X[b, :n] for b, n in enumerate(lengths)]


def _lexical_rows(docs: list, ids: List[int], mask: np.ndarray,
                  n_chars: int = 0) -> Tuple[np.ndarray, np.ndarray]:
    """(B, T, A) uint64 hashes of the lexical attributes (0 elsewhere and on padding) and
    (B, T, n_chars) uint8 character bytes (CHAR_PAD on padding)."""
    lexical = [attr if attr in LEXICAL_ATTRS else None for attr in ids]
    if not docs or (all(attr is None for attr in lexical) and not n_chars):
        return (np.zeros((*mask.shape, len(ids)), dtype=np.uint64),
                np.full((*mask.shape, n_chars), CHAR_PAD, dtype=np.uint8))
    table = _get_table(docs[0].vocab, tuple(lexical), n_chars)
    words = list(chain.from_iterable(_words(doc) for doc in docs))
    index = np.zeros(mask.shape, dtype=np.int64)  # row 0 of every table: zeros / CHAR_PAD
    index[mask] = table.lookup(docs[0].vocab, words)
    return table.rows[index], table.chars[index]


def char_bytes(words: Sequence[str], n_chars: int) -> np.ndarray:
    """(N, n_chars) uint8: each word's UTF-8 bytes in the order 0, -1, 1, -2, ... (first,
    last, second, second-to-last...), CHAR_PAD where the word has fewer bytes.

    spaCy's `Doc.to_utf8_array(nr_char=n_chars)`: a prefix of the columns is the same
    scheme for fewer characters, and the last byte always sits in column 1, whatever
    the word's length. Vectorised: one join and one gather for all words.
    """
    encoded = [text_to_bytes(word) for word in words]
    n = len(encoded)
    out = np.full((n, n_chars), CHAR_PAD, dtype=np.uint8)
    if not n or not n_chars:
        return out
    lengths = np.fromiter(map(len, encoded), dtype=np.int64, count=n)  # (N,)
    starts = np.cumsum(lengths) - lengths
    j = np.arange(n_chars)
    # Even slots count from the start, odd slots from the end: (N, C) byte offsets.
    offsets = np.where(j % 2 == 0, j // 2, lengths[:, None] - 1 - j // 2)
    present = j[None, :] < lengths[:, None]  # (N, C): slots the word has bytes for
    flat = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    out[present] = flat[(starts[:, None] + offsets)[present]]
    return out


def _words(doc) -> list:
    # Doc keeps its words in a plain list; reading it directly avoids a copy per batch.
    words = getattr(doc, "_words", None)
    return words if words is not None else [token.text for token in doc]


def _fill_contextual(docs: list, ids: List[int], out: np.ndarray) -> None:
    """Write the token-level columns (TAG, POS, ... and NORM overrides) into `out`."""
    for j, attr in enumerate(ids):
        if attr == NORM:
            for b, doc in enumerate(docs):
                overrides = getattr(doc, "_cols", {}).get(NORM)
                if overrides is not None:
                    n = len(overrides)
                    out[b, :n, j] = np.where(overrides != 0, overrides, out[b, :n, j])
        elif attr not in LEXICAL_ATTRS:
            for b, doc in enumerate(docs):
                if len(doc):
                    out[b, : len(doc), j] = doc.to_array([attr])[:, 0]


class _FeatureTable:
    """word -> row index into `rows`, a (capacity, A) uint64 array of attribute hashes.

    Rows are computed through `vocab.get_lex_attr`, so the Vocab's language-specific
    functions and user overrides (`vocab["x"].norm_ = "y"`) apply. A table remembers the
    overrides it was built with and is rebuilt when they change. It holds no reference
    to its Vocab (the tables live in a WeakKeyDictionary keyed by the Vocab).
    """

    def __init__(self, vocab, attrs: Tuple[Optional[int], ...], n_chars: int = 0):
        self.attrs, self.n_chars = attrs, n_chars
        self.names = [NAMES[a].lower() for a in attrs if a is not None]
        self.snapshot = self._overrides(vocab)
        self.reset()

    def reset(self) -> None:
        self.index: dict = {}
        self.rows = np.zeros((1024, len(self.attrs)), dtype=np.uint64)
        # (capacity, n_chars) uint8: char_bytes of each row's word (row 0: padding).
        self.chars = np.full((1024, self.n_chars), CHAR_PAD, dtype=np.uint8)
        self.n_rows = 1  # row 0: padding / no value

    def _overrides(self, vocab) -> tuple:
        overrides = getattr(vocab, "_lex_overrides", {})
        return (id(getattr(vocab, "lex_attr_getters", None)),
                *(dict(overrides.get(name, ())) for name in self.names))

    def is_stale(self, vocab) -> bool:
        overrides = getattr(vocab, "_lex_overrides", {})
        snap = self.snapshot
        if snap[0] != id(getattr(vocab, "lex_attr_getters", None)):
            return True
        # dict == dict runs in C; override tables are small, so this costs microseconds.
        return any(overrides.get(name, {}) != old for name, old in zip(self.names, snap[1:]))

    def lookup(self, vocab, words: list) -> np.ndarray:
        """(N,) int64 row indices of `words`, adding rows for unseen words."""
        if self.is_stale(vocab):
            self.snapshot = self._overrides(vocab)
            self.reset()
        get = self.index.__getitem__
        try:
            return np.fromiter(map(get, words), dtype=np.int64, count=len(words))
        except KeyError:
            self._add(vocab, words)
            return np.fromiter(map(self.index.__getitem__, words), dtype=np.int64, count=len(words))

    def _add(self, vocab, words: list) -> None:
        new = [w for w in dict.fromkeys(words) if w not in self.index]
        if self.n_rows + len(new) > _MAX_ROWS:
            self.reset()
            new = list(dict.fromkeys(words))
        start, end = self.n_rows, self.n_rows + len(new)
        if end > len(self.rows):
            capacity = max(end, 2 * len(self.rows))
            grown = np.zeros((capacity, len(self.attrs)), dtype=np.uint64)
            grown[:start] = self.rows[:start]
            self.rows = grown
            grown_chars = np.full((capacity, self.n_chars), CHAR_PAD, dtype=np.uint8)
            grown_chars[:start] = self.chars[:start]
            self.chars = grown_chars
        for j, attr in enumerate(self.attrs):
            getter = _attr_getter(vocab, attr)
            if getter is not None:
                self.rows[start:end, j] = np.fromiter(map(getter, new), dtype=np.uint64, count=len(new))
        if self.n_chars:
            self.chars[start:end] = char_bytes(new, self.n_chars)
        self.index.update(zip(new, range(start, end)))
        self.n_rows = end


def _attr_getter(vocab, attr: Optional[int]):
    """word -> uint64-compatible int for one lexical attribute (None: not lexical)."""
    if attr is None:
        return None
    if attr == ORTH:
        return get_string_id
    if attr == LENGTH:
        return len
    name = NAMES[attr].lower()
    get = vocab.get_lex_attr
    if attr in FLAG_ATTRS:
        return lambda word: int(bool(get(word, name)))
    return lambda word: get_string_id(get(word, name))


# One set of tables per Vocab, dropped with the Vocab (no strong reference from here).
_TABLES: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _get_table(vocab, attrs: Tuple[Optional[int], ...], n_chars: int = 0) -> _FeatureTable:
    tables = _TABLES.get(vocab)
    if tables is None:
        tables = _TABLES[vocab] = {}
    table = tables.get((attrs, n_chars))
    if table is None:
        table = tables[(attrs, n_chars)] = _FeatureTable(vocab, attrs, n_chars)
    return table


__all__ = ["TokenBatch", "featurize", "unpad", "normalize_attrs", "char_bytes", "LEXICAL_ATTRS", "CHAR_PAD"]
