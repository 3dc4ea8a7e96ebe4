"""Raw text readers for pretraining: JSONL or plain text, streamed (registry.readers).

    [corpora.pretrain]
    @readers = "heron.JsonlCorpus.v1"
    path = ${paths.raw_text}
    min_length = 5
    max_length = 500
    limit = 0
    paragraphs = "auto"

`path` is a file or a folder (every *.jsonl, *.json and *.txt file below it, sorted).
A `.jsonl`/`.json` file holds one JSON object per line with a "text" field (spaCy's
format); any other file is plain text: one document per line, or one per blank-line
separated paragraph (hard-wrapped lines are joined with a space). Files are read line
by line, so a corpus of any size streams in constant memory; a UTF-8 BOM and CRLF line
ends are handled. Like every reader, it resolves to `corpus(nlp) -> Iterator[Example]`
(each Example's predicted and reference Doc are the same `nlp.make_doc(text)`), so
heron's batchers and `len(example)` word counts work unchanged.

Documents over the length limits are skipped, never fatal: one huge record must not end
hours of pretraining. A text longer than `nlp.max_length` characters (which `nlp.make_doc`
refuses, E314) is skipped before tokenizing, like one over `max_length` tokens; at the end
of the first pass over the corpus, W802 says how many of each were skipped.
"""
from __future__ import annotations

import json
from itertools import islice
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Union

from ..errors import DataError, Errors, HeronValueError, Warnings, warn
from ..registry import registry

JSONL_SUFFIXES = (".jsonl", ".json")
TEXT_SUFFIXES = (".txt",)
PARAGRAPH_MODES = ("auto", True, False)
_SENTENCE_ENDS = (".", "!", "?", "\"", "'", "\u201d", "\u2019", ":", ";", ")")
# The block `heron init config --pretraining` writes (spaCy's pretraining defaults).
PRETRAIN_CORPUS = {"@readers": "heron.JsonlCorpus.v1", "path": "${paths.raw_text}", "min_length": 5,
                   "max_length": 500, "limit": 0, "paragraphs": "auto"}


def raw_text_files(path: Union[str, Path, None]) -> List[Path]:
    """`path` itself if it is a file, else every .jsonl/.json/.txt file below it, sorted."""
    if path is None or str(path) == "":
        raise HeronValueError(Errors.E802.format(path=path, detail="is not set"))
    path = Path(path)
    if path.is_file():
        return [path]
    if not path.exists():
        raise HeronValueError(Errors.E802.format(path=str(path), detail=f"does not exist (cwd {Path.cwd()})"))
    files = sorted(p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
                   and p.suffix.lower() in JSONL_SUFFIXES + TEXT_SUFFIXES)
    if not files:
        raise HeronValueError(Errors.E802.format(path=str(path), detail="is a folder with no .jsonl/.json/.txt files"))
    return files


def read_jsonl_texts(path: Path) -> Iterator[str]:
    """The "text" of each JSON line (blank lines skipped); coded errors name path:line."""
    with open(path, encoding="utf-8-sig") as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as e:
                raise DataError(Errors.E800.format(path=path, line=line_no, detail=e.msg),
                                path=str(path), line=line_no) from None
            if not isinstance(record, dict) or "text" not in record:
                got = f"keys {sorted(record)}" if isinstance(record, dict) else type(record).__name__
                raise DataError(Errors.E801.format(path=path, line=line_no,
                                                   detail=f"no \"text\" field (got {got})"),
                                path=str(path), line=line_no)
            text = record["text"]
            if not isinstance(text, str):
                raise DataError(Errors.E801.format(path=path, line=line_no,
                                                   detail=f"\"text\" is a {type(text).__name__}, not a string"),
                                path=str(path), line=line_no)
            yield text


def read_plain_texts(path: Path, paragraphs: Union[bool, str] = "auto") -> Iterator[str]:
    """Documents of a plain text file: one per line, or per blank-line paragraph.

    paragraphs: True = blank lines separate documents and the lines of a paragraph
        are joined with a space (hard-wrapped text); False = every non-blank line is
        a document; "auto" = paragraphs if the file's first 64 KB look hard-wrapped
        (see `looks_wrapped`).
    """
    if paragraphs == "auto":
        paragraphs = looks_wrapped(path)
    with open(path, encoding="utf-8-sig") as f:
        if not paragraphs:
            for line in f:
                line = line.strip()
                if line:
                    yield line
            return
        lines: List[str] = []
        for line in f:
            line = line.strip()
            if line:
                lines.append(line)
            elif lines:
                yield " ".join(lines)
                lines = []
        if lines:
            yield " ".join(lines)


