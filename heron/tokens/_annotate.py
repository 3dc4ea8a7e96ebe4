"""Writing and reading annotation columns: constructor annotations, has_annotation, sentences.

Private helpers of Doc; they work on `doc._cols` (attrs ID -> numpy column) directly so
that whole columns are written with one numpy call rather than token by token.
"""
from __future__ import annotations

import numpy as np

from ..errors import Errors, HeronValueError
from .attrs import (
    DEP,
    ENT_ID,
    ENT_IOB,
    ENT_KB_ID,
    ENT_TYPE,
    HEAD,
    LEMMA,
    MORPH,
    NORM,
    POS,
    SENT_START,
    TAG,
    UNIVERSAL_POS,
)
from .morphology import normalize_features

COLUMN_DTYPES = {TAG: np.uint64, POS: np.uint64, LEMMA: np.uint64, MORPH: np.uint64,
                 DEP: np.uint64, ENT_TYPE: np.uint64, ENT_KB_ID: np.uint64, ENT_ID: np.uint64,
                 HEAD: np.int32, ENT_IOB: np.uint8, SENT_START: np.int8,
                 # Token-level NORM overrides (tokenizer special cases, users); 0 = the
                 # word's lexical norm. Reading NORM merges the two (see token.norm_).
                 NORM: np.uint64}
IOB_STRINGS = ("", "I", "O", "B")
_IOB_CODES = {"I": 1, "O": 2, "B": 3, "L": 1, "U": 3, "E": 1, "S": 3}
_POS_SET = frozenset(UNIVERSAL_POS)


def empty_column(attr: int, n: int) -> np.ndarray:
    col = np.zeros(n, dtype=COLUMN_DTYPES[attr])
    if attr == SENT_START and n:
        col[0] = 1  # the first token always starts a sentence (spaCy issue #2869)
    return col


def check_pos(value: str, where: str = "") -> str:
    if value not in _POS_SET:
        raise HeronValueError(Errors.E008.format(value=value, where=where, allowed=", ".join(UNIVERSAL_POS)))
    return value


def _check_len(name: str, values, n: int) -> list:
    values = list(values)
    if len(values) != n:
        raise HeronValueError(Errors.E007.format(name=name, n_values=len(values), n_words=n))
    return values


def _hash_column(doc, name: str, values, n: int, normalize=None) -> np.ndarray:
    add = doc.vocab.strings.add
    out = []
    for i, value in enumerate(_check_len(name, values, n)):
        if value is None or (value == "" and name != "morphs"):
            out.append(0)  # an empty morph string is "annotated, no features", not missing
        elif normalize is not None:
            out.append(add(normalize(value, f" for token {i} ({name}=...)")))
        elif isinstance(value, str):
            out.append(add(value))
        else:
            raise HeronValueError(Errors.E038.format(value=value, attr=f"{name}[{i}]", expected="str or None",
                                                     fix=f"pass strings in {name}=[...]"))
    return np.array(out, dtype=np.uint64)


def set_annotations(doc, *, tags, pos, morphs, lemmas, heads, deps, sent_starts, ents) -> None:
    """Validate the constructor's per-token lists and write them as columns."""
    n = len(doc._words)
    if tags is not None:
        doc._cols[TAG] = _hash_column(doc, "tags", tags, n)
    if pos is not None:
        doc._cols[POS] = _hash_column(doc, "pos", pos, n, normalize=check_pos)
    if morphs is not None:
        doc._cols[MORPH] = _hash_column(doc, "morphs", morphs, n, normalize=normalize_features)
    if lemmas is not None:
        doc._cols[LEMMA] = _hash_column(doc, "lemmas", lemmas, n)
    if deps is not None:
        doc._cols[DEP] = _hash_column(doc, "deps", deps, n)
    if heads is not None:
        doc._cols[HEAD] = heads_to_relative(_check_len("heads", heads, n))
    if sent_starts is not None:
        doc._cols[SENT_START] = sent_starts_column(_check_len("sent_starts", sent_starts, n))
    elif heads is not None:
        doc._cols[SENT_START] = sent_starts_from_heads(doc._cols[HEAD])
    if ents is not None:
        iob, types = parse_iob(doc, _check_len("ents", ents, n))
        doc._cols[ENT_IOB] = iob
        doc._cols[ENT_TYPE] = types


