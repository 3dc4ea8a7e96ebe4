"""Shared pieces of the corpus converters: input lines, sentence records, Doc building.

Converters parse their format into `Sentence` records (plain lists, cheap to build),
group them into documents with `group_sentences`, and turn each group into one Doc
with `sentences_to_doc`. Only that last step touches `heron.tokens`, so parsing stays
fast and independent of the Doc implementation.
"""
from __future__ import annotations

import io
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, List, Optional, Tuple, Union

from ...errors import DataError, Errors, HeronError

if TYPE_CHECKING:  # pragma: no cover
    from ...tokens import Doc, Vocab

# What a converter reads: a path (streamed line by line), a str holding the whole
# input (spaCy's `input_data` convention; a one-line str naming an existing file is
# read as a path), or any iterable of lines (e.g. an open file).
Source = Union[str, os.PathLike, Iterable[str]]

# Missing-value markers handed to Doc(...), per the tokens contract.
MISSING_ENT = "-"

# doc.user_data key of the CoNLL-U multi-word tokens of a Doc: a list of
# [start, end, form] (token indices, end exclusive, and the surface form), set by the
# CoNLL-U reader and used by the writer (conllu_writer.py) to write the range lines back.
MWT_KEY = "conllu_mwt"


@dataclass
class Sentence:
    """One sentence as read from a corpus file; per-word lists are aligned with `words`.

    An annotation list is None when the file has no such column for this sentence;
    inside a list, "" (strings), None (heads/deps) or "-" (ents) mark a missing value.
    `heads` are absolute word indices *within the sentence* (a root points to itself).
    `path`, `line` and `end_line` (1-based) say where the sentence is, for messages.
    `mwts` are CoNLL-U multi-word tokens: (first word, end word exclusive, surface form).
    """

    words: List[str]
    spaces: List[bool]
    line: int
    end_line: int = 0
    path: str = ""
    doc_start: bool = False
    tags: Optional[List[str]] = None
    pos: Optional[List[str]] = None
    lemmas: Optional[List[str]] = None
    morphs: Optional[List[str]] = None
    heads: Optional[List[Optional[int]]] = None
    deps: Optional[List[Optional[str]]] = None
    ents: Optional[List[str]] = None
    mwts: Optional[List[Tuple[int, int, str]]] = None


def read_lines(source: Source, path: Optional[str] = None) -> Tuple[str, Iterator[str]]:
    """Return (name for messages, iterator over lines without their line endings).

    A path is opened lazily and streamed (UTF-8, a byte-order mark is dropped), so
    converting a large file never holds its text in memory twice.
    """
    if isinstance(source, str) and "\n" not in source and os.path.isfile(source):
        source = Path(source)  # a file name, not one line of data
    if isinstance(source, os.PathLike):
        name = path or str(source)
        return name, _iter_file(Path(source))
    if isinstance(source, str):
        # Lines end at "\n", "\r\n" or "\r" only, as when reading a file (str.splitlines
        # would also split at "\x0c", "\u2028", ..., which may sit inside a CoNLL-U FORM).
        return path or "<string>", (ln.rstrip("\n") for ln in io.StringIO(source, newline=None))
    return path or getattr(source, "name", "<lines>"), (ln.rstrip("\r\n") for ln in source)


def _iter_file(path: Path) -> Iterator[str]:
    return iter_utf8_lines(path)


_BOM = b"\xef\xbb\xbf"


def iter_utf8_lines(path: Path) -> Iterator[str]:
    """Each line of a UTF-8 file without its line ending ("\\n", "\\r\\n" or a lone "\\r").

    A leading byte-order mark is dropped. Bytes that are not UTF-8 raise E440 naming
    path:line and the byte offset instead of a UnicodeDecodeError from deep inside a
    parser. Text mode reads fast; only when it fails is the file scanned again in
    binary to locate the bad byte (text mode decodes whole chunks, so its error
    knows neither the line nor the offset).
    """
    try:
        with path.open("r", encoding="utf-8-sig", newline=None) as f:
            for line in f:
                yield line.rstrip("\r\n")
    except UnicodeDecodeError:
        raise _locate_non_utf8(path) from None


