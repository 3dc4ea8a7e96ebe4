"""The input files of `heron apply`: finding them, counting their documents, and
telling whether they changed since a run began.

Kinds, by suffix: `.txt` (the whole file is one document, or each non-blank line with
`txt_lines`), `.jsonl` (each non-blank line is one JSON object with a text field),
`.heron` (heron's DocBin) and `.spacy` (spaCy's DocBin). A folder is walked
recursively in sorted order of relative paths; names starting with "." are skipped
(spaCy's walk_directory does the same; heron's own temp files start with ".").

A file is fingerprinted by its size, mtime and a blake2b digest of its bytes. Checking
whether it changed costs a stat when size and mtime are as recorded, and a re-read
only when the mtime moved (a copy or `touch` that kept the bytes is not a change).
The digest is computed in the same pass that counts the documents, so fingerprinting
costs no extra read.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Container, Dict, List, Optional, Sequence, Tuple

from ..errors import Errors, HeronError, HeronValueError

KINDS = {".txt": "txt", ".jsonl": "jsonl", ".heron": "heron", ".spacy": "spacy"}
LINE_KINDS = ("jsonl", "txt-lines")  # kinds read line by line (seekable by byte offset)
BOM = b"\xef\xbb\xbf"
_CHUNK = 1 << 20


def new_digest() -> Any:
    return hashlib.blake2b(digest_size=16)


@dataclass
class FileStamp:
    """What a file was when a run began: path (relative, posix), size, mtime, digest."""

    path: str
    size: int
    mtime_ns: int
    digest: str

    def changed(self, root: Path) -> bool:
        """Whether the file at root/path now holds other bytes (or is gone)."""
        try:
            stat = (root / self.path).stat()
        except OSError:
            return True
        if stat.st_size != self.size:
            return True
        if stat.st_mtime_ns == self.mtime_ns:
            return False
        return file_digest(root / self.path) != self.digest


@dataclass
class InputFile(FileStamp):
    """One input file of a plan. `n_docs` counts its records in reading order (a bad JSONL
    line is a record too: it keeps its place and is reported); `error` says why the
    whole file can't be read (a corrupt DocBin): it then has 0 documents and is reported
    at the end with the bad records."""

    kind: str = "txt"
    n_docs: int = 0
    error: Optional[str] = None

    def to_json(self) -> Dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def file_digest(path: Path) -> str:
    digest = new_digest()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def stamp(root: Path, rel: str) -> FileStamp:
    stat = (root / rel).stat()
    return FileStamp(rel, stat.st_size, stat.st_mtime_ns, file_digest(root / rel))


def input_root(data_path: Path) -> Path:
    """The folder input paths are relative to: DATA_PATH itself, or a file's folder."""
    return data_path if data_path.is_dir() else data_path.parent


def find_inputs(data_path: Path, *, exclude: Sequence[Path] = ()) -> Tuple[List[str], List[str]]:
    """(readable files, skipped files) under `data_path`, as sorted posix paths relative
    to `input_root(data_path)`. `exclude`: paths never read (the run's own output).

    A file named directly must have a known suffix (E591); in a folder, other files are
    skipped and returned second (the caller warns, W592)."""
    if not data_path.exists():
        raise HeronValueError(Errors.E590.format(path=data_path, cwd=Path.cwd()))
    if not data_path.is_dir():
        if data_path.suffix not in KINDS:
            raise HeronValueError(Errors.E591.format(path=data_path, suffix=data_path.suffix))
        return [data_path.name], []
    excluded = {os.path.realpath(p) for p in exclude}
    found: List[str] = []
    skipped: List[str] = []
    for folder, dirs, files in os.walk(data_path):
        dirs[:] = [d for d in dirs if not d.startswith(".")
                   and os.path.realpath(os.path.join(folder, d)) not in excluded]
        for name in files:
            full = os.path.join(folder, name)
            if name.startswith(".") or os.path.realpath(full) in excluded:
                continue
            rel = Path(os.path.relpath(full, data_path)).as_posix()
            (found if Path(name).suffix in KINDS else skipped).append(rel)
    return sorted(found), sorted(skipped)


