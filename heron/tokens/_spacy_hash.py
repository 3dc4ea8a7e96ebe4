"""spaCy's string IDs without spaCy: MurmurHash64A (seed 1) of the UTF-8 text, or a symbol ID.

spaCy's `StringStore.add(text)` returns 0 for "", the symbol ID for a string in its
symbol table (_spacy_symbols.py), and otherwise `hash64(utf8, len, 1)` from the
`murmurhash` package, which is Austin Appleby's MurmurHash64A (MurmurHash2.cpp,
64-bit version for 64-bit platforms) with seed 1. heron's own StringStore hashes with
blake2b, so a `.spacy` file's hashes are translated through its strings list (reading)
or recomputed here (writing).

The hash runs in numpy, vectorised over many strings: strings are grouped by UTF-8
length, so each group shares a block count and a tail length and costs a handful of
uint64 array operations (numpy's unsigned arithmetic wraps like C's). A slow test
compares it with spaCy's `hash_string` (tests/tokens/test_spacy_docbin_peer.py).
"""
from __future__ import annotations

from typing import Dict, Iterable, List

import numpy as np

from ._spacy_symbols import SYMBOL_IDS
from .strings import text_to_bytes

_M = np.uint64(0xC6A4A7935BD1E995)
_R = np.uint64(47)
SEED = 1


def murmurhash64a(texts: List[bytes], seed: int = SEED) -> np.ndarray:
    """MurmurHash64A of each byte string, as a uint64 array (same order as `texts`)."""
    out = np.zeros(len(texts), dtype=np.uint64)
    by_length: Dict[int, List[int]] = {}
    for i, text in enumerate(texts):
        by_length.setdefault(len(text), []).append(i)
    with np.errstate(over="ignore"):
        for length, rows in by_length.items():
            out[rows] = _hash_group([texts[i] for i in rows], length, seed)
    return out


def _hash_group(texts: List[bytes], length: int, seed: int) -> np.ndarray:
    """MurmurHash64A of byte strings that all have `length` bytes."""
    n_blocks, n_tail = divmod(length, 8)
    data = np.frombuffer(b"".join(texts), dtype=np.uint8).reshape(len(texts), length)  # (N, L)
    h = np.full(len(texts), np.uint64(seed) ^ (np.uint64(length) * _M), dtype=np.uint64)  # (N,)
    if n_blocks:
        blocks = np.ascontiguousarray(data[:, : n_blocks * 8]).view("<u8")  # (N, n_blocks) little endian
        for b in range(n_blocks):
            k = blocks[:, b].astype(np.uint64) * _M
            k ^= k >> _R
            k *= _M
            h ^= k
            h *= _M
    if n_tail:
        tail = data[:, n_blocks * 8:].astype(np.uint64)  # (N, n_tail)
        for j in range(n_tail - 1, -1, -1):  # the C switch falls through from the last byte down
            h ^= tail[:, j] << np.uint64(8 * j)
        h *= _M
    h ^= h >> _R
    h *= _M
    h ^= h >> _R
    return h


def spacy_string_ids(strings: Iterable[str]) -> np.ndarray:
    """spaCy's ID of each string: 0 for "", the symbol ID for a symbol, else MurmurHash64A."""
    strings = list(strings)
    out = np.zeros(len(strings), dtype=np.uint64)
    to_hash, rows = [], []
    for i, string in enumerate(strings):
        symbol = SYMBOL_IDS.get(string)
        if symbol is not None:
            out[i] = symbol  # "" is symbol 0 (NIL)
        else:
            to_hash.append(text_to_bytes(string))
            rows.append(i)
    if rows:
        out[rows] = murmurhash64a(to_hash)
    return out


def spacy_string_id(string: str) -> int:
    """spaCy's `StringStore.add(string)` value for one string (see spacy_string_ids)."""
    return int(spacy_string_ids([string])[0])


__all__ = ["murmurhash64a", "spacy_string_ids", "spacy_string_id", "SEED"]
