"""Docs -> hashed n-gram rows for bag-of-n-grams models (heron.TextCatBOW.v3).

    keys, offsets = ngram_rows(docs, ngram_size=2, n_rows=262144)
    # keys (M,) int64 in [0, n_rows): two rows for every unigram and bigram of each doc, doc by doc
    # offsets (B,) int64: where each doc's keys start (torch.nn.EmbeddingBag's layout)

Built for speed (a BOW classifier is expected to run at tens of thousands of short
texts per second): the tokens' LOWER hashes come from featurize's per-Vocab lexical
table (one dict lookup per token, in C), and the n-gram hashes, the validity mask (no
n-gram crosses a document boundary) and the offsets are computed for the whole batch at
once in numpy, with no Python loop over tokens or documents beyond collecting words.

Hashes: a unigram is its LOWER hash; an n-gram folds the next token's hash in with a
multiply-add; every key then goes through splitmix64's finaliser (so nearby hashes
spread over the table) and is reduced modulo `n_rows`, twice: once as is and once xor'd
with a second seed, so each n-gram has two rows (see ngram_rows). Stable across processes.
"""
from __future__ import annotations

from itertools import chain
from typing import Any, Sequence, Tuple

import numpy as np

from ..tokens.attrs import LOWER
from .tokens import _get_table, _words

_FOLD = np.uint64(0x9E3779B97F4A7C15)  # golden-ratio multiplier: n-gram ("a b") != ("b a")
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_SEED2 = np.uint64(0xD6E8FEB86659FD93)  # xor'd into an n-gram's hash for its second row
ROWS_PER_GRAM = 2


def _mix(h: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser, vectorised (uint64 arithmetic wraps, as intended)."""
    h = (h ^ (h >> np.uint64(30))) * _MIX1
    h = (h ^ (h >> np.uint64(27))) * _MIX2
    return h ^ (h >> np.uint64(31))


def lower_ids(docs: Sequence[Any]) -> Tuple[np.ndarray, np.ndarray]:
    """(ids (N,) uint64 LOWER hashes of every token, doc by doc; lengths (B,) int64)."""
    lengths = np.fromiter((len(doc) for doc in docs), dtype=np.int64, count=len(docs))
    vocabs = {id(doc.vocab) for doc in docs}
    if not int(lengths.sum()):
        return np.zeros(0, dtype=np.uint64), lengths
    if len(vocabs) == 1:
        return _lookup(docs[0].vocab, list(chain.from_iterable(_words(doc) for doc in docs))), lengths
    # Docs of several pipelines in one batch: rare, so one lookup per doc.
    return np.concatenate([_lookup(doc.vocab, list(_words(doc))) for doc in docs]), lengths


def _lookup(vocab: Any, words: list) -> np.ndarray:
    table = _get_table(vocab, (LOWER,), 0)
    index = table.lookup(vocab, words)  # first: a lookup of new words may replace table.rows
    return table.rows[index, 0]


def ngram_rows(docs: Sequence[Any], *, ngram_size: int, n_rows: int) -> Tuple[np.ndarray, np.ndarray]:
    """(keys (M,) int64 table rows, ROWS_PER_GRAM for every 1..ngram_size-gram, doc by doc;
    offsets (B,) int64).

    A document without tokens gets an empty bag (its offset equals the next one's).
    """
    ids, lengths = lower_ids(list(docs))
    n = len(ids)
    doc_start = np.repeat(np.cumsum(lengths) - lengths, lengths)  # (N,) first token of each token's doc
    room = np.repeat(lengths, lengths) - (np.arange(n) - doc_start)  # (N,) tokens from here to the doc's end
    hashes = np.empty((n, ngram_size), dtype=np.uint64)  # (N, n): the k-gram starting at each token
    valid = np.empty((n, ngram_size), dtype=bool)
    current = ids.copy()
    for k in range(ngram_size):  # a loop over n-gram sizes (1-3 in practice), not tokens
        if k:
            nxt = np.zeros(n, dtype=np.uint64)
            nxt[: n - k] = ids[k:]
            current = current * _FOLD + nxt
        hashes[:, k] = current
        valid[:, k] = room > k
    # Row-major over (token, size) keeps each doc's keys contiguous, as EmbeddingBag needs.
    grams = hashes[valid]
    # Two rows per n-gram (thinc's SparseLinear hashes each key twice): a collision then
    # shares one of a feature's two weights, not its only one, and each feature moves twice
    # as fast under Adam (whose step per weight is ~learn_rate whatever the gradient's
    # size). With one row, the default learn rate 0.001 left the BOW far behind spaCy's
    # on GoEmotions after 3,000 steps (dev macro AUC 69.8 against 73.9; two rows: 78).
    both = np.stack([_mix(grams), _mix(grams ^ _SEED2)], axis=1).reshape(-1)  # (2M,) per gram
    keys = (both % np.uint64(n_rows)).astype(np.int64)
    per_doc = np.zeros(len(lengths) + 1, dtype=np.int64)
    per_token = ROWS_PER_GRAM * valid.sum(axis=1)
    ends = np.cumsum(lengths)
    per_doc[1:] = np.concatenate([[0], np.cumsum(per_token)])[ends]
    return keys, per_doc[:-1]


__all__ = ["ngram_rows", "lower_ids"]
