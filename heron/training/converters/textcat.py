"""Text classification corpora (TSV, CSV, JSONL) -> Docs with `doc.cats`.

    heron convert train.tsv corpus/ --converter textcat --labels labels.txt
    heron convert reviews.csv corpus/ -c textcat --exclusive      # one label per text

Accepted inputs (one text per row):

    TSV / CSV   text <sep> labels [<sep> anything else]; labels comma-separated
                ("joy,surprise"), or ids ("3,4") indexing the --labels file (0-based).
                CSV quoting ("a ""quoted"", text") is honoured in both, as in the
                GoEmotions files. A first row naming the columns "text" and "label(s)"/
                "cats" is a header, which may put them in any columns.
    JSONL       {"text": "...", "cats": {"joy": 1, "anger": 0}} or
                {"text": "...", "labels": ["joy"]}; Prodigy rows whose "answer" is
                "reject" or "ignore" are skipped.

Every Doc's cats hold EVERY label (1.0 where it applies, 0.0 elsewhere; JSONL cats
values as given): the label set is the --labels file, else every label seen in the
file (sorted). Give --labels when converting train and dev separately, so both get
the same labels even if the dev file lacks a rare one. `exclusive=True` keeps only
the rows with exactly one label (W960 counts the others).

Malformed rows raise DataError naming path:line (E458-E462); `heron convert` then
writes nothing. The file is read completely before the first Doc is made (the label
set must be known), which `heron convert` does anyway.
"""
from __future__ import annotations

import csv
import json
import os
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple, Union

from ...errors import DataError, Errors, Warnings, warn
from ._common import Source, read_lines
from .jsonl import load_tokenizer

LabelsArg = Union[None, str, "os.PathLike[str]", Sequence[str]]
_LABEL_HEADERS = ("labels", "label", "cats", "categories", "category")
_SKIP_ANSWERS = ("reject", "ignore")
Record = Tuple[int, str, Dict[str, float]]  # (line, text, {label: value})


def textcat_to_docs(source: Source, *, lang: str = "en", labels: LabelsArg = None, exclusive: bool = False,
                    tokenizer: Optional[Callable] = None, path: Optional[str] = None,
                    **_: Any) -> Iterator[Any]:
    """Read a TSV/CSV/JSONL text classification file and yield one Doc per row.

    labels: a labels file (one name per line; line 1 = id 0) or a list of label names.
        Required for numeric label ids; fixes the label set (unknown labels: E459).
    exclusive (bool): keep only rows with exactly one label.
    lang / tokenizer: how texts are tokenized (heron.blank(lang) by default).
    RAISES DataError: E458-E462 naming path:line.
    """
    name, lines = read_lines(source, path)
    label_list = read_labels(labels)
    lines = iter(lines)
    first, lines = _peek(lines)
    if _is_jsonl(name, first):
        records = list(_jsonl_records(lines, name, label_list))
    else:
        records = list(_table_records(lines, name, label_list, _delimiter(name, first)))
    all_labels = label_list if label_list is not None else sorted({k for record in records for k in record[2]})
    if exclusive:
        records = _single_label(records, name)
    tokenizer = tokenizer or load_tokenizer(lang)
    for _line, text, positives in records:
        doc = tokenizer(text)
        doc.cats = {label: float(positives.get(label, 0.0)) for label in all_labels}
        yield doc


def read_labels(labels: LabelsArg) -> Optional[List[str]]:
    """The label list of a labels file (one per line, blank lines ignored) or a sequence."""
    if labels is None:
        return None
    if isinstance(labels, (str, os.PathLike)):
        path = Path(labels)
        if not path.is_file():
            raise DataError(Errors.E462.format(path=path, where="", detail="the file does not exist"))
        names = [(i, line.strip()) for i, line in enumerate(path.read_text(encoding="utf8").splitlines(), 1)]
        where = str(path)
    else:
        names, where = list(enumerate(labels, 1)), "(labels argument)"
    out: Dict[str, int] = {}
    for line, label in names:
        if not isinstance(label, str):
            raise DataError(Errors.E462.format(path=where, where=f":{line}", detail=f"{label!r} is not a string"))
        if not label:
            continue
        if label in out:
            raise DataError(Errors.E462.format(path=where, where=f":{line}",
                                               detail=f"label {label!r} is also on line {out[label]}"))
        out[label] = line
    if not out:
        raise DataError(Errors.E462.format(path=where, where="", detail="it holds no labels"))
    return list(out)


def _peek(lines: Iterator[str]) -> Tuple[str, Iterator[str]]:
    """The first non-blank line, and an iterator that still yields every line."""
    seen: List[str] = []
    for line in lines:
        seen.append(line)
        if line.strip():
            break
    first = seen[-1] if seen else ""
    return first, _chain(seen, lines)


def _chain(head: List[str], tail: Iterator[str]) -> Iterator[str]:
    yield from head
    yield from tail


