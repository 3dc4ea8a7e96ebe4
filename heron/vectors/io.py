"""Read word-vector files: format detection and the streaming text reader.

Formats (`--format`):
- "text": word2vec/GloVe/fastText text (`.txt`, `.vec`): one `word v1 ... vD` per line,
  with or without a `N D` header line; also inside `.gz`, `.bz2` or a one-file `.zip`.
- "word2vec_bin": word2vec binary (`N D\\n`, then `word<space><D float32>` records).
- "fasttext_bin": a fastText binary model (`.bin`), parsed directly (io_bin.py).
- "gensim": a Gensim `KeyedVectors.save()` file, loaded through gensim (a pickle: only
  on request, never auto-detected).
- "floret": a `.floret` table exported by floret (io_floret.py): hashed n-gram rows,
  no words; needs mode "floret" and gives a "spacy_floret" table.

Readers stream: rows go into a float32 array preallocated from the header (or grown
by doubling), words into one list, so memory stays ~ the size of the final table.
A malformed row stops the read with E612 naming `file:line`. When a word occurs twice
the first row wins (W600 reports how many were skipped).
"""
from __future__ import annotations

import bz2
import gzip
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Dict, List, Optional, Tuple

import numpy as np

from ..errors import Errors, HeronError, Warnings, warn

FORMATS = ("auto", "text", "word2vec_bin", "fasttext_bin", "gensim", "floret")
FASTTEXT_MAGIC = 793712314
_CHUNK = 2048


@dataclass
class ReadResult:
    """What a reader produced: `words[i]` has row i of `data` (rows past len(words) are
    subword buckets in the fastText mode); `cfg` holds Vectors() settings (mode, minn...)."""
    words: List[str]
    data: np.ndarray
    fmt: str
    cfg: Dict[str, object] = field(default_factory=dict)
    n_duplicates: int = 0


