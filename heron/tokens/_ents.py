"""Entity annotation: reading doc.ents from the IOB columns and setting them with validation."""
from __future__ import annotations

from typing import Iterable

import numpy as np

from ..errors import Errors, HeronValueError
from .attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE

_DEFAULTS = ("outside", "missing", "blocked", "unmodified")


def get_ents(doc) -> tuple:
    """Spans from ENT_IOB/ENT_TYPE. A B token without a type (blocked) starts no entity."""
    from .span import Span

    iob_col = doc._cols.get(ENT_IOB)
    if iob_col is None:
        return ()
    n = len(iob_col)
    iob = iob_col.tolist()
    types = _col_list(doc, ENT_TYPE, n)
    kbs = _col_list(doc, ENT_KB_ID, n)
    ids = _col_list(doc, ENT_ID, n)
    out = []
    start = -1
    for i in range(n + 1):
        code = iob[i] if i < n else 0
        # "I" continues only an open entity of the same type; otherwise it starts one.
        if code == 1 and start != -1 and types[i] == types[start]:
            continue
        if start != -1:
            out.append(Span(doc, start, i, label=types[start], kb_id=kbs[start], span_id=ids[start]))
            start = -1
        if code in (1, 3) and types[i] != 0:
            start = i
    return tuple(out)


def _col_list(doc, attr: int, n: int) -> list:
    col = doc._cols.get(attr)
    return [0] * n if col is None else col.tolist()


def _to_span(doc, value):
    from .span import Span

    if isinstance(value, Span):
        if value.doc is not doc:
            # Spans of another Doc are accepted when the offsets fit (e.g. from a copy).
            value = Span(doc, *_check_range(doc, value.start, value.end, value), label=value.label_,
                         kb_id=value.kb_id_, span_id=value.id_)
        return value
    if isinstance(value, tuple) and len(value) in (3, 4):
        label, start, end = value[:3]
        kb_id = value[3] if len(value) == 4 else ""
        if isinstance(start, (int, np.integer)) and isinstance(end, (int, np.integer)):
            start, end = _check_range(doc, int(start), int(end), value)
            return Span(doc, start, end, label=label or "", kb_id=kb_id or "")
    raise HeronValueError(Errors.E015.format(value=value))


def _check_range(doc, start: int, end: int, shown) -> tuple[int, int]:
    if not 0 <= start < end <= len(doc):
        raise HeronValueError(Errors.E012.format(span=_describe(shown), n=len(doc)))
    return start, end


def _describe(span) -> str:
    from .span import Span

    if isinstance(span, Span):
        label = f", label={span.label_!r}" if span.label else ""
        return f"Span({span.start}, {span.end}{label}, text={span.text!r})"
    return repr(span)


def set_ents(doc, entities: Iterable, *, blocked=None, missing=None, outside=None,
             default: str = "outside") -> None:
    """Write entities plus blocked/missing/outside spans; see Doc.set_ents for semantics."""
    if default not in _DEFAULTS:
        raise HeronValueError(Errors.E013.format(default=default))
    groups = [[_to_span(doc, v) for v in (g or ())] for g in (entities, blocked, missing, outside)]
    for span in groups[0]:
        if not span.label:
            raise HeronValueError(Errors.E014.format(span=_describe(span)))
    _check_overlaps(doc, [s for g in groups for s in g])
    n = len(doc)
    iob, types = doc._col(ENT_IOB), doc._col(ENT_TYPE)
    kbs, ids = doc._col(ENT_KB_ID), doc._col(ENT_ID)
    covered = np.zeros(n, dtype=bool)
    for g in groups:
        for span in g:
            covered[span.start:span.end] = True
    if default != "unmodified":
        rest = ~covered
        iob[rest] = {"outside": 2, "missing": 0, "blocked": 3}[default]
        types[rest] = kbs[rest] = ids[rest] = 0
    for code, group in ((3, groups[1]), (0, groups[2]), (2, groups[3])):
        for span in group:
            iob[span.start:span.end] = code
            types[span.start:span.end] = kbs[span.start:span.end] = ids[span.start:span.end] = 0
    for span in groups[0]:
        iob[span.start] = 3
        iob[span.start + 1:span.end] = 1
        types[span.start:span.end] = span.label
        kbs[span.start:span.end] = span.kb_id
        ids[span.start:span.end] = span.id
    # An old entity continuing right after a newly set span must restart with B.
    for span in (s for g in groups for s in g):
        if span.end < n and iob[span.end] == 1 and not covered[span.end]:
            iob[span.end] = 3


def _check_overlaps(doc, spans: list) -> None:
    owner: dict[int, object] = {}
    for span in spans:
        for i in range(span.start, span.end):
            other = owner.get(i)
            if other is not None:
                raise HeronValueError(Errors.E011.format(first=_describe(other), second=_describe(span), i=i))
            owner[i] = span
