"""Hashed-subword vectors: which table rows make up the vector of any string.

Three schemes share one code path (a word's vector is the mean over its "entries" of
the summed rows each entry hashes to):

- "floret": entries = the word itself + its character n-grams of `bow + word + eow`
  (lengths minn..maxn); each entry picks `hash_count` rows (1-4) from one seeded
  128-bit blake2b digest, mod n_rows. Every string, seen or not, gets a vector, so a
  table of 50k-200k rows covers an open vocabulary. (Same idea as floret; the hash is
  heron's own, so tables exported by the `floret` tool are not bit-compatible.)
- "fasttext": fastText's own scheme, used for models imported from a fastText `.bin`:
  entries = the word's own row (if it is in the model's vocabulary) + its n-grams of
  "<word>", each hashed with fastText's FNV-1a over UTF-8 bytes into `bucket` rows
  after the `n_words` word rows. Vectors of unseen words equal what fastText computes.
- "spacy_floret": the floret tool's and spaCy's `Vectors(mode="floret")` scheme, for
  tables read from a `.floret` file: entries = `bow + word + eow` itself + all its
  n-grams of minn..maxn characters (code points; none skipped), each hashed with
  MurmurHash3_x64_128 of its UTF-8 bytes (seed `seed`, floret's hash_seed) into
  `hash_count` of the digest's four 32-bit keys, mod n_rows; the vector is the mean of
  ALL those rows (spaCy's reduce_mean), so every word gets exactly spaCy's vector.

Row lists are cached per string (bounded), so a word's n-grams are hashed once.
"""
from __future__ import annotations

from hashlib import blake2b
from typing import Dict, List, Sequence, Tuple

import numpy as np

from ..tokens.strings import text_to_bytes  # lone surrogates hash too (surrogatepass)
from .murmur import murmurhash3_keys32

_FNV_OFFSET = np.uint32(2166136261)
_FNV_PRIME = np.uint32(16777619)
_CACHE_MAX = 500_000


def char_ngrams(text: str, minn: int, maxn: int) -> List[str]:
    """All substrings of `text` with minn..maxn characters (code points), in fastText's order.

    fastText skips the 1-character n-grams that are just the bow or eow marker.
    """
    out = []
    n_chars = len(text)
    for i in range(n_chars):
        for n in range(minn, maxn + 1):
            if i + n > n_chars:
                break
            if n == 1 and (i == 0 or i + n == n_chars):
                continue
            out.append(text[i:i + n])
    return out


def floret_entries(word: str, minn: int, maxn: int, bow: str, eow: str) -> List[str]:
    """spaCy's `Vectors._get_ngrams` for floret: the padded word, then each of its
    substrings of minn..maxn code points, shortest first, left to right."""
    padded = f"{bow}{word}{eow}"
    return [padded] + [padded[start:start + size] for size in range(minn, maxn + 1)
                       for start in range(len(padded) - size + 1)]


def fnv1a_batch(strings: Sequence[str]) -> np.ndarray:
    """fastText's 32-bit FNV-1a hash of each string's UTF-8 bytes, vectorised over strings.

    fastText XORs each byte as a *signed* char widened to uint32, so bytes >= 0x80 are
    sign-extended; we do the same so the buckets of non-ASCII n-grams match.
    """
    encoded = [text_to_bytes(s) for s in strings]
    n = len(encoded)
    hashes = np.full(n, _FNV_OFFSET, dtype=np.uint32)
    if not n:
        return hashes
    lengths = np.fromiter((len(b) for b in encoded), dtype=np.int64, count=n)
    width = int(lengths.max())
    padded = np.zeros((n, width), dtype=np.uint8)
    flat = np.frombuffer(b"".join(encoded), dtype=np.uint8)
    cols = np.arange(width)
    padded[cols[None, :] < lengths[:, None]] = flat
    signed = padded.astype(np.int8).astype(np.int32).astype(np.uint32)
    with np.errstate(over="ignore"):
        for j in range(width):
            live = lengths > j
            h = hashes[live] ^ signed[live, j]
            hashes[live] = h * _FNV_PRIME
    return hashes


def seeded_hashes(strings: Sequence[str], seed: int) -> np.ndarray:
    """(N, 4) uint32: a 128-bit blake2b digest of each string, salted with `seed`."""
    salt = int(seed).to_bytes(8, "little", signed=False)
    digests = b"".join(blake2b(text_to_bytes(s), digest_size=16, salt=salt).digest() for s in strings)
    return np.frombuffer(digests, dtype="<u4").reshape(len(strings), 4)