def _locate_non_utf8(path: Path) -> DataError:
    """E440 for the first byte of `path` that is not UTF-8 (line numbers as text mode counts them)."""
    line_no, offset = 1, 0
    with path.open("rb") as f:
        for raw in f:  # chunks ending in "\n"; a lone "\r" inside one also ends a line
            start = len(_BOM) if offset == 0 and raw.startswith(_BOM) else 0
            try:
                raw[start:].decode("utf-8")
            except UnicodeDecodeError as err:
                bad = start + err.start
                before = raw[:bad]
                line_no += before.replace(b"\r\n", b"\n").count(b"\r")
                column = len(before[start:].rsplit(b"\r", 1)[-1].decode("utf-8", "replace")) + 1
                return DataError(Errors.E440.format(
                    path=path, line=line_no, offset=offset + bad, byte=f"0x{raw[bad]:02x}", column=column,
                    reason=err.reason), path=str(path), line=line_no)
            body = raw[:-1] if raw.endswith(b"\n") else raw
            body = body[:-1] if raw.endswith(b"\r\n") else body
            line_no += 1 + body.count(b"\r")
            offset += len(raw)
    # Unreachable for a file text mode could not decode; kept as a coded error all the same.
    return DataError(Errors.E440.format(path=path, line=line_no, offset=offset, byte="end of file",
                                        column=1, reason="truncated multi-byte character"),
                     path=str(path), line=line_no)


def group_sentences(sents: Iterable[Sentence], n_sents: int) -> Iterator[List[Sentence]]:
    """Group sentences into documents of at most `n_sents` sentences.

    A sentence with `doc_start=True` (a `# newdoc` comment, a `-DOCSTART-` line)
    always begins a new group, so no Doc mixes two source documents. `n_sents=0`
    keeps whole source documents (the whole file if it marks none).
    """
    if n_sents < 0:
        raise DataError(Errors.E409.format(
            value=n_sents, option="n_sents", detail="must be 0 or more",
            fix="pass a positive number of sentences per Doc, or 0 to keep source documents."))
    group: List[Sentence] = []
    for sent in sents:
        if group and (sent.doc_start or (n_sents and len(group) >= n_sents)):
            yield group
            group = []
        group.append(sent)
    if group:
        yield group


def _concat(sents: List[Sentence], attr: str, missing) -> Optional[list]:
    values = [getattr(s, attr) for s in sents]
    if all(v is None for v in values):
        return None
    out: list = []
    for sent, v in zip(sents, values):
        out.extend(v if v is not None else [missing] * len(sent.words))
    return out


def sentences_to_doc(vocab: "Vocab", sents: List[Sentence]) -> "Doc":
    """Build one Doc from consecutive sentences: offsets heads, sets sentence starts.

    The last token of the Doc never has trailing whitespace (like spaCy).
    """
    from ...tokens import Doc

    words: List[str] = []
    spaces: List[bool] = []
    heads: Optional[list] = None if all(s.heads is None for s in sents) else []
    sent_starts: List[bool] = []
    mwts: List[list] = []
    for sent in sents:
        offset = len(words)
        if sent.mwts:
            mwts.extend([a + offset, b + offset, form] for a, b, form in sent.mwts)
        if heads is not None:
            if sent.heads is None:
                heads.extend([None] * len(sent.words))
            else:
                heads.extend(h if h is None else h + offset for h in sent.heads)
        words.extend(sent.words)
        spaces.extend(sent.spaces)
        sent_starts.append(True)
        sent_starts.extend([False] * (len(sent.words) - 1))
    if spaces:
        spaces[-1] = False
    kwargs = {
        "tags": _concat(sents, "tags", ""),
        "pos": _concat(sents, "pos", ""),
        "lemmas": _concat(sents, "lemmas", ""),
        "morphs": _concat(sents, "morphs", ""),
        "deps": _concat(sents, "deps", None),
        "ents": _concat(sents, "ents", MISSING_ENT),
        "heads": heads,
    }
    kwargs = {k: v for k, v in kwargs.items() if v is not None}
    user_data = {MWT_KEY: mwts} if mwts else None
    # Sentence starts come from the file, not from the trees: a missing head must not
    # merge or split sentences.
    try:
        return Doc(vocab, words=words, spaces=spaces, sent_starts=sent_starts, user_data=user_data, **kwargs)
    except HeronError as err:  # annotation the Doc rejects (e.g. a POS outside UD's tag set)
        path = sents[0].path
        lines = f"{sents[0].line}-{sents[-1].end_line}"
        raise DataError(Errors.E414.format(path=path, lines=lines, detail=str(err)),
                        path=path, line=sents[0].line) from None


