"""spaCy's string IDs: MurmurHash64A (seed 1) of the UTF-8 text, or a reserved symbol's ID.

A spaCy pipeline keys its vectors table (`vocab/key2row`) by these IDs, while heron's
StringStore hashes with blake2b (tokens/strings.py); io_spacy.py computes the spaCy ID
of every string in the pipeline's strings.json to turn the keys back into words.
MurmurHash64A is Austin Appleby's MurmurHash2.cpp function that the `murmurhash`
package wraps as `hash64`; spaCy calls it with seed 1. Like murmur.py, this runs on
uint64 numpy arrays (which wrap like C), one group of equal-length strings at a time,
so a million strings hash in about a second without a new dependency.
"""
from __future__ import annotations

from typing import Dict, List, Sequence

import numpy as np

from ..tokens.strings import text_to_bytes
from ._spacy_symbols import SPACY_SYMBOLS

_M = np.uint64(0xC6A4A7935BD1E995)
_R = np.uint64(47)
SPACY_HASH_SEED = 1
_SYMBOL_IDS = {name: i for i, name in enumerate(SPACY_SYMBOLS)}


def _hash_same_length(data: np.ndarray, length: int, seed: int) -> np.ndarray:
    """(N,) uint64 MurmurHash64A of N keys of `length` bytes: data (N, padded) uint8,
    zero-padded to a multiple of 8 bytes."""
    words = data.view("<u8").astype(np.uint64, copy=False)  # (N, padded // 8)
    h = np.full(data.shape[0], np.uint64(seed) ^ (np.uint64(length) * _M), dtype=np.uint64)
    n_blocks = length // 8
    for i in range(n_blocks):
        k = words[:, i] * _M
        k ^= k >> _R
        k *= _M
        h ^= k
        h *= _M
    if length & 7:
        # The reference XORs the tail's bytes in one by one (byte j shifted by 8 * j);
        # the zero-padded little-endian word holds exactly that value.
        h ^= words[:, n_blocks]
        h *= _M
    h ^= h >> _R
    h *= _M
    h ^= h >> _R
    return h


def murmurhash64a(keys: Sequence[bytes], seed: int = SPACY_HASH_SEED) -> np.ndarray:
    """(N,) uint64: MurmurHash64A of each byte string (the `murmurhash` package's hash64)."""
    out = np.zeros(len(keys), dtype=np.uint64)
    by_length: Dict[int, List[int]] = {}
    for i, key in enumerate(keys):
        by_length.setdefault(len(key), []).append(i)
    with np.errstate(over="ignore"):
        for length, members in by_length.items():
            padded = (length // 8 + 1) * 8  # room for a zero-padded tail word
            data = np.zeros((len(members), padded), dtype=np.uint8)
            if length:
                data[:, :length] = np.frombuffer(b"".join(keys[i] for i in members),
                                                 dtype=np.uint8).reshape(len(members), length)
            out[members] = _hash_same_length(data, length, seed)
    return out


def spacy_string_ids(texts: Sequence[str]) -> np.ndarray:
    """(N,) uint64: spaCy's `get_string_id` of each text ("" is 0, symbols their ID)."""
    ids = murmurhash64a([text_to_bytes(t) for t in texts])
    for i, text in enumerate(texts):
        symbol = _SYMBOL_IDS.get(text)
        if symbol is not None:  # "" is symbol 0
            ids[i] = symbol
    return ids


__all__ = ["murmurhash64a", "spacy_string_ids", "SPACY_HASH_SEED"]
