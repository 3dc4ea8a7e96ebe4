"""Binary readers: word2vec `.bin` and fastText `.bin` models, parsed with numpy (no pickle).

fastText binary layout (fastText >= 0.2, "new format"; see fastText's args.cc,
dictionary.cc, densematrix.cc): int32 magic 793712314, int32 version; 12 int32 args
(dim ws epoch minCount neg wordNgrams loss model bucket minn maxn lrUpdateRate) and a
float64 t; dictionary: int32 size, nwords, nlabels, int64 ntokens, int64 pruneidx_size,
then `size` entries (word bytes, 0 byte, int64 count, int8 type), pruneidx pairs; then
bool quant_input, int64 rows, int64 dim and rows*dim float32 (the input matrix: nwords
word rows then `bucket` n-gram rows). The output matrix that follows is not needed.
Quantized models (.ftz) and old-format models (pre-2017) are refused with E613.
"""
from __future__ import annotations

import struct
from pathlib import Path
from typing import BinaryIO, Optional

import numpy as np

from ..errors import Errors, HeronError
from .floret import SubwordRows
from .io import FASTTEXT_MAGIC, ReadResult, RowBuffer, _finish, _Words, open_binary

_READ = 1 << 22


class _Buffered:
    """Byte reader over a (possibly compressed) stream with cheap token scanning."""

    def __init__(self, f: BinaryIO, path: Path):
        self.f, self.path, self.buf, self.pos = f, path, b"", 0

    def _fill(self, need: int) -> bool:
        while len(self.buf) - self.pos < need:
            chunk = self.f.read(max(_READ, need))
            if not chunk:
                return False
            self.buf = self.buf[self.pos:] + chunk
            self.pos = 0
        return True

    def read(self, n: int, what: str, record: int) -> bytes:
        if not self._fill(n):
            self.truncated(what, record)
        out = self.buf[self.pos:self.pos + n]
        self.pos += n
        return out

    def until(self, sep: bytes, what: str, record: int) -> bytes:
        while True:
            end = self.buf.find(sep, self.pos)
            if end >= 0:
                out = self.buf[self.pos:end]
                self.pos = end + 1
                return out
            if not self._fill(len(self.buf) - self.pos + 1):
                self.truncated(what, record)

    def truncated(self, what: str, record: int):
        raise HeronError(Errors.E612.format(
            path=self.path, line=record, detail=f"the file ends inside {what}",
            fix="the file is truncated or not in this format; download it again or pass the right --format."))


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf8")
    except UnicodeDecodeError:
        return raw.decode("utf8", errors="backslashreplace")


def read_word2vec_bin(path: Path, *, truncate: Optional[int] = None, progress: bool = False) -> ReadResult:
    """word2vec binary: `N D\\n` then N records `word<space><D little-endian float32>[\\n]`.
    Error line numbers count the header as line 1 and record i as line i + 1."""
    from tqdm import tqdm

    with open_binary(path) as f:
        reader = _Buffered(f, path)
        fields = _decode(reader.until(b"\n", "the header line", 1)).split()
        if len(fields) != 2 or not all(x.isdigit() for x in fields):
            raise HeronError(Errors.E612.format(
                path=path, line=1, detail=f"header {' '.join(fields)[:40]!r} is not `N D`",
                fix="a word2vec binary file starts with the row count and dim; pass --format text for a text file."))
        n, dim = int(fields[0]), int(fields[1])
        n = n if truncate is None else min(n, truncate)
        words, rows = _Words(), RowBuffer(dim, n)
        with tqdm(total=n, unit=" rows", disable=not progress, mininterval=0.5) as bar:
            for i in range(n):
                word = _decode(reader.until(b" ", "a word", i + 2).lstrip(b"\n"))
                raw = reader.read(4 * dim, f"the vector of {word!r}", i + 2)
                if words.keep(word):
                    rows.append(np.frombuffer(raw, dtype="<f4")[None, :])
                if i % 4096 == 0:
                    bar.update(min(4096, n - i))
    return _finish(path, "word2vec_bin", words, rows.result())


def _unpack(reader: _Buffered, fmt: str, what: str):
    return struct.unpack("<" + fmt, reader.read(struct.calcsize("<" + fmt), what, 0))


