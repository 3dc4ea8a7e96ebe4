"""IOB/IOB2 (also BILUO/IOBES) NER files -> Docs.

Two layouts, as in spaCy:

* token per line (`conll_ner_to_docs`, converter "ner"): whitespace- or
  tab-separated columns, a blank (or whitespace-only) line between sentences. The
  first column is the word and the LAST column the NER tag ("word TAG", or
  CoNLL-2003's "word POS chunk TAG", whose second column becomes `tag_`). Files whose
  first sentence numbers its rows 1, 2, 3... ("ID WORD TAG ..." as in Universal
  NER's .iob2 files) read the word from column 2 and the tag from column 3, whatever
  follows. `-DOCSTART-` lines and `# newdoc` comments start a new document; other
  lines starting with "#" and holding no tab (e.g. `# sent_id = 12`) are comments,
  while "#\\tO" or "#hashtag O" are words.
* sentence per line (`iob_to_docs`, converter "iob"): "word|TAG" or
  "word|POS|TAG" items separated by spaces, one sentence per line.

Tags may be IOB1 (an entity may start with "I-") or IOB2; both are read with IOB2
meaning. The original whitespace is unknown, so words are joined by single spaces.
"""
from __future__ import annotations

import re
from typing import Dict, Iterable, Iterator, List, Optional

from ...errors import DataError, Errors, Warnings, warn
from ._common import (
    Sentence,
    Source,
    get_vocab,
    group_sentences,
    is_tag,
    read_lines,
    sentences_to_doc,
    split_sentence_ends,
    tags_to_iob2,
)

DOCSTART = "-DOCSTART-"
# A sentence longer than this probably means missing blank lines (W402).
_LONG_SENT = 1000


def conll_ner_to_docs(source: Source, *, n_sents: int = 10, seg_sents: bool = False,
                      vocab=None, path: Optional[str] = None) -> Iterator["Doc"]:  # noqa: F821
    """Read token-per-line NER columns and yield one Doc per `n_sents` sentences.

    source: a path (streamed), a str with the file's content, or an iterable of lines.
    n_sents (int): sentences per Doc (default 10, like spaCy's converter); a
        `-DOCSTART-` line always starts a new Doc; 0 keeps whole `-DOCSTART-`
        documents (the whole file if there are none).
    seg_sents (bool): also split sentences after sentence-final punctuation (". ! ?"),
        for files without blank lines between sentences.
    RAISES DataError: E420 (invalid tag) or E421 (malformed row) naming path:line.
    """
    vocab = get_vocab(vocab)
    name, lines = read_lines(source, path)
    stats: Dict[str, int] = {}
    sents = read_conll_ner_sentences(lines, name, stats=stats)
    if seg_sents:
        sents = _segment(sents)
    for group in group_sentences(sents, n_sents):
        yield sentences_to_doc(vocab, group)
    _warn_stats(name, stats)


def iob_to_docs(source: Source, *, n_sents: int = 10, vocab=None,
                path: Optional[str] = None) -> Iterator["Doc"]:  # noqa: F821
    """Read sentence-per-line "word|TAG" / "word|POS|TAG" and yield one Doc per `n_sents` lines.

    RAISES DataError: E420 / E421 naming path:line.
    """
    vocab = get_vocab(vocab)
    name, lines = read_lines(source, path)
    stats: Dict[str, int] = {}
    sents = read_iob_sentences(lines, name, stats=stats)
    for group in group_sentences(sents, n_sents):
        yield sentences_to_doc(vocab, group)
    _warn_stats(name, stats)


def _warn_stats(name: str, stats: Dict[str, int]) -> None:
    if stats.get("type_o"):
        warn(Warnings.W401.format(path=name, n=stats["type_o"]))
    if stats.get("long_sent"):
        warn(Warnings.W402.format(path=name, n=stats["long_sent"], line=stats["long_line"]))


def _is_comment(line: str) -> bool:
    # "#" starts a comment only when the line cannot be a "word TAG" row: tab-separated
    # rows like "#\tO" and "#hashtag O" are words (tweets), "# sent_id = 3" is not.
    if line[0] != "#" or "\t" in line:
        return False
    fields = line.split()
    return len(fields) < 2 or "=" in fields or not is_tag(fields[-1])


def read_conll_ner_sentences(lines: Iterable[str], path: str, *,
                             stats: Optional[dict] = None) -> Iterator[Sentence]:
    """Parse token-per-line NER rows into `Sentence` records (see module docstring)."""
    rows: List[List[str]] = []
    row_lines: List[int] = []
    indexed: Optional[bool] = None  # layout, fixed by the file's first sentence
    doc_start = False
    for line_no, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped and not (stripped[0] == "#" and _is_comment(stripped)):
            fields = line.split("\t") if "\t" in line else stripped.split()
            if fields[0].strip() != DOCSTART:
                rows.append([f.strip() for f in fields])
                row_lines.append(line_no)
                continue
        is_doc_break = stripped.startswith(DOCSTART) or stripped.startswith("# newdoc")
        if rows:
            if indexed is None:
                indexed = _is_indexed(rows)
            yield _ner_sentence(rows, row_lines, path, indexed, doc_start, stats)
            rows, row_lines, doc_start = [], [], False
        doc_start = doc_start or is_doc_break
    if rows:
        if indexed is None:
            indexed = _is_indexed(rows)
        yield _ner_sentence(rows, row_lines, path, indexed, doc_start, stats)