def get_vocab(vocab: Optional["Vocab"]) -> "Vocab":
    if vocab is not None:
        return vocab
    from ...tokens import Vocab

    return Vocab()


# ---- NER tags -----------------------------------------------------------

_TAG_RE = re.compile(r"^([BILUES])-(.+)$")
# BILUO and IOBES letters folded onto IOB2: L/E continue an entity, U/S start one.
_START = {"B": True, "U": True, "S": True, "I": False, "L": False, "E": False}


def is_tag(value: str) -> bool:
    return value == "O" or _TAG_RE.match(value) is not None


def tags_to_iob2(tags: List[str], lines: List[int], path: str, column: str,
                 stats: Optional[dict] = None) -> List[str]:
    """Normalise one sentence of IOB1/IOB2/BILUO/IOBES tags to IOB2 strings.

    "I-X" continues an entity only right after "B-X"/"I-X" (same type); otherwise it
    starts one, which reads IOB1 correctly. An invalid tag raises E420 naming
    path:line. Type "O" ("B-O", found in some corpora) is read as "O"; counted in
    `stats["type_o"]` so the caller can warn once.
    """
    out: List[str] = []
    prev_type: Optional[str] = None  # type of the entity the previous token is in
    for tag, line in zip(tags, lines):
        if tag == "O":
            out.append("O")
            prev_type = None
            continue
        m = _TAG_RE.match(tag)
        if m is None:
            raise DataError(Errors.E420.format(path=path, line=line, found=tag, column=column),
                            path=path, line=line)
        prefix, ent_type = m.groups()
        if ent_type == "O":
            if stats is not None:
                stats["type_o"] = stats.get("type_o", 0) + 1
            out.append("O")
            prev_type = None
            continue
        starts = _START[prefix] or prev_type != ent_type
        out.append(("B-" if starts else "I-") + ent_type)
        # After L-/U-/E-/S- the entity is closed: a following I- starts a new one.
        prev_type = ent_type if prefix in ("B", "I") else None
    return out


# ---- sentence segmentation (for --seg-sents) ---------------------------------

_SENT_END = frozenset([".", "!", "?", "...", "…", "。", "！", "？", "؟", "।"])
_CLOSERS = frozenset(['"', "'", "”", "’", ")", "]", "»", "''"])


def split_sentence_ends(words: List[str]) -> List[int]:
    """Indices where new sentences start, after sentence-final punctuation.

    Like spaCy's rule-based sentencizer: a sentence ends after ".", "!", "?" (and
    similar), plus any closing quotes/brackets right after them. Returns starts > 0.
    """
    starts: List[int] = []
    i, n = 0, len(words)
    while i < n:
        if words[i] in _SENT_END or (len(words[i]) > 1 and set(words[i]) <= {".", "!", "?"}):
            j = i + 1
            while j < n and (words[j] in _CLOSERS or words[j] in _SENT_END):
                j += 1
            if j < n:
                starts.append(j)
            i = j
        else:
            i += 1
    return starts
