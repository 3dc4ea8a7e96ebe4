"""Vectors: string-hash keys -> rows of one float32 matrix (spaCy's `Vectors`).

Modes:
- "default": a key has a vector only if it was added; several keys may share a row
  (that is what `prune` does). Missing keys give zeros in `get_batch`.
- "floret": every string has a vector, built from hashed character n-grams (see
  floret.py); the table has no keys, only rows.
- "fasttext": an imported fastText `.bin` model: word rows + n-gram buckets, with
  fastText's own hashing, so vectors of unseen words equal fastText's.
- "spacy_floret": a table exported by the floret tool (`.floret` text file) or used by
  spaCy's `Vectors(mode="floret")`: MurmurHash3 n-gram rows, so every word gets the
  vector spaCy gives it (`seed` holds floret's hash_seed).

This module holds the table, its lookups, editing and `most_similar`. Saving and
loading (`to_disk`/`from_disk`, `to_bytes`/`from_bytes`, `load_vectors_table`, the
on-disk format) are in _table_io.py, mixed in as `VectorsIOMixin` and re-exported here.
"""
from __future__ import annotations

from typing import Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from ..errors import Errors, HeronKeyError, HeronTypeError, HeronValueError
from ..tokens.strings import get_string_id
from ._table_io import (  # serialisation (see its docstring); re-exported here
    KEY2ROW_DTYPE,
    MODES,
    VectorsIOMixin,
    load_vectors_table,  # noqa: F401  (re-exported: heron.vectors.table.load_vectors_table)
)
from .floret import SubwordRows

Key = Union[str, int]


