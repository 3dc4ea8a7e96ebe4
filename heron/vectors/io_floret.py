"""Read a `.floret` table: the text file floret exports (`model.save_floret_vectors`).

Layout (floret's fasttext.cc `saveFloretVectors`; read the same way as spaCy's
`spacy init vectors --mode floret`):

    bucket dim minn maxn hash_count hash_seed bow eow      <- header line
    0 v1 v2 ... v_dim                                      <- one row per hash bucket,
    1 v1 v2 ... v_dim                                         `bucket` rows in order

The first field of a row is its bucket number; as in spaCy, rows are taken in file
order (the field is not a word: a floret table has no words, every string's vector is
built from hashed n-grams). The result is a "spacy_floret" table (floret.py), whose
vectors equal spaCy's for every word. Every malformed line stops the read with a coded
error naming `file:line` (E619 for the header, E612 for rows).
"""
from __future__ import annotations

from pathlib import Path
from typing import List, Tuple

import numpy as np

from ..errors import Errors, HeronError
from .io import ReadResult, _parse_numbers, open_binary

HEADER_FIELDS = ("bucket", "dim", "minn", "maxn", "hash_count", "hash_seed", "bow", "eow")
_CHUNK = 2048


def is_floret_header(fields: List[str]) -> bool:
    """8 fields, the first 6 of them unsigned integers: a floret header, not a word row."""
    return len(fields) == len(HEADER_FIELDS) and all(f.isdigit() for f in fields[:6])


def _decode(path: Path, lineno: int, raw: bytes) -> str:
    try:
        return raw.decode("utf8")
    except UnicodeDecodeError as e:
        raise HeronError(Errors.E612.format(
            path=path, line=lineno, detail=f"not UTF-8 text ({e.reason} at byte {e.start})",
            fix="re-export the table with floret's model.save_floret_vectors.")) from None


def parse_floret_header(path: Path, line: str) -> dict:
    """The Vectors() settings of a floret header line (E619 if it is not one)."""
    fields = line.split()
    if len(fields) != len(HEADER_FIELDS):
        raise HeronError(Errors.E619.format(path=path, header=line[:80], detail=(
            f"{len(fields)} fields, expected {len(HEADER_FIELDS)} ({' '.join(HEADER_FIELDS)})")))
    bad = [name for name, value in zip(HEADER_FIELDS[:6], fields) if not value.isdigit()]
    if bad:
        raise HeronError(Errors.E619.format(path=path, header=line[:80],
                                            detail=f"{', '.join(bad)} must be unsigned integers"))
    bucket, dim, minn, maxn, hash_count, seed = (int(v) for v in fields[:6])
    problems = [detail for failed, detail in (
        (bucket < 1, f"bucket = {bucket}: the table needs at least one row"),
        (dim < 1, f"dim = {dim}: rows need at least one value"),
        (minn > maxn, f"minn = {minn} > maxn = {maxn}"),
        (not 1 <= hash_count <= 4, f"hash_count = {hash_count}: floret uses 1 to 4 of the hash's 32-bit keys"),
        (seed >= 1 << 32, f"hash_seed = {seed} does not fit the hash's 32-bit seed"),
    ) if failed]
    if problems:
        raise HeronError(Errors.E619.format(path=path, header=line[:80], detail="; ".join(problems)))
    return {"mode": "spacy_floret", "shape": (bucket, dim), "minn": minn, "maxn": maxn,
            "hash_count": hash_count, "seed": seed, "bow": fields[6], "eow": fields[7]}


def read_floret(path: Path, *, progress: bool = False) -> ReadResult:
    """Read a `.floret` table into a ReadResult (no words; cfg holds the floret settings)."""
    from tqdm import tqdm

    with open_binary(path) as f:
        header = _decode(path, 1, f.readline()).lstrip("\ufeff").strip()
        cfg = parse_floret_header(path, header)
        bucket, dim = cfg.pop("shape")
        data = np.zeros((bucket, dim), dtype=np.float32)
        n_rows = 0
        pending: List[Tuple[int, str, str]] = []
        with tqdm(total=bucket, unit=" rows", disable=not progress, mininterval=0.5) as bar:
            for lineno, raw in enumerate(f, 2):
                line = _decode(path, lineno, raw).rstrip()  # floret ends each row with a space
                if not line:
                    continue
                if n_rows + len(pending) >= bucket:
                    raise HeronError(Errors.E612.format(
                        path=path, line=lineno, detail=f"more rows than the header's bucket = {bucket}",
                        fix="check that the file is one complete floret export (not two concatenated)."))
                cut = line.find(" ")
                if cut < 0:
                    raise HeronError(Errors.E612.format(
                        path=path, line=lineno, detail=f"only one column ({line[:40]!r})",
                        fix=f"each row is a bucket number followed by {dim} values."))
                pending.append((lineno, line[:cut], line[cut + 1:]))
                if len(pending) >= _CHUNK:
                    n_rows = _flush(path, pending, data, n_rows, bar)
            n_rows = _flush(path, pending, data, n_rows, bar)
    if n_rows < bucket:
        raise HeronError(Errors.E612.format(
            path=path, line=lineno + 1 if n_rows else 2,
            detail=f"the file ends after {n_rows} rows, but the header says bucket = {bucket}",
            fix="the file is truncated: re-export it with floret's model.save_floret_vectors."))
    return ReadResult(words=[], data=data, fmt="floret", cfg=cfg)


def _flush(path: Path, pending: List[Tuple[int, str, str]], data: np.ndarray, n_rows: int, bar) -> int:
    """Parse the pending rows into data[n_rows:]; returns the new row count."""
    if not pending:
        return n_rows
    dim = data.shape[1]
    values = _parse_numbers(" ".join(nums for _, _, nums in pending))
    # One value too many on a row and one too few on the next would sum right: check
    # each row's column count cheaply (single spaces) before trusting the chunk.
    if values is None or len(values) != len(pending) * dim or any(n.count(" ") != dim - 1 for _, _, n in pending):
        values = np.stack([_parse_floret_row(path, lineno, nums, dim) for lineno, _, nums in pending])
    data[n_rows:n_rows + len(pending)] = values.reshape(len(pending), dim)
    bar.update(len(pending))
    n_rows += len(pending)
    pending.clear()
    return n_rows


def _parse_floret_row(path: Path, lineno: int, nums: str, dim: int) -> np.ndarray:
    """One row's values the careful way (E612 naming the line). Unlike a word list, a
    floret row's first field is a bucket number, never a phrase with spaces: a row with
    dim + 1 values is an error here (spaCy's reader would take the first as the key)."""
    values = _parse_numbers(nums)
    if values is not None and len(values) == dim:
        return values
    fields = nums.split()
    if len(fields) != dim:
        detail = f"{len(fields)} values after the bucket number, expected {dim}"
    else:
        bad = next(f for f in fields if (v := _parse_numbers(f)) is None or len(v) != 1)
        detail = f"{bad!r} is not a number"
    raise HeronError(Errors.E612.format(path=path, line=lineno, detail=detail,
                                        fix=f"each row is a bucket number followed by {dim} numbers."))


__all__ = ["read_floret", "parse_floret_header", "is_floret_header", "HEADER_FIELDS"]
