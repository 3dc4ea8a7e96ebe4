"""Reading and writing `Vectors` tables, mixed into `Vectors` (kept out of table.py,
which holds the table and its lookups): `cfg`, `to_disk`/`from_disk`,
`to_bytes`/`from_bytes`, and `load_vectors_table(path)` for a pipeline folder or a bare
table folder.

On disk: `vectors.npy` (memory-mapped read-only on load, so a 2 GB table costs no RAM
until rows are touched), `key2row.npy` (structured uint64 key / int32 row) and
`cfg.json`. Writes are atomic (a temp sibling folder renamed into place). Bytes are
msgpack; nothing is pickled.
"""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Dict, Iterable, Optional, Tuple, cast

import numpy as np

from ..errors import Errors, HeronValueError
from ..util import PathLike, atomic_output_dir, ensure_path

if TYPE_CHECKING:
    from .table import Vectors

# Defined here, where the formats are read and checked; table.py re-exports both.
MODES = ("default", "floret", "fasttext", "spacy_floret")  # the modes a cfg.json may name
KEY2ROW_DTYPE = np.dtype([("key", "<u8"), ("row", "<i4")])  # a record of key2row.npy


class VectorsIOMixin:
    """`Vectors`' serialisation methods (the state they read and set is Vectors')."""

    data: Any
    _key2row: Dict[int, int]
    _next_row: int
    name: Optional[str]
    mode: str
    minn: int
    maxn: int
    hash_count: int
    bow: str
    eow: str
    seed: int
    n_words: int
    bucket: int

    if TYPE_CHECKING:  # Vectors' own members, used below
        @property
        def shape(self) -> Tuple[int, int]: ...

        def _reset_caches(self) -> None: ...

    def cfg(self) -> dict:
        return {"name": self.name, "mode": self.mode, "shape": list(self.shape), "minn": self.minn,
                "maxn": self.maxn, "hash_count": self.hash_count, "bow": self.bow, "eow": self.eow,
                "seed": self.seed, "n_words": self.n_words, "bucket": self.bucket}

    def to_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
        """Write vectors.npy, key2row.npy and cfg.json into folder `path`, atomically."""
        items = np.fromiter(self._key2row.items(), dtype=KEY2ROW_DTYPE, count=len(self._key2row))
        with atomic_output_dir(path) as tmp:
            np.save(tmp / "vectors.npy", np.asarray(self.data, dtype=np.float32), allow_pickle=False)
            np.save(tmp / "key2row.npy", items, allow_pickle=False)
            (tmp / "cfg.json").write_text(json.dumps(self.cfg(), indent=2), encoding="utf8")

    def from_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> "Vectors":
        """Load a folder written by to_disk; vectors.npy is memory-mapped read-only."""
        path = ensure_path(path)
        try:
            cfg = json.loads((path / "cfg.json").read_text(encoding="utf8"))
            data = np.load(path / "vectors.npy", mmap_mode="r", allow_pickle=False)
            items = np.load(path / "key2row.npy", allow_pickle=False)
            keys, rows = items["key"], items["row"]
        except (OSError, ValueError, KeyError, TypeError, IndexError) as e:
            raise HeronValueError(Errors.E604.format(path=path, detail=f"{type(e).__name__}: {e}")) from None
        return self._set_state(cfg, data, keys, rows, path)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """msgpack {cfg, the float32 matrix, the uint64 keys and int32 rows} (no pickle)."""
        import msgpack

        items = np.fromiter(self._key2row.items(), dtype=KEY2ROW_DTYPE, count=len(self._key2row))
        data = np.ascontiguousarray(self.data, dtype=np.float32)
        return msgpack.packb({"cfg": self.cfg(), "shape": list(data.shape), "data": data.tobytes(),
                              "keys": items["key"].astype("<u8").tobytes(),
                              "rows": items["row"].astype("<i4").tobytes()}, use_bin_type=True)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "Vectors":
        import msgpack

        try:
            msg = msgpack.unpackb(data, raw=False)
            shape = tuple(int(n) for n in msg["shape"])
            matrix = np.frombuffer(msg["data"], dtype="<f4").reshape(shape).astype(np.float32)
            keys = np.frombuffer(msg["keys"], dtype="<u8")
            rows = np.frombuffer(msg["rows"], dtype="<i4")
            cfg = dict(msg["cfg"])
        except (ValueError, KeyError, TypeError, msgpack.UnpackException) as e:
            raise HeronValueError(Errors.E604.format(path="bytes", detail=f"{type(e).__name__}: {e}")) from None
        if len(keys) != len(rows):
            raise HeronValueError(Errors.E604.format(path="bytes", detail="keys and rows differ in length"))
        return self._set_state(cfg, matrix, keys, rows, "bytes")

    def _set_state(self, cfg: dict, data: np.ndarray, keys: np.ndarray, rows: np.ndarray, path: object) -> "Vectors":
        if data.ndim != 2 or data.dtype != np.float32 or (len(rows) and int(rows.max()) >= data.shape[0]):
            raise HeronValueError(Errors.E604.format(path=path, detail=f"matrix {data.shape} {data.dtype} "
                                                     "does not match key2row.npy"))
        if cfg.get("mode", "default") not in MODES:
            raise HeronValueError(Errors.E603.format(mode=cfg.get("mode")))
        for attr in ("name", "mode", "minn", "maxn", "hash_count", "bow", "eow", "seed", "n_words", "bucket"):
            if attr in cfg:
                setattr(self, attr, cfg[attr])
        self.data = data
        self._key2row = dict(zip(keys.tolist(), rows.tolist()))
        self._next_row = int(rows.max()) + 1 if len(rows) else 0
        self._reset_caches()
        return cast("Vectors", self)


def load_vectors_table(path: PathLike, *, strings=None) -> "Vectors":
    """Read a vectors table from a pipeline folder (PATH/vocab/vectors, its strings loaded
    too) or from a bare folder written by Vectors.to_disk."""
    from .table import Vectors  # here, not at the top: table.py imports this module

    path = ensure_path(path)
    if (path / "vocab" / "vectors" / "cfg.json").exists():
        if strings is None:
            from ..tokens.strings import StringStore

            strings = StringStore()
        if (path / "vocab" / "strings.json").exists():
            strings.from_disk(path / "vocab" / "strings.json")
        return Vectors(strings=strings).from_disk(path / "vocab" / "vectors")
    if not (path / "cfg.json").exists():
        raise HeronValueError(Errors.E604.format(path=path, detail="no cfg.json here nor in vocab/vectors/"))
    return Vectors(strings=strings).from_disk(path)
