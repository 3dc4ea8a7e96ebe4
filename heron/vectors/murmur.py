"""MurmurHash3_x64_128 in numpy, vectorised over many strings (floret's n-gram hash).

floret and spaCy's `Vectors(mode="floret")` hash every n-gram's UTF-8 bytes with
Austin Appleby's MurmurHash3_x64_128 (the `murmurhash` package's `hash128_x64`) and
use its two 64-bit halves as four 32-bit row keys. This is the reference algorithm
(SMHasher's MurmurHash3.cpp) with uint64 numpy arrays, whose arithmetic wraps like
C's: strings are grouped by byte length, so each group shares one block count and
one tail length and runs as a handful of array operations, whatever its size.
No new dependency: a batch of 100k n-grams hashes in tens of milliseconds.
"""
from __future__ import annotations

from typing import Dict, List, Sequence

import numpy as np

_C1 = np.uint64(0x87C37B91114253D5)
_C2 = np.uint64(0x4CF5AD432745937F)
_FMIX1 = np.uint64(0xFF51AFD7ED558CCD)
_FMIX2 = np.uint64(0xC4CEB9FE1A85EC53)


def _rotl(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint64(r)) | (x >> np.uint64(64 - r))


def _fmix(k: np.ndarray) -> np.ndarray:
    k = k ^ (k >> np.uint64(33))
    k = k * _FMIX1
    k = k ^ (k >> np.uint64(33))
    k = k * _FMIX2
    return k ^ (k >> np.uint64(33))


def _mix_k1(k1: np.ndarray) -> np.ndarray:
    return _rotl(k1 * _C1, 31) * _C2


def _mix_k2(k2: np.ndarray) -> np.ndarray:
    return _rotl(k2 * _C2, 33) * _C1


def _hash_same_length(data: np.ndarray, length: int, seed: int) -> np.ndarray:
    """(N, 2) uint64 (h1, h2) of N keys of `length` bytes each: data (N, padded) uint8,
    zero-padded to a multiple of 16 bytes."""
    n = data.shape[0]
    words = data.view("<u8").astype(np.uint64, copy=False)  # (N, 2 * blocks): little-endian lanes
    h1 = np.full(n, seed, dtype=np.uint64)
    h2 = np.full(n, seed, dtype=np.uint64)
    n_blocks = length // 16
    for i in range(n_blocks):
        h1 ^= _mix_k1(words[:, 2 * i])
        h1 = _rotl(h1, 27) + h2
        h1 = h1 * np.uint64(5) + np.uint64(0x52DCE729)
        h2 ^= _mix_k2(words[:, 2 * i + 1])
        h2 = _rotl(h2, 31) + h1
        h2 = h2 * np.uint64(5) + np.uint64(0x38495AB5)
    tail = length & 15
    # The tail's bytes sit zero-padded in the next two lanes: reading them as whole
    # little-endian words gives the k1/k2 that the reference builds byte by byte.
    if tail > 8:
        h2 ^= _mix_k2(words[:, 2 * n_blocks + 1])
    if tail > 0:
        h1 ^= _mix_k1(words[:, 2 * n_blocks])
    h1 ^= np.uint64(length)
    h2 ^= np.uint64(length)
    h1 = h1 + h2
    h2 = h2 + h1
    h1, h2 = _fmix(h1), _fmix(h2)
    h1 = h1 + h2
    h2 = h2 + h1
    return np.stack([h1, h2], axis=1)


def murmurhash3_x64_128(keys: Sequence[bytes], seed: int = 0) -> np.ndarray:
    """(N, 2) uint64: MurmurHash3_x64_128 of each byte string, as (h1, h2).

    seed (int): 0 <= seed < 2**32 (the reference takes a uint32 seed).
    The 16-byte digest is h1 then h2, each little-endian; floret's four 32-bit keys are
    h1 & 0xFFFFFFFF, h1 >> 32, h2 & 0xFFFFFFFF, h2 >> 32 (`murmurhash3_keys32`).
    """
    seed = int(seed) & 0xFFFFFFFF
    out = np.zeros((len(keys), 2), dtype=np.uint64)
    by_length: Dict[int, List[int]] = {}
    for i, key in enumerate(keys):
        by_length.setdefault(len(key), []).append(i)
    with np.errstate(over="ignore"):
        for length, members in by_length.items():
            padded = (length // 16 + 1) * 16  # room for a zero-padded tail lane pair
            data = np.zeros((len(members), padded), dtype=np.uint8)
            if length:
                data[:, :length] = np.frombuffer(b"".join(keys[i] for i in members),
                                                 dtype=np.uint8).reshape(len(members), length)
            out[members] = _hash_same_length(data, length, seed)
    return out


def murmurhash3_keys32(keys: Sequence[bytes], seed: int = 0) -> np.ndarray:
    """(N, 4) uint32 per key: the low and high halves of h1, then of h2 (floret's order)."""
    return murmurhash3_x64_128(keys, seed).astype("<u8", copy=False).view("<u4").reshape(len(keys), 4)


__all__ = ["murmurhash3_x64_128", "murmurhash3_keys32"]