class SubwordRows:
    """Per-string cache of (row indices, divisor) for one table's subword scheme."""

    def __init__(self, *, mode: str, n_rows: int, minn: int, maxn: int, hash_count: int,
                 bow: str, eow: str, seed: int = 0, n_words: int = 0, bucket: int = 0,
                 word_rows: Dict[int, int] | None = None):
        self.mode, self.n_rows, self.minn, self.maxn = mode, n_rows, minn, maxn
        self.hash_count, self.bow, self.eow, self.seed = hash_count, bow, eow, seed
        self.n_words, self.bucket = n_words, bucket
        self.word_rows = word_rows if word_rows is not None else {}
        self._cache: Dict[str, Tuple[np.ndarray, int]] = {}

    def lookup(self, strings: Sequence[str], keys: Sequence[int]) -> List[Tuple[np.ndarray, int]]:
        """(rows, n_entries) per string; the vector is data[rows].sum(0) / n_entries."""
        missing = [i for i, s in enumerate(strings) if s not in self._cache]
        if missing:
            if len(self._cache) + len(missing) > _CACHE_MAX:
                self._cache.clear()
            todo = [strings[i] for i in missing]
            for i, rows in zip(missing, self._compute(todo, [keys[i] for i in missing])):
                self._cache[strings[i]] = rows
        return [self._cache[s] for s in strings]

    def _compute(self, words: List[str], keys: List[int]) -> List[Tuple[np.ndarray, int]]:
        if self.mode == "spacy_floret":
            return self._spacy_floret_rows(words)
        grams = [char_ngrams(f"{self.bow}{w}{self.eow}", self.minn, self.maxn) if self.maxn else []
                 for w in words]
        if self.mode == "fasttext":
            return self._fasttext_rows(words, keys, grams)
        entries = [[w, *g] for w, g in zip(words, grams)]
        flat = [e for ent in entries for e in ent]
        hashed = seeded_hashes(flat, self.seed)[:, : self.hash_count].astype(np.int64) % self.n_rows
        out, start = [], 0
        for ent in entries:
            stop = start + len(ent)
            out.append((hashed[start:stop].ravel(), len(ent)))
            start = stop
        return out

    def _spacy_floret_rows(self, words: List[str]) -> List[Tuple[np.ndarray, int]]:
        # spaCy gives the empty string no rows (a zero vector), not the rows of "<>".
        entries = [floret_entries(w, self.minn, self.maxn, self.bow, self.eow) if w else [] for w in words]
        flat = [text_to_bytes(e) for ent in entries for e in ent]
        rows = murmurhash3_keys32(flat, self.seed)[:, : self.hash_count].astype(np.int64) % self.n_rows
        out, start = [], 0
        for ent in entries:
            stop = start + len(ent)
            # The divisor is the number of rows, not of entries: spaCy averages them all.
            out.append((rows[start:stop].ravel(), (stop - start) * self.hash_count))
            start = stop
        return out

    def _fasttext_rows(self, words, keys, grams) -> List[Tuple[np.ndarray, int]]:
        flat = [g for gs in grams for g in gs]
        buckets = (fnv1a_batch(flat).astype(np.int64) % self.bucket + self.n_words
                   if self.bucket else np.zeros(len(flat), dtype=np.int64))
        out, start = [], 0
        for key, gs in zip(keys, grams):
            stop = start + len(gs) if self.bucket else start
            rows = buckets[start:stop]
            word_row = self.word_rows.get(key)
            if word_row is not None:
                rows = np.concatenate([np.array([word_row], dtype=np.int64), rows])
            out.append((rows, len(rows)))
            start = stop
        return out

    def vectors(self, data: np.ndarray, strings: Sequence[str], keys: Sequence[int]) -> np.ndarray:
        """(N, dim) float32 mean-of-summed-rows vectors; zeros for strings with no entries."""
        # A batch repeats its words ("the", ",", ...): compute each distinct string once.
        index: dict = {}
        inverse = np.fromiter((index.setdefault(s, len(index)) for s in strings), dtype=np.int64,
                              count=len(strings))
        if len(index) < len(strings):
            first = {i: k for k, i in zip(keys, inverse.tolist())}  # any key of each string
            return self.vectors(data, list(index), [first[i] for i in range(len(index))])[inverse]
        result = np.zeros((len(strings), data.shape[1]), dtype=np.float32)
        if not len(strings) or not data.shape[0]:
            return result
        found = self.lookup(strings, keys)
        counts = np.array([len(r) for r, _ in found], dtype=np.int64)
        nonempty = counts > 0
        if not nonempty.any():
            return result
        rows = np.concatenate([r for r, _ in found])
        starts = np.concatenate([[0], np.cumsum(counts)[:-1]])[nonempty]
        sums = np.add.reduceat(np.asarray(data[rows], dtype=np.float32), starts, axis=0)
        divisors = np.array([d for (_, d), ok in zip(found, nonempty) if ok], dtype=np.float32)
        result[nonempty] = sums / divisors[:, None]
        return result