def _is_jsonl(name: str, first: str) -> bool:
    suffix = Path(name).suffix.lower()
    return suffix in (".jsonl", ".json") or (suffix not in (".tsv", ".csv", ".txt")
                                             and first.lstrip().startswith("{"))


def _delimiter(name: str, first: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix == ".csv":
        return ","
    return "\t" if suffix in (".tsv", ".txt") or "\t" in first else ","


# ---- TSV / CSV ------------------------------------------------------------------------


def _table_records(lines: Iterable[str], name: str, label_list: Optional[List[str]],
                   delimiter: str) -> Iterator[Record]:
    # Line endings back on: a quoted field spanning lines keeps its line break.
    reader = csv.reader((line + "\n" for line in lines), delimiter=delimiter)
    text_col, label_col = 0, 1
    end = 0
    for row in reader:
        line, end = end + 1, reader.line_num  # a quoted field may span lines: report the first
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if line == 1 and _is_header(row):
            cells = [c.strip().lower() for c in row]
            text_col = cells.index("text")
            label_col = next(cells.index(h) for h in _LABEL_HEADERS if h in cells)
            continue
        if len(row) <= max(text_col, label_col):
            detail = (f"found {len(row)} column(s) {row[:3]!r}, expected the text in column {text_col + 1} "
                      f"and the labels in column {label_col + 1}")
            raise DataError(Errors.E458.format(path=name, line=line, detail=detail, text_col=text_col + 1,
                                               label_col=label_col + 1), path=name, line=line)
        positives = [item.strip() for item in row[label_col].split(",") if item.strip()]
        cats = {_label_name(item, label_list, name, line): 1.0 for item in positives}
        yield line, row[text_col], cats


def _is_header(row: List[str]) -> bool:
    cells = [c.strip().lower() for c in row]
    return "text" in cells and any(h in cells for h in _LABEL_HEADERS)


def _label_name(item: str, label_list: Optional[List[str]], name: str, line: int) -> str:
    """A label as written: a name, or with a labels file an id (0-based) or a name in it."""
    if label_list is None:
        return item
    if item in label_list:
        return item
    if item.isdigit():
        if int(item) < len(label_list):
            return label_list[int(item)]
        detail = f"is an id, but the labels file has {len(label_list)} labels (ids 0-{len(label_list) - 1})"
        fix = "correct the id, or pass the labels file the ids were made with (--labels)"
    else:
        detail = f"is not in the labels file ({', '.join(label_list[:10])}{', ...' if len(label_list) > 10 else ''})"
        fix = "add it to the labels file, or correct its spelling"
    raise DataError(Errors.E459.format(path=name, line=line, label=item, detail=detail, fix=fix),
                    path=name, line=line)


# ---- JSONL ----------------------------------------------------------------------------


def _jsonl_records(lines: Iterable[str], name: str, label_list: Optional[List[str]]) -> Iterator[Record]:
    for line, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        record = _parse(raw, name, line)
        if record.get("answer") in _SKIP_ANSWERS:
            continue
        if isinstance(record.get("cats"), dict):
            cats = {}
            for label, value in record["cats"].items():
                if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:  # bools are ints
                    detail = "it must be a number from 0 to 1"
                    raise DataError(Errors.E460.format(path=name, line=line, value=value, label=label,
                                                       detail=detail), path=name, line=line)
                cats[_label_name(label, label_list, name, line) if label_list else label] = float(value)
        else:
            positives = record.get("labels", record.get("label"))
            if isinstance(positives, str):
                positives = [p.strip() for p in positives.split(",") if p.strip()]
            if not isinstance(positives, list) or not all(isinstance(p, str) and p for p in positives):
                detail = ("no \"cats\" or \"labels\"" if positives is None
                          else f"\"labels\" must be a list of label names, found {positives!r}")
                raise DataError(Errors.E461.format(path=name, line=line, detail=detail), path=name, line=line)
            cats = {_label_name(p, label_list, name, line): 1.0 for p in positives}
        yield line, record["text"], cats


def _parse(raw: str, name: str, line: int) -> Dict[str, Any]:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as err:
        detail = f"invalid JSON: {err.msg} at column {err.colno}"
        raise DataError(Errors.E461.format(path=name, line=line, detail=detail), path=name, line=line) from None
    if not isinstance(record, dict) or not isinstance(record.get("text"), str):
        detail = ("expected a JSON object" if not isinstance(record, dict)
                  else "the \"text\" key is missing" if "text" not in record else "\"text\" must be a string")
        raise DataError(Errors.E461.format(path=name, line=line, detail=detail), path=name, line=line)
    return record


def _single_label(records: List[Record], name: str) -> List[Record]:
    kept = [r for r in records if sum(v > 0.5 for v in r[2].values()) == 1]
    if len(kept) < len(records):
        first = next(r[0] for r in records if sum(v > 0.5 for v in r[2].values()) != 1)
        warn(Warnings.W960.format(path=name, n=len(records) - len(kept), total=len(records), line=first))
    return kept


__all__ = ["textcat_to_docs", "read_labels"]