def open_binary(path: Path) -> BinaryIO:
    """Open `path` for reading bytes, decompressing .gz / .bz2 / one-member .zip files."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        return gzip.open(path, "rb")
    if suffix == ".bz2":
        return bz2.open(path, "rb")
    if suffix == ".zip":
        archive = zipfile.ZipFile(path)
        names = [n for n in archive.namelist() if not n.endswith("/")]
        if len(names) != 1:
            archive.close()
            raise HeronError(Errors.E617.format(path=path, n=len(names), names=", ".join(names[:5])))
        return archive.open(names[0])
    return open(path, "rb")


def _is_header(fields: List[str]) -> bool:
    return len(fields) == 2 and all(f.isdigit() for f in fields)


def detect_format(path: Path) -> str:
    """Guess the format from the first bytes: fastText magic number, a floret header
    (`bucket dim minn maxn hash_count hash_seed bow eow`), a `N D` header followed by
    binary data (word2vec binary), otherwise text."""
    from .io_floret import is_floret_header

    with open_binary(path) as f:
        head = f.read(4096)
    if len(head) >= 4 and int.from_bytes(head[:4], "little") == FASTTEXT_MAGIC:
        return "fasttext_bin"
    newline = head.find(b"\n")
    first = head[:newline] if newline >= 0 else head
    try:
        fields = first.decode("utf8").split()
    except UnicodeDecodeError:
        fields = []
    if is_floret_header(fields):
        return "floret"
    if _is_header(fields):
        body = head[newline + 1:]
        try:
            body.decode("utf8")
            text = b"\x00" not in body
        except UnicodeDecodeError as e:
            # A multi-byte character cut at the end of the 4096-byte peek is still text.
            text = e.start >= len(body) - 3 and b"\x00" not in body
        return "text" if text else "word2vec_bin"
    if not fields:
        raise HeronError(Errors.E611.format(
            path=path, formats=", ".join(FORMATS[1:]),
            detail=("it starts with neither a fastText magic number nor a text line "
                    "(a gensim KeyedVectors.save file needs an explicit --format gensim)")))
    return "text"


class RowBuffer:
    """float32 rows appended in chunks; capacity from the header or doubled on demand."""

    def __init__(self, dim: int, capacity: int = 1024):
        self.data = np.zeros((max(1, capacity), dim), dtype=np.float32)
        self.n = 0

    def append(self, rows: np.ndarray) -> None:
        need = self.n + len(rows)
        if need > len(self.data):
            grown = np.zeros((max(need, 2 * len(self.data)), self.data.shape[1]), dtype=np.float32)
            grown[: self.n] = self.data[: self.n]
            self.data = grown
        self.data[self.n:need] = rows
        self.n = need

    def result(self) -> np.ndarray:
        return self.data[: self.n] if self.n == len(self.data) else self.data[: self.n].copy()


class _Words:
    """Word list with first-occurrence-wins duplicate handling."""

    def __init__(self):
        self.words: List[str] = []
        self.seen: set = set()
        self.duplicates: List[str] = []

    def keep(self, word: str) -> bool:
        if word in self.seen:
            self.duplicates.append(word)
            return False
        self.seen.add(word)
        self.words.append(word)
        return True


def _parse_numbers(text: str) -> Optional[np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            return np.fromstring(text, sep=" ", dtype=np.float32)
        except (ValueError, DeprecationWarning):
            return None


def _parse_row(path: Path, lineno: int, word: str, nums: str, dim: int) -> Tuple[str, np.ndarray]:
    """Parse one row the slow, careful way, for error messages and words with spaces."""
    vec = _parse_numbers(nums)
    if vec is not None and len(vec) == dim:
        return word, vec
    pieces = f"{word} {nums}".rsplit(" ", dim)  # a word with spaces inside ("New York")
    if len(pieces) == dim + 1 and (alt := _parse_numbers(" ".join(pieces[1:]))) is not None and len(alt) == dim:
        return pieces[0], alt
    fields = nums.split()
    if _is_header([word, *fields]):
        detail, fix = "a second `N D` header line", "remove the repeated header line."
    elif vec is None or len(fields) == dim:
        bad = next((f for f in fields if _parse_numbers(f) is None or len(_parse_numbers(f)) != 1), fields[:1])
        detail, fix = f"{bad!r} after the word {word!r} is not a number", "every value after the word must be a number."
    else:
        detail = f"the word {word!r} is followed by {len(fields)} values, expected {dim}"
        fix = "every row needs the word and exactly dim values (check for a truncated or concatenated file)."
    raise HeronError(Errors.E612.format(path=path, line=lineno, detail=detail, fix=fix))


def read_text(path: Path, *, truncate: Optional[int] = None, progress: bool = False) -> ReadResult:
    """Stream a word2vec/GloVe/fastText text file (header line optional)."""
    from tqdm import tqdm

    words = _Words()
    rows: Optional[RowBuffer] = None
    dim, expected = 0, None
    pending: List[Tuple[int, str, str]] = []
    limit = truncate if truncate is not None else float("inf")
    with open_binary(path) as f, tqdm(total=truncate, unit=" rows", disable=not progress, mininterval=0.5) as bar:
        for lineno, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf8").rstrip()
            except UnicodeDecodeError as e:
                raise HeronError(Errors.E612.format(
                    path=path, line=lineno, detail=f"not UTF-8 text ({e.reason} at byte {e.start})",
                    fix="re-encode the file as UTF-8 (or pass --format word2vec_bin for a binary file).")) from None
            if lineno == 1:
                line = line.lstrip("\ufeff")  # a UTF-8 byte order mark is not part of the word
            if not line:
                continue
            if rows is None:
                fields = line.split(" ")
                if lineno == 1 and _is_header(fields):
                    expected, dim = int(fields[0]), int(fields[1])
                    rows = RowBuffer(dim, min(expected, truncate or expected))
                    bar.total = min(expected, truncate or expected)
                    continue
                dim = len(fields) - 1
                if dim < 1:
                    raise HeronError(Errors.E612.format(
                        path=path, line=lineno, detail=f"only one column ({line[:40]!r})",
                        fix="each row must be a word followed by its vector values."))
                rows = RowBuffer(dim, truncate or 4096)
            cut = line.find(" ")
            if cut < 0:
                raise HeronError(Errors.E612.format(path=path, line=lineno, detail=f"only one column ({line[:40]!r})",
                                                    fix="each row must be a word followed by its vector values."))
            pending.append((lineno, line[:cut], line[cut + 1:]))
            if len(pending) >= _CHUNK:
                _flush(path, pending, dim, rows, words, bar)
            if len(words.words) + len(words.duplicates) + len(pending) >= limit:
                break
        if rows is None:
            raise HeronError(Errors.E612.format(path=path, line=1, detail="no vectors in the file",
                                                fix="check the path; the file is empty."))
        _flush(path, pending, dim, rows, words, bar)
    n_read = len(words.words) + len(words.duplicates)
    if expected is not None and truncate is None and n_read != expected:
        warn(Warnings.W602.format(path=path, expected=expected, got=n_read))
    return _finish(path, "text", words, rows.result())


def _flush(path, pending, dim, rows, words, bar) -> None:
    if not pending:
        return
    vecs = _parse_numbers(" ".join(nums for _, _, nums in pending))
    if vecs is not None and len(vecs) == len(pending) * dim:
        vecs = vecs.reshape(len(pending), dim)
        parsed = [(w, vecs[i]) for i, (_, w, _) in enumerate(pending)]
        # A row with one value too many and the next with one too few would sum right:
        # check each row's column count cheaply (spaces) before trusting the chunk.
        if any(n.count(" ") != dim - 1 for _, _, n in pending):
            parsed = [_parse_row(path, ln, w, n, dim) for ln, w, n in pending]
    else:
        parsed = [_parse_row(path, ln, w, n, dim) for ln, w, n in pending]
    keep = [i for i, (w, _) in enumerate(parsed) if words.keep(w)]
    if keep:
        rows.append(np.stack([parsed[i][1] for i in keep]))
    bar.update(len(pending))
    pending.clear()


def _finish(path: Path, fmt: str, words: _Words, data: np.ndarray, cfg=None) -> ReadResult:
    if words.duplicates:
        examples = ", ".join(repr(w) for w in words.duplicates[:3])
        warn(Warnings.W600.format(path=path, n=len(words.duplicates), examples=examples))
    return ReadResult(words=words.words, data=data, fmt=fmt, cfg=cfg or {}, n_duplicates=len(words.duplicates))


def read_gensim(path: Path, *, truncate: Optional[int] = None, progress: bool = False) -> ReadResult:
    """A Gensim KeyedVectors file, through gensim (unpickles the file: warns W601)."""
    try:
        from gensim.models import KeyedVectors
    except ImportError as e:
        raise HeronError(Errors.E614.format(err=e)) from None
    warn(Warnings.W601.format(path=path))
    kv = KeyedVectors.load(str(path))
    n = len(kv.index_to_key) if truncate is None else min(truncate, len(kv.index_to_key))
    words = _Words()
    keep = [i for i, w in enumerate(kv.index_to_key[:n]) if words.keep(str(w))]
    return _finish(path, "gensim", words, np.asarray(kv.vectors[keep], dtype=np.float32))


def read_vectors(path: Path, *, fmt: str = "auto", truncate: Optional[int] = None, mode: str = "default",
                 progress: bool = False) -> ReadResult:
    """Read `path` in format `fmt` ("auto" detects it). mode "floret" on a fastText binary
    keeps its subword buckets (ReadResult.cfg["mode"] == "fasttext"); on a `.floret`
    table it gives floret's own hashing (cfg["mode"] == "spacy_floret")."""
    from .io_bin import read_fasttext_bin, read_word2vec_bin
    from .io_floret import read_floret

    path = Path(path)
    if not path.is_file():
        raise HeronError(Errors.E610.format(path=path))
    if fmt not in FORMATS:
        raise HeronError(Errors.E611.format(path=path, detail=f"unknown --format {fmt!r}",
                                            formats=", ".join(FORMATS[1:])))
    if fmt == "auto":
        fmt = detect_format(path)
    if fmt == "fasttext_bin":
        return read_fasttext_bin(path, truncate=truncate, subwords=mode != "default", progress=progress)
    if fmt == "floret":
        if mode == "default" or truncate:
            with open_binary(path) as f:
                header = f.readline().decode("utf8", "replace").strip()
            raise HeronError(Errors.E620.format(path=path, header=header[:80]))
        return read_floret(path, progress=progress)
    if mode != "default":
        raise HeronError(Errors.E615.format(
            mode=mode, fmt=fmt, detail="a word list has no subword (n-gram) rows",
            fix="import a floret table (.floret) or a fastText binary model (.bin) with --mode floret, "
                "or use --mode default."))
    if fmt == "word2vec_bin":
        return read_word2vec_bin(path, truncate=truncate, progress=progress)
    if fmt == "gensim":
        return read_gensim(path, truncate=truncate, progress=progress)
    return read_text(path, truncate=truncate, progress=progress)