def looks_wrapped(path: Path, sample_bytes: int = 65536) -> bool:
    """True if the file's start looks like hard-wrapped paragraphs, not one text per line:
    blank lines separate runs of lines averaging more than 1.5 lines, and most lines
    inside a run (all but its last) stop mid-sentence, as wrapped lines do."""
    with open(path, encoding="utf-8-sig", errors="replace") as f:
        sample = [line.strip() for line in f.read(sample_bytes).splitlines()]
    runs: List[List[str]] = [[]]
    for line in sample:
        if line:
            runs[-1].append(line)
        elif runs[-1]:
            runs.append([])
    runs = [run for run in runs if run]
    if len(runs) < 2 or sum(map(len, runs)) / len(runs) <= 1.5:
        return False  # no blank lines, or mostly single lines between them
    inner = [line for run in runs for line in run[:-1]]
    open_ended = sum(1 for line in inner if not line.endswith(_SENTENCE_ENDS))
    return open_ended > len(inner) / 2


class JsonlCorpus:
    """Raw-text Examples for pretraining (see `create_jsonl_reader` for the settings)."""

    def __init__(self, path: Union[str, Path, None], *, min_length: int = 0, max_length: int = 0,
                 limit: int = 0, paragraphs: Union[bool, str] = "auto"):
        _check_option("min_length", min_length)
        _check_option("max_length", max_length)
        _check_option("limit", limit)
        if paragraphs not in PARAGRAPH_MODES:
            raise HeronValueError(Errors.E803.format(key="paragraphs", value=paragraphs,
                                                     detail="it must be \"auto\", true or false",
                                                     fix="set paragraphs = \"auto\" (default), true or false."))
        self.path = path
        self.files = raw_text_files(path)  # fail at config time, not hours later
        self.min_length, self.max_length, self.limit = min_length, max_length, limit
        self.paragraphs = paragraphs
        self._warned = False

    def texts(self) -> Iterator[str]:
        """Every document's text, file by file (before length filtering)."""
        for file in self.files:
            if file.suffix.lower() in JSONL_SUFFIXES:
                yield from read_jsonl_texts(file)
            else:
                yield from read_plain_texts(file, self.paragraphs)

    def __call__(self, nlp) -> Iterator:
        from ..training.example import Example

        counts = {"read": 0, "characters": 0, "tokens": 0}  # this pass; skipped for being too long
        for doc in islice(self._docs(nlp, counts), self.limit or None):
            yield Example(doc, doc)
        self._warn_skipped(counts, nlp.max_length)

    def _docs(self, nlp, counts: Dict[str, int]) -> Iterator:
        """The Docs within the length limits; the others are counted in `counts`."""
        for text in self.texts():
            counts["read"] += 1
            if len(text) > nlp.max_length:  # nlp.make_doc would raise E314
                counts["characters"] += 1
                continue
            doc = nlp.make_doc(text)
            if self.max_length and len(doc) > self.max_length:
                counts["tokens"] += 1
            elif len(doc) and len(doc) >= self.min_length:
                yield doc

    def _warn_skipped(self, counts: Dict[str, int], max_chars: int) -> None:
        """W802 once (every epoch reads the same texts) if documents were too long."""
        if self._warned or not (counts["characters"] or counts["tokens"]):
            return
        self._warned = True
        parts = []
        if counts["tokens"]:
            parts.append(f"{counts['tokens']:,} longer than max_length = {self.max_length:,} tokens")
        if counts["characters"]:
            parts.append(f"{counts['characters']:,} longer than nlp.max_length = {max_chars:,} characters "
                         "(the tokenizer's limit)")
        warn(Warnings.W802.format(path=self.path, n=counts["characters"] + counts["tokens"],
                                  total=counts["read"], detail=", ".join(parts)))

    def __repr__(self) -> str:
        return f"<heron JsonlCorpus {self.path} ({len(self.files)} file(s))>"


def _check_option(key: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise HeronValueError(Errors.E803.format(key=key, value=value, detail="it must be a whole number >= 0",
                                                 fix=f"set {key} = 0 (no limit) or a positive number."))


@registry.readers("heron.JsonlCorpus.v1")
def create_jsonl_reader(*, path: Optional[str], min_length: int = 0, max_length: int = 0, limit: int = 0,
                        paragraphs: Union[bool, str] = "auto") -> JsonlCorpus:
    """Read raw text for `heron pretrain`: JSONL ({"text": ...} per line) or plain .txt.

    path: a file or a folder of .jsonl/.json/.txt files (read in sorted order).
    min_length: skip documents with fewer tokens (0 = keep all). 5 drops headings and
        stray lines that teach little.
    max_length: skip documents with more tokens (0 = no limit), as spaCy does; 500
        keeps memory per batch bounded. Long texts are better split into paragraphs.
        Texts over nlp.max_length characters (1,000,000) are skipped whatever this is.
        Skipped documents are counted in one warning (W802) after the first pass.
    limit: stop after this many documents (0 = all); for quick experiments.
    paragraphs: plain text only: false = one document per line, true = one per
        blank-line paragraph (wrapped lines joined), "auto" = decide per file.
    """
    return JsonlCorpus(path, min_length=min_length, max_length=max_length, limit=limit, paragraphs=paragraphs)


__all__ = ["JsonlCorpus", "create_jsonl_reader", "raw_text_files", "read_jsonl_texts", "read_plain_texts",
           "looks_wrapped", "PRETRAIN_CORPUS"]
