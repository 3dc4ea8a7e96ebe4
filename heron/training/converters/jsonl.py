"""JSONL (one JSON object per line) with text and character-offset entities -> Docs.

Accepted shapes (spaCy, Prodigy and doccano styles):

    {"text": "Ada lives in Paris.", "entities": [[0, 3, "PER"], [13, 18, "LOC"]]}
    {"text": "...", "spans": [{"start": 0, "end": 3, "label": "PER"}]}
    {"text": "...", "ents": [...]}        {"text": "...", "label": [[0, 3, "PER"]]}

The text is tokenized with heron's tokenizer for `lang`, unless the line carries
Prodigy-style "tokens" ([{"text": "Ada", "ws": true}, ...]), which are used as they
are. Entities are aligned to tokens with `doc.char_span(..., alignment_mode=...)`;
tokens outside every entity are "O". A line without any entity key gets no NER
annotation (missing, not "O"). Lines whose Prodigy "answer" is "reject" or "ignore"
are skipped (W403). Blank lines are ignored. Each line is one Doc (`n_sents` does not apply).

With `spans_key` (`heron convert --spans-key KEY`), Prodigy-style "spans" go to
`doc.spans[KEY]` instead of doc.ents, overlaps allowed (for spancat), in the line's order:

    {"text": "New York City", "spans": [{"start": 0, "end": 13, "label": "GPE"},
                                        {"start": 0, "end": 8, "label": "CITY", "token_start": 0, "token_end": 1}]}

"token_start"/"token_end" (inclusive, Prodigy's) are used when the line has "tokens" and
must match the character offsets (E443); otherwise spans are aligned by characters like
entities (E442 if not on token boundaries). A line without "spans" gets no group under
KEY (unannotated); "spans": [] gives an empty one. Other entity keys still fill doc.ents.
"""
from __future__ import annotations

import json
from typing import Any, Callable, Iterator, List, Optional, Tuple

from ...errors import DataError, Errors, Warnings, warn
from ._common import Source, get_vocab, read_lines

_ENTITY_KEYS = ("entities", "ents", "spans", "label")
ALIGNMENT_MODES = ("strict", "contract", "expand")


def jsonl_to_docs(source: Source, *, lang: str = "en", tokenizer: Optional[Callable] = None,
                  alignment_mode: str = "strict", vocab=None, path: Optional[str] = None,
                  spans_key: Optional[str] = None, **_: Any) -> Iterator["Doc"]:  # noqa: F821
    """Read JSONL records and yield one Doc per line.

    lang (str): language whose tokenizer splits the text (`heron.blank(lang)`), e.g. "en".
    tokenizer: a callable text -> Doc to use instead (e.g. `nlp.tokenizer`).
    alignment_mode (str): "strict" (default: an entity must start and end on token
        boundaries, else E433), "contract" (shrink to the tokens fully inside) or
        "expand" (grow to every token it touches).
    spans_key (str | None): put "spans" in doc.spans[spans_key] (overlaps allowed) instead
        of doc.ents; None (default) keeps them as entities.
    RAISES DataError: E430-E435 naming path:line (bad JSON, missing text, bad or
        misaligned or overlapping entities), E442/E443 (misaligned spans, bad token indices).
    """
    if alignment_mode not in ALIGNMENT_MODES:
        raise DataError(Errors.E409.format(
            value=alignment_mode, option="alignment_mode", detail=f"expected one of {ALIGNMENT_MODES}",
            fix="pass --alignment-mode strict, contract or expand."))
    if spans_key is not None and not (isinstance(spans_key, str) and spans_key.strip()):
        raise DataError(Errors.E409.format(value=spans_key, option="spans_key", detail="a span group needs a name",
                                           fix="pass --spans-key with a non-empty key such as sc."))
    name, lines = read_lines(source, path)
    vocab = get_vocab(vocab)
    skipped = 0
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        record = _parse_line(line, name, line_no)
        if record.get("answer") in ("reject", "ignore"):
            skipped += 1
            continue
        if tokenizer is None and "tokens" not in record:
            tokenizer = load_tokenizer(lang)
        yield _record_to_doc(record, tokenizer, vocab, alignment_mode, name, line_no, spans_key)
    if skipped:
        warn(Warnings.W403.format(path=name, n=skipped))


