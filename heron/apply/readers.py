"""Reading one segment of an input file (records start..stop) as `Record`s.

A record is a text (or a Doc, from a DocBin) with the place it came from, or a bad
record saying why it can't be annotated: a JSONL line that is not a JSON object with a
string under the text key, a line or file that is not UTF-8, a Doc a DocBin can't
rebuild. A bad record never stops the reading: the caller writes the good ones and
lists the bad ones at the end.

Where a record came from (`where`): "path:line" for line-based files, "path" for a
whole .txt file, "path[i]" for the i-th Doc of a DocBin; paths as the user gave them.
Records of text inputs carry `meta` for doc.user_data["meta"]: a JSONL object's other
keys; for .txt files {"source": relative path} (+ "line" with --txt-lines), so a Doc
can be traced back to its file after the outputs are merged.
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, Optional, Tuple

from ..errors import HeronError
from .inputs import BOM, InputFile, is_record, load_spacy_docbin

META_KEY = "meta"  # doc.user_data key of a record's metadata


@dataclass
class Record:
    where: str
    item: Any = None  # str or Doc; None for a bad record
    meta: Optional[Dict[str, Any]] = None
    reason: str = ""  # why a bad record can't be annotated

    @property
    def bad(self) -> bool:
        return self.item is None


class SegmentReader:
    """Reads segments of input files; keeps the last DocBin loaded, since consecutive
    partitions of a large DocBin read the same file."""

    def __init__(self, root: Path, vocab: Any, *, text_key: str = "text", shown_root: Optional[Path] = None):
        self.root = root  # input paths are relative to it
        # Messages show shown_root/path: the root as the user named it (a cluster worker
        # reads through the absolute root, yet reports what a local run would).
        self.shown_root = root if shown_root is None else shown_root
        self.vocab = vocab
        self.text_key = text_key
        self._cached: Tuple[Optional[Tuple[str, str]], Any] = (None, None)

    def read(self, inp: InputFile, start: int, stop: int, offset: int = 0, line: int = 1) -> Iterator[Record]:
        """Records start..stop of `inp`; line kinds seek to `offset` (record `start` is on `line`)."""
        shown = (self.shown_root / inp.path).as_posix()
        if inp.kind in ("jsonl", "txt-lines"):
            yield from self._lines(inp, shown, start, stop, offset, line)
        elif inp.kind == "txt":
            yield self._whole_text(inp, shown)
        else:
            yield from self._docbin(inp, shown, start, stop)

    # ---- text -------------------------------------------------------------------------
    def _lines(self, inp: InputFile, shown: str, start: int, stop: int, offset: int,
               line_no: int) -> Iterator[Record]:
        n = start
        with (self.root / inp.path).open("rb") as f:
            f.seek(offset)
            for raw in f:
                if n >= stop:
                    return
                here, at_start = line_no, offset == 0
                line_no += 1
                offset += len(raw)
                if not is_record(raw, 0 if at_start else 1):
                    continue
                n += 1
                if at_start and raw.startswith(BOM):
                    raw = raw[len(BOM):]
                yield self._line_record(inp, f"{shown}:{here}", raw, here)

    def _line_record(self, inp: InputFile, where: str, raw: bytes, line_no: int) -> Record:
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            return Record(where, reason=_not_utf8(raw, e))
        text = text.rstrip("\r\n")
        if inp.kind == "txt-lines":
            return Record(where, text, {"source": inp.path, "line": line_no})
        try:
            obj = json.loads(text)
        except ValueError as e:
            return Record(where, reason=f"invalid JSON ({e})")
        if not isinstance(obj, dict):
            return Record(where, reason=f"expected a JSON object, got {type(obj).__name__}")
        value = obj.get(self.text_key)
        if not isinstance(value, str):
            found = "missing" if value is None else f"a {type(value).__name__}"
            return Record(where, reason=f"the text key {self.text_key!r} is {found} (keys: "
                                        f"{', '.join(map(repr, list(obj)[:8]))}); pass --text-key to name it")
        meta = {k: v for k, v in obj.items() if k != self.text_key}
        return Record(where, value, meta or None)

    def _whole_text(self, inp: InputFile, shown: str) -> Record:
        data = (self.root / inp.path).read_bytes()
        if data.startswith(BOM):
            data = data[len(BOM):]
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as e:
            line = data.count(b"\n", 0, e.start) + 1
            return Record(f"{shown}:{line}", reason=_not_utf8(data, e, data.rfind(b"\n", 0, e.start) + 1))
        return Record(shown, text, {"source": inp.path})

    # ---- DocBins ----------------------------------------------------------------------
    def _docbin(self, inp: InputFile, shown: str, start: int, stop: int) -> Iterator[Record]:
        try:
            source = self._load_docbin(inp)
        except HeronError as e:  # readable at planning time, not now: every Doc is lost
            yield from (Record(f"{shown}[{i}]", reason=str(e)) for i in range(start, stop))
            return
        i = start
        while i < stop:  # a Doc the DocBin can't rebuild (E043) is reported; reading resumes after it
            try:
                for doc in _docbin_slice(source, i, stop).get_docs(self.vocab):
                    yield Record(f"{shown}[{i}]", doc)
                    i += 1
            except HeronError as e:
                yield Record(f"{shown}[{i}]", reason=str(e))
                i += 1

    def _load_docbin(self, inp: InputFile) -> Any:
        # Keyed by digest too: a cluster worker's reader outlives runs, and a file may change between them.
        if self._cached[0] != (inp.path, inp.digest):
            if inp.kind == "spacy":
                source = load_spacy_docbin(self.root / inp.path)
            else:
                from ..tokens import DocBin

                source = DocBin().from_disk(self.root / inp.path)
            self._cached = ((inp.path, inp.digest), source)
        return self._cached[1]


# The per-Doc lists of heron's DocBin and of SpacyDocBin (which adds "flags").
_PER_DOC = ("tokens", "spaces", "cats", "user_data", "span_groups", "flags")


def _docbin_slice(docbin: Any, start: int, stop: int) -> Any:
    """A DocBin (heron's or SpacyDocBin) holding Docs start..stop of `docbin`: its per-Doc
    lists sliced, nothing decoded, so each partition of a large file costs its own Docs only."""
    part = copy.copy(docbin)
    for name in _PER_DOC:
        if hasattr(docbin, name):
            setattr(part, name, getattr(docbin, name)[start:stop])
    return part


def _not_utf8(data: bytes, err: UnicodeDecodeError, line_start: int = 0) -> str:
    """Why `data` (whose line holding the bad byte starts at `line_start`) is not text."""
    column = len(data[line_start:err.start].decode("utf-8", "replace")) + 1
    return f"not UTF-8: byte 0x{data[err.start]:02x} at column {column} ({err.reason})"


__all__ = ["Record", "SegmentReader", "META_KEY"]