def read_fasttext_bin(path: Path, *, truncate: Optional[int] = None, subwords: bool = False,
                      progress: bool = False) -> ReadResult:
    """A fastText model. subwords=False: the vectors of its vocabulary words (what its .vec
    file holds: mean of word row and n-gram rows). subwords=True: the whole input matrix,
    as a "fasttext" mode table that gives unseen words fastText's own vectors."""
    from tqdm import tqdm

    default_fix = "pass a model saved by fastText >= 0.2 (`fasttext.train_unsupervised(...).save_model(path)`)."

    def bad(detail: str, fix: str = default_fix):
        return HeronError(Errors.E613.format(path=path, detail=detail, fix=fix))

    with open_binary(path) as f:
        reader = _Buffered(f, path)
        magic, _version = _unpack(reader, "ii", "the magic number")
        if magic != FASTTEXT_MAGIC:
            raise bad("no fastText magic number (an old pre-2017 model, or another format)",
                      "re-save it with a recent fastText, or pass --format word2vec_bin/text if it is one of those.")
        args = _unpack(reader, "12id", "the model arguments")
        dim, bucket, minn, maxn = args[0], args[8], args[9], args[10]
        size, n_words, n_labels, _ntokens, prune_size = _unpack(reader, "iiiqq", "the dictionary header")
        words = []
        for i in range(size):
            word = _decode(reader.until(b"\x00", "a dictionary word", 0))
            _count, kind = _unpack(reader, "qb", "a dictionary entry")
            if kind == 0:
                words.append(word)
        if prune_size > 0:
            reader.read(8 * prune_size, "the pruned n-gram index", 0)
        (quant,) = _unpack(reader, "?", "the matrix header")
        if quant:
            raise bad("it is quantized (.ftz)",
                      "import the unquantized .bin model (quantized rows are compressed codes).")
        n_rows, m_dim = _unpack(reader, "qq", "the matrix header")
        if m_dim != dim or n_rows != n_words + bucket or len(words) != n_words:
            raise bad(f"matrix {n_rows}x{m_dim} does not match dim {dim}, {n_words} words + {bucket} buckets")
        data = np.empty((n_rows, dim), dtype=np.float32)
        flat = data.reshape(-1)
        step = max(1, _READ // (4 * max(1, dim)))
        with tqdm(total=n_rows, unit=" rows", disable=not progress, mininterval=0.5) as bar:
            for start in range(0, n_rows, step):
                stop = min(n_rows, start + step)
                raw = reader.read(4 * dim * (stop - start), "the input matrix", 0)
                flat[start * dim:stop * dim] = np.frombuffer(raw, dtype="<f4")
                bar.update(stop - start)
    cfg = {"mode": "fasttext", "minn": minn, "maxn": maxn, "hash_count": 1, "bow": "<", "eow": ">",
           "n_words": n_words, "bucket": bucket}
    return _fasttext_result(path, words, data, cfg, subwords=subwords, truncate=truncate)


def _fasttext_result(path, words, data, cfg, *, subwords: bool, truncate: Optional[int]) -> ReadResult:
    from ..tokens.strings import get_string_id

    kept = _Words()
    for w in words:
        kept.keep(w)
    if subwords:
        return _finish(path, "fasttext_bin", kept, data, cfg)
    n = len(words) if truncate is None else min(truncate, len(words))
    wanted = kept.words[:n]
    rows = SubwordRows(mode="fasttext", n_rows=len(data), minn=cfg["minn"], maxn=cfg["maxn"], hash_count=1,
                       bow="<", eow=">", n_words=cfg["n_words"], bucket=cfg["bucket"],
                       word_rows={get_string_id(w): i for i, w in enumerate(words)})
    out = np.zeros((len(wanted), data.shape[1]), dtype=np.float32)
    for start in range(0, len(wanted), 4096):
        chunk = wanted[start:start + 4096]
        out[start:start + len(chunk)] = rows.vectors(data, chunk, [get_string_id(w) for w in chunk])
    result = _finish(path, "fasttext_bin", _Words(), out)
    result.words = wanted
    return result