def load_tokenizer(lang: str) -> Callable:
    """heron's tokenizer for `lang` (via `heron.blank`), or E436 saying why it is unavailable."""
    try:
        import heron

        nlp = heron.blank(lang)
    except ImportError as err:  # the Language/tokenizer package is not installed (yet)
        raise DataError(Errors.E436.format(lang=lang, detail=f"{type(err).__name__}: {err}")) from err
    return getattr(nlp, "tokenizer", None) or nlp.make_doc


def _parse_line(line: str, path: str, line_no: int) -> dict:
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise DataError(Errors.E430.format(path=path, line=line_no, detail=f"{err.msg} at column {err.colno}"),
                        path=path, line=line_no) from None
    if not isinstance(record, dict):
        detail = f"expected a JSON object, found {type(record).__name__}"
    elif not isinstance(record.get("text"), str):
        detail = ("the \"text\" key is missing" if "text" not in record
                  else f"\"text\" must be a string, found {type(record['text']).__name__}")
    else:
        return record
    raise DataError(Errors.E431.format(path=path, line=line_no, detail=detail), path=path, line=line_no)


def _record_to_doc(record: dict, tokenizer, vocab, mode: str, path: str, line_no: int,
                   spans_key: Optional[str] = None):
    text = record["text"]
    if "tokens" in record:
        doc = _doc_from_tokens(record["tokens"], text, vocab, path, line_no)
    else:
        doc = tokenizer(text)
    keys = _ENTITY_KEYS
    if spans_key is not None:
        keys = tuple(k for k in _ENTITY_KEYS if k != "spans")
        if "spans" in record:
            doc.spans[spans_key] = _read_span_group(record, doc, mode, path, line_no, spans_key)
    entities = _read_entities(record, len(text), path, line_no, keys)
    if entities is None:
        return doc
    spans = []
    for start, end, label in entities:
        span = doc.char_span(start, end, label=label, alignment_mode=mode)
        if span is None or len(span) == 0:
            raise DataError(Errors.E433.format(
                path=path, line=line_no, start=start, end=end, label=label, span_text=text[start:end],
                mode=mode, tokens=_tokens_near(doc, start, end)), path=path, line=line_no)
        spans.append(span)
    doc.ents = _check_overlaps(spans, path, line_no)
    return doc


def _read_entities(record: dict, n_chars: int, path: str, line_no: int,
                   keys: Tuple[str, ...] = _ENTITY_KEYS) -> Optional[List[Tuple[int, int, str]]]:
    key = next((k for k in keys if k in record and (k != "label" or isinstance(record[k], list))), None)
    if key is None:
        return None
    return [(start, end, label) for start, end, label, _ in _read_offsets(record, key, n_chars, path, line_no)]


def _read_offsets(record: dict, key: str, n_chars: int, path: str, line_no: int) -> List[Tuple[int, int, str, Any]]:
    """(start, end, label, the item as written) for each item of record[key] (E431/E432 if malformed)."""
    raw = record[key]
    if not isinstance(raw, list):
        raise DataError(Errors.E431.format(path=path, line=line_no,
                                           detail=f"{key!r} must be a list, found {type(raw).__name__}"),
                        path=path, line=line_no)
    out = []
    for item in raw:
        if isinstance(item, dict):
            start, end, label = item.get("start"), item.get("end"), item.get("label")
        elif isinstance(item, (list, tuple)) and len(item) == 3:
            start, end, label = item
        else:
            start = end = label = None
        ok_offsets = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
        detail = ("expected [start, end, label] or {\"start\", \"end\", \"label\"}" if start is None and end is None
                  else "start and end must be integers" if not ok_offsets
                  else "offsets out of range" if not 0 <= start < end <= n_chars
                  else "label must be a non-empty string" if not (isinstance(label, str) and label)
                  else None)
        if detail:
            raise DataError(Errors.E432.format(path=path, line=line_no, entity=item, detail=detail,
                                               n_chars=n_chars), path=path, line=line_no)
        out.append((start, end, label, item))
    return out