def kind_of(rel: str, txt_lines: bool) -> str:
    kind = KINDS[Path(rel).suffix]
    return "txt-lines" if kind == "txt" and txt_lines else kind


def is_record(raw: bytes, offset: int) -> bool:
    """Whether a raw line is a record (non-blank; a BOM at the file's start is not content)."""
    if offset == 0 and raw.startswith(BOM):
        raw = raw[len(BOM):]
    return bool(raw.strip())


def scan(root: Path, rel: str, kind: str, *,
         marks_at: Container[int] = ()) -> Tuple[InputFile, Dict[int, Tuple[int, int]]]:
    """Fingerprint and count one input file in one read.

    marks_at: local record indices where a partition starts; for line kinds the byte
    offset and line number of each are returned ({index: (offset, line)}), so a
    partition can seek straight to its first line.
    """
    path = root / rel
    stat = path.stat()
    info = InputFile(rel, stat.st_size, stat.st_mtime_ns, "", kind=kind)
    marks: Dict[int, Tuple[int, int]] = {}
    if kind in LINE_KINDS:
        info.n_docs, info.digest, marks = _scan_lines(path, marks_at)
    elif kind == "txt":
        info.n_docs, info.digest = 1, file_digest(path)
    else:
        data = path.read_bytes()
        digest = new_digest()
        digest.update(data)
        info.digest = digest.hexdigest()
        try:
            info.n_docs = count_docbin(data, str(path), kind)
        except HeronError as e:  # a corrupt DocBin loses only itself
            info.error = str(e)
        except (ImportError, ValueError, TypeError, KeyError) as e:
            info.error = f"{type(e).__name__}: {e}"
    return info, marks


def _scan_lines(path: Path, wanted: Container[int]) -> Tuple[int, str, Dict[int, Tuple[int, int]]]:
    digest = new_digest()
    marks: Dict[int, Tuple[int, int]] = {}
    n = offset = 0
    with path.open("rb") as f:
        for line_no, raw in enumerate(f, start=1):
            digest.update(raw)
            if is_record(raw, offset):
                if n in wanted:
                    marks[n] = (offset, line_no)
                n += 1
            offset += len(raw)
    return n, digest.hexdigest(), marks


def count_docbin(data: bytes, source: str, kind: str) -> int:
    """How many Docs a DocBin (.heron, or .spacy through heron.tokens.spacy_docbin) holds."""
    return len(docbin_class(kind)().from_bytes(data, source=source))


def docbin_class(kind: str) -> Any:
    """The DocBin class of a file type: heron's ("heron") or SpacyDocBin ("spacy"; same
    surface, imported lazily: only .spacy inputs and outputs need it)."""
    if kind == "spacy":
        from ..tokens.spacy_docbin import SpacyDocBin  # type: ignore[import-not-found,unused-ignore]

        return SpacyDocBin
    from ..tokens import DocBin

    return DocBin


def load_spacy_docbin(path: Path) -> Any:
    return docbin_class("spacy")().from_disk(path)


def folder_files(folder: Path) -> List[str]:
    """Every file under `folder` (sorted posix paths relative to it)."""
    return sorted(Path(os.path.relpath(os.path.join(d, name), folder)).as_posix()
                  for d, _, files in os.walk(folder) for name in files)


def stamp_folder(folder: Path) -> List[FileStamp]:
    """Stamps of every file in a pipeline folder (sorted), to notice a retrained pipeline."""
    return [stamp(folder, rel) for rel in folder_files(folder)]


__all__ = ["KINDS", "LINE_KINDS", "FileStamp", "InputFile", "find_inputs", "input_root", "kind_of", "scan",
           "stamp", "stamp_folder", "folder_files", "file_digest", "is_record", "docbin_class", "load_spacy_docbin"]