def heads_to_relative(heads: list) -> np.ndarray:
    n = len(heads)
    rel = np.zeros(n, dtype=np.int32)
    for i, head in enumerate(heads):
        if head is None:
            continue
        if isinstance(head, bool) or not isinstance(head, (int, np.integer)) or not 0 <= head < n:
            raise HeronValueError(Errors.E009.format(head=head, i=i, n=n, last=n - 1))
        rel[i] = head - i
    return rel


def sent_starts_column(values: list) -> np.ndarray:
    col = np.zeros(len(values), dtype=np.int8)
    for i, value in enumerate(values):
        if value is True or value == 1:
            col[i] = 1
        elif value is False or value == -1:
            col[i] = -1
        elif value is not None and value != 0:
            raise HeronValueError(Errors.E033.format(value=value, i=i))
    if len(values):
        col[0] = 1  # token 0 starts a sentence whatever was passed
    return col


def sent_starts_from_heads(rel_heads: np.ndarray) -> np.ndarray:
    """Sentence starts from dependency trees: a sentence is a run of tokens sharing a root.

    Roots are found by pointer jumping (log(depth) numpy steps); a malformed tree with a
    cycle simply stops after 64 steps rather than looping.
    """
    n = len(rel_heads)
    root = np.arange(n, dtype=np.int64) + rel_heads
    for _ in range(64):
        nxt = root[root]
        if np.array_equal(nxt, root):
            break
        root = nxt
    col = np.full(n, -1, dtype=np.int8)
    if n:
        col[0] = 1
        col[1:][root[1:] != root[:-1]] = 1
    return col


def parse_iob(doc, ents: list) -> tuple[np.ndarray, np.ndarray]:
    """IOB/BILUO strings -> (ENT_IOB codes, ENT_TYPE hashes), repairing IOB1 like spaCy.

    "I-X" after "O", a missing tag, or an entity of another type starts a new entity.
    """
    n = len(ents)
    iob = np.zeros(n, dtype=np.uint8)
    types = np.zeros(n, dtype=np.uint64)
    add = doc.vocab.strings.add
    prev_code, prev_label = 0, ""
    for i, tag in enumerate(ents):
        if tag is None or tag == "" or tag == "-":
            prev_code, prev_label = 0, ""
            continue
        if not isinstance(tag, str):
            raise HeronValueError(Errors.E010.format(tag=tag, i=i))
        if tag == "O":
            iob[i] = 2
            prev_code, prev_label = 2, ""
            continue
        prefix, sep, label = tag.partition("-")
        code = _IOB_CODES.get(prefix)
        if code is None or not sep or not label:
            raise HeronValueError(Errors.E010.format(tag=tag, i=i))
        if code == 1 and (prev_code not in (1, 3) or prev_label != label or prev_closed(ents, i)):
            code = 3
        iob[i] = code
        types[i] = add(label)
        prev_code, prev_label = code, label
    return iob, types


def prev_closed(ents: list, i: int) -> bool:
    """True if the previous BILUO tag ended its entity ("L-" or "U-"), so "I-" must restart."""
    prev = ents[i - 1] if i else None
    return isinstance(prev, str) and prev[:2] in ("L-", "U-", "S-", "E-")


def has_annotation(doc, attr: int, require_complete: bool) -> bool:
    n = len(doc._words)
    if n == 0:
        return True
    start = 0
    if attr == SENT_START:
        if doc._hooks and "sents" in doc._hooks[0]:
            return True
        if has_annotation(doc, DEP, False) or n == 1:
            return True
        start = 1
    if attr == HEAD:
        if has_annotation(doc, DEP, require_complete):
            return True
        col = doc._cols.get(HEAD)
        return col is not None and not require_complete and bool(col.any())
    col = doc._cols.get(attr)
    if col is None:
        if attr in COLUMN_DTYPES:
            return False
        col = doc.to_array([attr])[:, 0]
    values = col[start:]
    return bool(values.all()) if require_complete else bool(values.any())