def _is_indexed(rows: List[List[str]]) -> bool:
    """Whether rows look like "ID WORD TAG ..." (Universal NER) rather than "WORD ... TAG"."""
    return len(rows) >= 2 and all(
        len(r) >= 3 and r[0] == str(i) and is_tag(r[2]) for i, r in enumerate(rows, start=1))


def _ner_sentence(rows: List[List[str]], row_lines: List[int], path: str, indexed: bool,
                  doc_start: bool, stats: Optional[dict]) -> Sentence:
    words: List[str] = []
    tags: List[str] = []
    pos: Optional[List[str]] = None
    for row, line_no in zip(rows, row_lines):
        if indexed:
            if len(row) < 3 or not row[0].isdigit():
                raise DataError(Errors.E421.format(
                    path=path, line=line_no, found="\t".join(row),
                    expected="a row 'ID<TAB>WORD<TAB>TAG ...' (the layout of this file's first sentence)",
                    fix="give every row a numeric ID, the word and its tag, or a blank line between sentences."),
                    path=path, line=line_no)
            words.append(row[1])
            tags.append(row[2])
        else:
            if len(row) < 2 or not row[0]:
                raise DataError(Errors.E421.format(
                    path=path, line=line_no, found="\t".join(row),
                    expected="a row 'WORD TAG' (or 'WORD POS ... TAG'), the tag in the last column",
                    fix="add the missing tag (O if the word is outside any entity) or remove the line."),
                    path=path, line=line_no)
            words.append(row[0])
            tags.append(row[-1])
            if len(row) > 2:
                pos = pos if pos is not None else [""] * (len(words) - 1)
                pos.append(row[1])
            elif pos is not None:
                pos.append("")
    column = "third" if indexed else "last"
    ents = tags_to_iob2(tags, row_lines, path, column, stats)
    if stats is not None and len(words) > _LONG_SENT and not stats.get("long_sent"):
        stats["long_sent"], stats["long_line"] = len(words), row_lines[0]
    return Sentence(words=words, spaces=[True] * len(words), line=row_lines[0],
                    end_line=row_lines[-1], path=path,
                    doc_start=doc_start, tags=pos, ents=ents)


_ITEM_RE = re.compile(r"\S+")


def read_iob_sentences(lines: Iterable[str], path: str, *,
                       stats: Optional[dict] = None) -> Iterator[Sentence]:
    """Parse sentence-per-line "word|TAG" / "word|POS|TAG" lines into `Sentence` records."""
    doc_start = False
    for line_no, line in enumerate(lines, start=1):
        items = line.split()
        if not items:
            continue
        if items[0].startswith(DOCSTART):
            doc_start = True
            continue
        words, pos, tags = [], [], []
        for item in items:
            parts = item.split("|")
            if len(parts) not in (2, 3) or not parts[0]:
                raise DataError(Errors.E421.format(
                    path=path, line=line_no, found=item,
                    expected="items 'word|TAG' or 'word|POS|TAG' separated by spaces",
                    fix="write each token as word|TAG (e.g. London|B-LOC), one sentence per line."),
                    path=path, line=line_no)
            words.append(parts[0])
            tags.append(parts[-1])
            pos.append(parts[1] if len(parts) == 3 else "")
        ents = tags_to_iob2(tags, [line_no] * len(tags), path, "last '|'", stats)
        yield Sentence(words=words, spaces=[True] * len(words), line=line_no,
                       end_line=line_no, path=path,
                       doc_start=doc_start, tags=pos if any(pos) else None, ents=ents)
        doc_start = False


def _segment(sents: Iterable[Sentence]) -> Iterator[Sentence]:
    """Split sentences after sentence-final punctuation (--seg-sents)."""
    for sent in sents:
        starts = split_sentence_ends(sent.words)
        if not starts:
            yield sent
            continue
        bounds = [0] + starts + [len(sent.words)]
        for k, (a, b) in enumerate(zip(bounds, bounds[1:])):
            ents = sent.ents[a:b] if sent.ents is not None else None
            if ents and ents[0].startswith("I-"):
                ents[0] = "B-" + ents[0][2:]  # an entity cut by the split restarts
            yield Sentence(words=sent.words[a:b], spaces=sent.spaces[a:b], line=sent.line,
                           end_line=sent.end_line, path=sent.path,
                           doc_start=sent.doc_start and k == 0,
                           tags=sent.tags[a:b] if sent.tags is not None else None, ents=ents)


_PIPE_ITEM = re.compile(r"^\S+\|(\S+\|)?(O|[BILUES]-\S+)$")


def detect_ner_format(lines: Iterable[str]) -> Optional[str]:
    """Guess the layout of sample lines: "ner" (token per line), "iob" (sentence per
    line, word|TAG) or "conllu" (10 tab-separated columns: CoNLL-U saved as .conll).

    Returns None when no layout is recognised.
    """
    votes = {"ner": 0, "iob": 0, "conllu": 0}
    for line in lines:
        stripped = line.strip()
        if not stripped or _is_comment(stripped) or stripped.startswith(DOCSTART):
            continue
        items = stripped.split()
        fields = [f.strip() for f in line.split("\t")] if "\t" in line else items
        if all(_PIPE_ITEM.match(item) for item in items):
            votes["iob"] += 1
        elif len(fields) == 10 and fields[0].replace("-", "").replace(".", "").isdigit():
            votes["conllu"] += 1
        elif len(fields) >= 2 and (is_tag(fields[-1]) or (len(fields) >= 3 and is_tag(fields[2]))):
            votes["ner"] += 1
    best = max(votes, key=votes.get)
    if votes[best] == 0 or sorted(votes.values())[-2] == votes[best]:
        return None
    return best