def _read_span_group(record: dict, doc, mode: str, path: str, line_no: int, key: str) -> list:
    """The Spans of record["spans"] for doc.spans[key], in order, overlaps allowed."""
    spans = []
    for start, end, label, item in _read_offsets(record, "spans", len(record["text"]), path, line_no):
        if "tokens" in record and isinstance(item, dict) and ("token_start" in item or "token_end" in item):
            span = _span_by_tokens(doc, item, start, end, label, path, line_no)
        else:
            span = doc.char_span(start, end, label=label, alignment_mode=mode)
        if span is None or len(span) == 0:
            raise DataError(Errors.E442.format(
                path=path, line=line_no, start=start, end=end, label=label, span_text=record["text"][start:end],
                key=key, mode=mode, tokens=_tokens_near(doc, start, end)), path=path, line=line_no)
        spans.append(span)
    return spans


def _span_by_tokens(doc, item: dict, start: int, end: int, label: str, path: str, line_no: int):
    first, last = item.get("token_start"), item.get("token_end")
    detail = None
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (first, last)):
        detail = "both must be integers"
    elif not 0 <= first <= last < len(doc):
        detail = f"tokens {first}..{last} are not within the line's {len(doc)} tokens"
    else:
        span = doc[first:last + 1]
        if (span.start_char, span.end_char) == (start, end):
            span.label_ = label
            return span
        detail = (f"tokens {first}..{last} ({span.text!r}) cover characters {span.start_char}-{span.end_char}, "
                  f"not {start}-{end}")
    raise DataError(Errors.E443.format(path=path, line=line_no, span=item, detail=detail), path=path, line=line_no)


def _check_overlaps(spans: list, path: str, line_no: int) -> list:
    unique = {(s.start, s.end, s.label_): s for s in spans}  # exact duplicates are harmless
    ordered = sorted(unique.values(), key=lambda s: (s.start, s.end))
    for prev, span in zip(ordered, ordered[1:]):
        if span.start < prev.end:
            raise DataError(Errors.E434.format(
                path=path, line=line_no, first=f"{prev.text} ({prev.label_})",
                second=f"{span.text} ({span.label_})"), path=path, line=line_no)
    return ordered


def _tokens_near(doc, start: int, end: int) -> str:
    near = [t for t in doc if t.idx < end + 10 and t.idx + len(t.text) > start - 10]
    return ", ".join(f"{t.text!r}@{t.idx}-{t.idx + len(t.text)}" for t in near[:8]) or "none"


def _doc_from_tokens(tokens: Any, text: str, vocab, path: str, line_no: int):
    from ...tokens import Doc

    if not isinstance(tokens, list) or not all(isinstance(t, dict) and isinstance(t.get("text"), str)
                                               and t["text"] for t in tokens):
        raise DataError(Errors.E435.format(path=path, line=line_no,
                                           detail="expected a list of {\"text\": ..., \"ws\": ...} objects"),
                        path=path, line=line_no)
    words = [t["text"] for t in tokens]
    spaces = [bool(t.get("ws", True)) for t in tokens]
    rebuilt = "".join(w + (" " if s else "") for w, s in zip(words, spaces))
    if rebuilt.rstrip(" ") != text.rstrip(" "):
        at = next((i for i, (a, b) in enumerate(zip(rebuilt, text)) if a != b), min(len(rebuilt), len(text)))
        raise DataError(Errors.E435.format(path=path, line=line_no,
                                           detail=(f"they differ at character {at}: "
                                                   f"{rebuilt[at:at + 20]!r} vs {text[at:at + 20]!r}")),
                        path=path, line=line_no)
    if spaces and not text.endswith(" "):
        spaces[-1] = False
    return Doc(vocab, words=words, spaces=spaces)