class Vectors(VectorsIOMixin):
    """A table of word vectors keyed by 64-bit string hashes.

    strings (StringStore | None): strings to add keys' texts to (and to turn hashes back
        into text in the subword modes). nlp.vocab.vectors shares nlp.vocab.strings.
    shape ((n_rows, dim)): an all-zero table with every row free, or
    data (array (n_rows, dim)): the matrix (kept as float32, not copied if it already is);
    keys (list of str|int): keys[i] -> row i; fewer keys than rows is fine.
    name (str | None): recorded in cfg.json; pipelines trained with vectors check it.
    mode ("default" | "floret" | "fasttext" | "spacy_floret"): see the module docstring.
    minn, maxn (int): character n-gram lengths of the subword modes (maxn 0: none).
    hash_count (int, 1-4): rows each floret entry sums; more = fewer collisions.
    bow, eow (str): markers added around a word before taking n-grams.
    seed (int): the hash seed of the floret modes (spacy_floret: floret's hash_seed).
    """

    def __init__(self, *, strings=None, shape: Optional[Tuple[int, int]] = None,
                 data: Optional[np.ndarray] = None, keys: Optional[Sequence[Key]] = None,
                 name: Optional[str] = None, mode: str = "default", minn: int = 5, maxn: int = 5,
                 hash_count: int = 2, bow: str = "<", eow: str = ">", seed: int = 0,
                 n_words: int = 0, bucket: int = 0):
        if mode not in MODES:
            raise HeronValueError(Errors.E603.format(mode=mode))
        if data is not None and shape is not None:
            raise HeronValueError(Errors.E600.format(detail="got both shape= and data="))
        if data is None:
            data = np.zeros(tuple(shape) if shape is not None else (0, 0), dtype=np.float32)
        data = data if isinstance(data, np.memmap) and data.dtype == np.float32 else np.asarray(data, dtype=np.float32)
        if data.ndim != 2:
            raise HeronValueError(Errors.E600.format(detail=f"data must be 2-d, got shape {data.shape}"))
        if not 1 <= hash_count <= 4 or minn < 0 or maxn < 0 or (maxn and minn > maxn):
            raise HeronValueError(Errors.E600.format(
                detail=(f"minn={minn}, maxn={maxn}, hash_count={hash_count}: "
                        "need 0 < minn <= maxn and 1 <= hash_count <= 4")))
        self.strings = strings
        self.name, self.mode = name, mode
        self.minn, self.maxn, self.hash_count, self.bow, self.eow = minn, maxn, hash_count, bow, eow
        self.seed, self.n_words, self.bucket = seed, n_words, bucket
        self.data = data
        self._key2row: Dict[int, int] = {}
        self._reset_caches()
        keys = list(keys) if keys is not None else []
        if len(keys) > self.data.shape[0]:
            raise HeronValueError(Errors.E600.format(detail=f"{len(keys)} keys for {self.data.shape[0]} rows"))
        for row, key in enumerate(keys):
            self._key2row.setdefault(self._as_key(key), row)
        self._next_row = len(keys)

    # ---- basics -----------------------------------------------------------
    @property
    def shape(self) -> Tuple[int, int]:
        return tuple(self.data.shape)  # type: ignore[return-value]

    @property
    def dim(self) -> int:
        return int(self.data.shape[1])

    @property
    def size(self) -> int:
        return int(self.data.size)

    @property
    def n_keys(self) -> int:
        return len(self._key2row)

    @property
    def is_full(self) -> bool:
        return self._next_row >= self.data.shape[0]

    @property
    def key2row(self) -> Dict[int, int]:
        return self._key2row

    def __len__(self) -> int:
        return int(self.data.shape[0])

    def __repr__(self) -> str:
        return f"<Vectors name={self.name!r} mode={self.mode} shape={self.shape} keys={self.n_keys}>"

    def _reset_caches(self) -> None:
        self._sorted: Optional[Tuple[np.ndarray, np.ndarray]] = None
        self._unit: Optional[np.ndarray] = None
        self._row2key: Optional[np.ndarray] = None
        self._subwords: Optional[SubwordRows] = None

    def _as_key(self, key: Key) -> int:
        if isinstance(key, str):
            return self.strings.add(key) if self.strings is not None else get_string_id(key)
        if isinstance(key, (int, np.integer)):
            return int(key)
        raise HeronTypeError(Errors.E001.format(value=repr(key)[:80], type=type(key).__name__))

    @staticmethod
    def _key_of(key: Key) -> int:
        """The hash of `key` without adding it to the strings (lookups must not grow them)."""
        if isinstance(key, str):
            return get_string_id(key)
        if isinstance(key, (int, np.integer)):
            return int(key)
        raise HeronTypeError(Errors.E001.format(value=repr(key)[:80], type=type(key).__name__))

    def _text(self, key: Key, method: str) -> str:
        if isinstance(key, str):
            return key
        if self.strings is None or int(key) not in self.strings:
            raise HeronKeyError(Errors.E606.format(method=method, key=key))
        return self.strings[int(key)]

    @property
    def subwords(self) -> SubwordRows:
        if self._subwords is None:
            self._subwords = SubwordRows(
                mode=self.mode, n_rows=max(1, self.data.shape[0]), minn=self.minn, maxn=self.maxn,
                hash_count=self.hash_count, bow=self.bow, eow=self.eow, seed=self.seed,
                n_words=self.n_words, bucket=self.bucket, word_rows=self._key2row)
        return self._subwords

    # ---- lookup -----------------------------------------------------------
    def __contains__(self, key: Key) -> bool:
        if self.mode == "default":
            try:
                return self._key_of(key) in self._key2row
            except HeronTypeError:
                return False
        if isinstance(key, str):
            return True
        return self._key_of(key) in self._key2row or (self.strings is not None and key in self.strings)

    def __getitem__(self, key: Key) -> np.ndarray:
        """The vector of `key` (dim,). Default mode: KeyError (E601) if it has none."""
        if self.mode != "default":
            text = self._text(key, "__getitem__")
            return self.subwords.vectors(self.data, [text], [get_string_id(text)])[0]
        row = self._key2row.get(self._key_of(key))
        if row is None:
            raise HeronKeyError(Errors.E601.format(key=key, n_keys=self.n_keys, mode=self.mode))
        return self.data[row]

    def __setitem__(self, key: Key, vector) -> None:
        """Set the vector of an existing key, or add the key to the next free row."""
        k = self._as_key(key)
        if k in self._key2row:
            self._writable()[self._key2row[k]] = self._check_vector(key, vector)
            self._reset_caches()
        else:
            self.add(key, vector=vector)

    def get(self, key: Key, default=None):
        try:
            return self[key]
        except (HeronKeyError, KeyError):
            return default

    def find(self, *, key: Key) -> int:
        """The row of `key`, or -1 if it has none."""
        return self._key2row.get(self._key_of(key), -1)

    def get_batch(self, keys) -> np.ndarray:
        """(N, dim) float32 vectors of `keys` (strs or uint64 hashes); zeros for missing keys.

        Default mode looks all keys up at once with a sorted key array (np.searchsorted),
        so a training batch of thousands of tokens costs a few vectorised calls.
        Subword modes need the texts: pass strs (hashes are looked up in `strings`).
        """
        if self.mode != "default":
            texts = [self._text(k, "get_batch") for k in keys]
            # get_string_id, not strings.add: looking words up must not grow the StringStore
            return self.subwords.vectors(self.data, texts, [get_string_id(t) for t in texts])
        arr = self._key_array(keys)
        rows = self._rows_of(arr)
        out = np.zeros((len(arr), self.dim), dtype=np.float32)
        found = rows >= 0
        if found.any():
            out[found] = self.data[rows[found]]
        return out

    def _key_array(self, keys) -> np.ndarray:
        if isinstance(keys, np.ndarray) and keys.dtype.kind in "ui":
            return keys.astype(np.uint64, copy=False).ravel()
        return np.fromiter((get_string_id(k) if isinstance(k, str) else int(k) for k in keys),
                           dtype=np.uint64, count=len(keys))

    def _rows_of(self, keys: np.ndarray) -> np.ndarray:
        """Row per uint64 key, -1 where missing."""
        if self._sorted is None:
            items = np.fromiter(self._key2row.items(), dtype=KEY2ROW_DTYPE, count=len(self._key2row))
            order = np.argsort(items["key"], kind="stable")
            self._sorted = (items["key"][order], items["row"][order].astype(np.int64))
        skeys, srows = self._sorted
        if not len(skeys):
            return np.full(len(keys), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(skeys, keys), len(skeys) - 1)
        return np.where(skeys[pos] == keys, srows[pos], -1)

    def keys(self) -> List[int]:
        return list(self._key2row)

    def rows(self) -> List[int]:
        """Row of each key, in key order (rows repeat where keys share a row)."""
        return list(self._key2row.values())

    def values(self) -> Iterator[np.ndarray]:
        for row in sorted(set(self._key2row.values())):
            yield self.data[row]

    def items(self) -> Iterator[Tuple[int, np.ndarray]]:
        for key, row in self._key2row.items():
            yield key, self.data[row]

    def __iter__(self) -> Iterator[int]:
        return iter(self._key2row)

    # ---- editing ----------------------------------------------------------
    def _writable(self) -> np.ndarray:
        if not self.data.flags.writeable or isinstance(self.data, np.memmap):
            self.data = np.array(self.data, dtype=np.float32)  # copy-on-write of a memmap
        return self.data

    def _check_vector(self, key, vector) -> np.ndarray:
        vec = np.asarray(vector, dtype=np.float32)
        if vec.shape != (self.dim,):
            raise HeronValueError(Errors.E605.format(key=key, got=vec.shape, dim=self.dim))
        return vec

    def add(self, key: Key, *, vector=None, row: Optional[int] = None) -> int:
        """Map `key` to `row` (existing row, e.g. to share it) or to the next free row, and
        optionally set that row to `vector`. Returns the row. A full table raises E602."""
        k = self._as_key(key)
        if row is None:
            if vector is None and k in self._key2row:
                return self._key2row[k]
            row = self._key2row.get(k)
            if row is None:
                if self._next_row >= self.data.shape[0]:
                    raise HeronValueError(Errors.E602.format(
                        key=key, detail=f"all {self.data.shape[0]} rows are used",
                        fix="call vectors.resize((n_rows, dim)) with more rows first."))
                row = self._next_row
        if not 0 <= row < self.data.shape[0]:
            raise HeronValueError(Errors.E602.format(
                key=key, detail=f"row {row} is outside 0..{self.data.shape[0] - 1}",
                fix="pass a row of the table, or no row to use the next free one."))
        if vector is not None:
            self._writable()[row] = self._check_vector(key, vector)
        self._key2row[k] = row
        self._next_row = max(self._next_row, row + 1)
        self._reset_caches()
        return row

    def resize(self, shape: Tuple[int, int]) -> List[Tuple[int, int]]:
        """Grow or shrink to `shape` (new cells are zeros). Keys of dropped rows are removed;
        returns their (key, old_row) pairs, like spaCy."""
        n_rows, dim = map(int, shape)
        new = np.zeros((n_rows, dim), dtype=np.float32)
        rows, cols = min(n_rows, self.data.shape[0]), min(dim, self.data.shape[1])
        new[:rows, :cols] = self.data[:rows, :cols]
        self.data = new
        removed = [(k, r) for k, r in self._key2row.items() if r >= n_rows]
        for k, _ in removed:
            del self._key2row[k]
        self._next_row = min(self._next_row, n_rows)
        self._reset_caches()
        return removed

    def clear(self) -> None:
        self._key2row.clear()
        self._next_row = 0
        self._reset_caches()

    def prune(self, n_rows: int, *, batch_size: int = 1024) -> Dict[int, Tuple[int, float]]:
        """Keep the first `n_rows` rows; map every other key to its most similar kept row.
        Returns {removed_key: (kept_key, similarity)} (spaCy's prune_vectors)."""
        from .prune import prune_table

        removed_keys, kept_keys, scores = prune_table(self, n_rows, batch_size=batch_size)
        return {int(k): (int(kk), float(s)) for k, kk, s in zip(removed_keys, kept_keys, scores)}

    # ---- similarity -------------------------------------------------------
    def row2key(self) -> np.ndarray:
        """uint64 key per row (the first key added for it; 0 for rows with no key)."""
        if self._row2key is None:
            out = np.zeros(self.data.shape[0], dtype=np.uint64)
            for key, row in reversed(list(self._key2row.items())):
                out[row] = key
            self._row2key = out
        return self._row2key

    def _unit_rows(self) -> np.ndarray:
        if self._unit is None:
            data = np.asarray(self.data, dtype=np.float32)
            norms = np.linalg.norm(data, axis=1, keepdims=True)
            self._unit = data / np.where(norms > 0, norms, 1.0)
        return self._unit

    def most_similar(self, queries, *, n: int = 1, batch_size: int = 1024,
                     rows: Optional[np.ndarray] = None) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Top-`n` rows by cosine similarity for each query vector (batched matmul).

        queries: (N, dim) array. rows: optional subset of candidate rows.
        Returns (keys uint64 (N, n), rows int (N, n), scores float32 (N, n)), best first.
        Memory per batch is batch_size * n_candidates floats.
        """
        q = np.asarray(queries, dtype=np.float32)
        if q.ndim == 1:
            q = q[None, :]
        unit = self._unit_rows() if rows is None else self._unit_rows()[rows]
        if q.ndim != 2 or q.shape[1] != self.dim or not len(unit):
            raise HeronValueError(Errors.E607.format(got=q.shape, dim=self.dim,
                                                     detail=f"the table has {len(unit)} candidate rows"))
        import torch  # matmul + topk: several times faster than numpy's argpartition

        n = max(1, min(int(n), len(unit)))
        qn = q / np.where((norm := np.linalg.norm(q, axis=1, keepdims=True)) > 0, norm, 1.0)
        qn = qn.astype(np.float32, copy=False)
        unit_t = torch.from_numpy(np.ascontiguousarray(unit))
        best_rows = np.zeros((len(q), n), dtype=np.int64)
        best_scores = np.zeros((len(q), n), dtype=np.float32)
        step = max(1, batch_size)
        with torch.no_grad():
            for start in range(0, len(q), step):
                sims = torch.from_numpy(np.ascontiguousarray(qn[start:start + step])) @ unit_t.T
                scores, top = torch.topk(sims, n, dim=1, largest=True, sorted=True)
                best_rows[start:start + step] = top.numpy()
                best_scores[start:start + step] = scores.numpy()
        if rows is not None:
            best_rows = np.asarray(rows)[best_rows]
        return self.row2key()[best_rows], best_rows, np.clip(best_scores, -1.0, 1.0)
