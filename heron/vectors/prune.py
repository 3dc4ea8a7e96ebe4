"""Prune a vectors table to its first N rows, remapping the other keys (spaCy's prune_vectors).

Files from word2vec/GloVe/fastText list words most frequent first, so "the first N rows"
are the N most frequent words. Every other word keeps a vector: its key is pointed at
the kept row with the highest cosine similarity, found with batched matrix products
(memory per batch: batch_size * N floats).
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from ..errors import Errors, HeronValueError


def prune_table(vectors, n_rows: int, *, batch_size: int = 1024) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Shrink `vectors` (default mode) to `n_rows` rows in place.

    Returns (removed_keys uint64, kept_keys uint64, scores float32): one entry per key
    that pointed at a dropped row, with the key of the kept row it now points at and
    the cosine similarity between the two original vectors.
    """
    if vectors.mode != "default":
        raise HeronValueError(Errors.E616.format(
            option="--prune", value=n_rows, detail=f"a {vectors.mode} table hashes n-grams into all its rows",
            fix="prune only default-mode tables (word -> row)."))
    if n_rows < 1:
        raise HeronValueError(Errors.E616.format(option="--prune", value=n_rows, detail="must be >= 1",
                                                 fix="pass the number of rows to keep, e.g. --prune 20000."))
    total = vectors.shape[0]
    if n_rows >= total:
        empty = np.zeros(0, dtype=np.uint64)
        return empty, empty, np.zeros(0, dtype=np.float32)
    dropped = np.arange(n_rows, total)
    keys, rows, scores = vectors.most_similar(np.asarray(vectors.data[n_rows:], dtype=np.float32), n=1,
                                              batch_size=batch_size, rows=np.arange(n_rows))
    new_row = np.full(total, -1, dtype=np.int64)
    new_row[dropped] = rows[:, 0]
    new_score = np.zeros(total, dtype=np.float32)
    new_score[dropped] = scores[:, 0]
    row2key = vectors.row2key()
    removed, targets, sims = [], [], []
    for key, row in vectors.key2row.items():
        if row >= n_rows:
            removed.append(key)
            targets.append(int(new_row[row]))
            sims.append(new_score[row])
    vectors.resize((n_rows, vectors.dim))  # drops the keys of removed rows ...
    for key, target in zip(removed, targets):  # ... which now point at their nearest kept row
        vectors.key2row[key] = target
    vectors._reset_caches()
    kept = row2key[np.array(targets, dtype=np.int64)] if targets else []
    return (np.array(removed, dtype=np.uint64), np.array(kept, dtype=np.uint64),
            np.array(sims, dtype=np.float32))
