"""Doc <-> arrays, bytes; Span.as_doc, Doc.from_docs. Private helpers behind the Doc methods (JSON: _json.py)."""
from __future__ import annotations

import json
from typing import Iterable

import msgpack
import numpy as np

from ..errors import Errors, HeronValueError, Warnings, warn
from . import _annotate, _tree, span_groups
from .attrs import (
    ENT_IOB,
    FLAG_ATTRS,
    HEAD,
    IDS,
    IDX,
    LENGTH,
    NAMES,
    NORM,
    ORTH,
    SENT_END,
    SENT_START,
    SPACY,
    STRING_LEX_ATTRS,
    intify_attrs,
)
from .strings import MSGPACK_PACK, MSGPACK_UNPACK

COLUMN_DTYPES = _annotate.COLUMN_DTYPES
SIGNED = (HEAD, SENT_START)
HASHED = tuple(a for a, dt in COLUMN_DTYPES.items() if dt is np.uint64)


# ---- arrays ------------------------------------------------------------------
def _norm_values(doc) -> np.ndarray:
    """NORM hashes: the lexical norm of each word, overridden per token where set."""
    get, add = doc.vocab.get_lex_attr, doc.vocab.strings.add
    values = np.array([add(get(w, "norm")) for w in doc._words], dtype=np.uint64)
    overrides = doc._cols.get(NORM)
    if overrides is not None:
        values = np.where(overrides != 0, overrides, values)
    return values


def column_values(doc, attr: int) -> np.ndarray:
    """One attribute for every token as a uint64 array (signed values two's complement)."""
    n = len(doc._words)
    if attr == NORM:
        return _norm_values(doc)
    if attr in COLUMN_DTYPES:
        # Sentence starts as doc.sents sees them (a parsed Doc's come from its trees).
        col = _tree.sent_starts(doc) if attr == SENT_START else doc._cols.get(attr)
        if col is None:
            col = _annotate.empty_column(attr, n)
        return col.astype(np.int64).view(np.uint64) if attr in SIGNED else col.astype(np.uint64)
    vocab = doc.vocab
    words = doc._words
    if attr == ORTH:
        add = vocab.strings.add
        return np.array([add(w) for w in words], dtype=np.uint64)
    if attr in STRING_LEX_ATTRS or attr in FLAG_ATTRS:
        name = NAMES[attr].lower()
        get, add = vocab.get_lex_attr, vocab.strings.add
        values = [get(w, name) for w in words]
        return np.array([add(v) for v in values] if attr in STRING_LEX_ATTRS else values, dtype=np.uint64)
    if attr == SPACY:
        return np.array(doc._spaces, dtype=np.uint64)
    if attr == LENGTH:
        return np.array([len(w) for w in words], dtype=np.uint64)
    if attr == IDX:
        return np.array(doc._get_offsets()[:-1], dtype=np.uint64)
    if attr == SENT_END:
        starts = column_values(doc, SENT_START).view(np.int64)
        ends = np.zeros(n, dtype=np.int64)
        if n:
            ends[:-1] = starts[1:]
            ends[-1] = 1
        return ends.view(np.uint64)
    if attr == IDS["LANG"]:
        return np.full(n, doc.lang, dtype=np.uint64)
    return np.zeros(n, dtype=np.uint64)  # ID, CLUSTER, PROB, IS_OOV: not modelled


def to_array(doc, attrs) -> np.ndarray:
    single = isinstance(attrs, (str, int))
    ids = intify_attrs(attrs)
    out = np.zeros((len(doc._words), len(ids)), dtype=np.uint64)
    for j, attr in enumerate(ids):
        out[:, j] = column_values(doc, attr)
    return out[:, 0] if single else out


def from_array(doc, attrs, array) -> "object":
    ids = intify_attrs(attrs)
    array = np.asarray(array)
    n = len(doc._words)
    if array.ndim == 1 and len(ids) == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape != (n, len(ids)):
        raise HeronValueError(Errors.E031.format(shape=array.shape, n=n, n_attrs=len(ids),
                                                 attrs=[NAMES[a] for a in ids]))
    for j, attr in enumerate(ids):
        values = array[:, j]
        if attr in SIGNED:
            values = values.view(np.int64) if values.dtype == np.uint64 else values.astype(np.int64)
        if attr in COLUMN_DTYPES:
            doc._cols[attr] = values.astype(COLUMN_DTYPES[attr])
        elif attr == SPACY:
            doc._spaces = [bool(v) for v in values.tolist()]
            doc._text = doc._offsets = None
    if HEAD in ids:
        _check_heads(doc._cols[HEAD])
        if SENT_START not in ids:
            doc._cols[SENT_START] = _annotate.sent_starts_from_heads(doc._cols[HEAD])
    if SENT_START in ids and n:
        doc._cols[SENT_START][0] = 1
    return doc


def _check_heads(rel: np.ndarray) -> None:
    n = len(rel)
    heads = np.arange(n) + rel
    bad = np.flatnonzero((heads < 0) | (heads >= n))
    if len(bad):
        i = int(bad[0])
        raise HeronValueError(Errors.E009.format(head=int(heads[i]), i=i, n=n, last=n - 1))


# ---- bytes --------------------------------------------------------------------
def is_serialisable(value) -> bool:
    """JSON-serialisable and msgpack-packable (ints within 64 bits)."""
    try:
        json.dumps(value)
        msgpack.packb(value, **MSGPACK_PACK)
    except (TypeError, ValueError, OverflowError):
        return False
    return True


def user_data_to_list(user_data: dict) -> list:
    """[[key, value], ...] with tuple keys as lists; unserialisable entries skipped (W001)."""
    out = []
    for key, value in user_data.items():
        if not is_serialisable(key if not isinstance(key, tuple) else list(key)):
            warn(Warnings.W001.format(key=key, type=type(key).__name__))
        elif not is_serialisable(value):
            warn(Warnings.W001.format(key=key, type=type(value).__name__))
        else:
            out.append([list(key) if isinstance(key, tuple) else key, value])
    return out


def user_data_from_list(items: list) -> dict:
    return {tuple(k) if isinstance(k, list) else k: v for k, v in items}


def used_strings(doc) -> set:
    strings = doc.vocab.strings
    out = set(doc._words)
    for attr in HASHED:
        col = doc._cols.get(attr)
        if col is not None:
            out.update(strings[int(h)] for h in np.unique(col).tolist() if h)
    return out | span_groups.span_strings(doc)


def doc_to_dict(doc, exclude: Iterable[str] = ()) -> dict:
    msg = {"words": list(doc._words), "spaces": np.array(doc._spaces, dtype=np.uint8).tobytes(),
           "cols": {NAMES[a]: col.tobytes() for a, col in doc._cols.items()},
           "strings": sorted(used_strings(doc) - set(doc._words)), "cats": dict(doc.cats)}
    if "user_data" not in exclude:
        msg["user_data"] = user_data_to_list(doc.user_data)
    if "span_groups" not in exclude and span_groups.has_spans(doc):
        msg["span_groups"] = doc.spans.to_bytes()  # spaCy's key and layout
    if "tensor" not in exclude and doc._tensor is not None:
        tensor = doc._tensor
        if hasattr(tensor, "detach"):
            tensor = tensor.detach().cpu().numpy()
        msg["tensor"] = {"shape": list(tensor.shape), "dtype": tensor.dtype.str,
                         "data": np.ascontiguousarray(tensor).tobytes()}
    return msg


def doc_from_dict(doc, msg: dict, exclude: Iterable[str] = ()):
    try:
        for string in msg["strings"]:
            doc.vocab.strings.add(string)
        words = list(msg["words"])
        spaces = np.frombuffer(msg["spaces"], dtype=np.uint8).astype(bool).tolist()
        cols = {IDS[name]: np.frombuffer(data, dtype=COLUMN_DTYPES[IDS[name]]).copy()
                for name, data in msg["cols"].items()}
        for string in words:
            doc.vocab.strings.add(string)
        tensor = msg.get("tensor")
        if tensor is not None and "tensor" not in exclude:
            tensor = np.frombuffer(tensor["data"], dtype=np.dtype(tensor["dtype"])).reshape(tensor["shape"]).copy()
        if len(spaces) != len(words) or any(len(c) != len(words) for c in cols.values()):
            raise ValueError("column lengths differ from the number of words")
        groups = None
        if msg.get("span_groups") and "span_groups" not in exclude:
            # Checked against the new words before the Doc changes, so a bad message leaves it intact.
            scratch = doc._from_words_fast(doc.vocab, words, spaces)
            groups = scratch.spans.from_bytes(msg["span_groups"], source="Doc.from_bytes")
    except (KeyError, TypeError, ValueError) as e:
        raise HeronValueError(Errors.E035.format(err=f"{type(e).__name__}: {e}")) from None
    doc._words, doc._spaces, doc._cols = words, spaces, cols
    doc._text = doc._offsets = doc._tree = None
    doc._spans = None if groups is None else groups._groups  # the same words: the checked records fit
    doc.cats = dict(msg.get("cats") or {})
    if "user_data" not in exclude and "user_data" in msg:
        doc.user_data = user_data_from_list(msg["user_data"])
    if tensor is not None and "tensor" not in exclude:
        doc._tensor = tensor
    return doc


def doc_to_bytes(doc, exclude: Iterable[str] = ()) -> bytes:
    return msgpack.packb(doc_to_dict(doc, exclude), **MSGPACK_PACK)


def doc_from_bytes(doc, data: bytes, exclude: Iterable[str] = ()):
    try:
        msg = msgpack.unpackb(data, **MSGPACK_UNPACK)
    except Exception as e:  # msgpack raises several unrelated types on corrupt input
        raise HeronValueError(Errors.E035.format(err=f"{type(e).__name__}: {e}")) from None
    if not isinstance(msg, dict):
        raise HeronValueError(Errors.E035.format(err="not a msgpack map"))
    return doc_from_dict(doc, msg, exclude)


def span_as_doc(span, copy_user_data: bool):
    from .doc import Doc

    doc = span.doc
    start, end = span.start, span.end
    new = Doc._from_words_fast(doc.vocab, doc._words[start:end], doc._spaces[start:end])
    for attr, col in doc._cols.items():
        new._cols[attr] = col[start:end].copy()
    if HEAD in new._cols:
        rel = new._cols[HEAD]
        heads = np.arange(start, end) + rel
        outside = (heads < start) | (heads >= end)
        rel[outside] = 0  # heads outside the span: the token becomes a root
        if SENT_START not in doc._cols:
            new._cols[SENT_START] = _annotate.sent_starts_from_heads(rel)
    if SENT_START in new._cols and len(new):
        new._cols[SENT_START][0] = 1
    if ENT_IOB in new._cols and len(new) and new._cols[ENT_IOB][0] == 1:
        new._cols[ENT_IOB][0] = 3  # an entity cut by the span start begins anew
    if doc._tensor is not None and len(doc._tensor):
        new._tensor = doc._tensor[start:end]
    new.cats = dict(doc.cats)
    span_groups.spans_in(span, new)
    if copy_user_data:
        new.user_data = {k: v for k, v in doc.user_data.items() if not isinstance(k, tuple)}
    return new


def from_docs(cls, docs: list, ensure_whitespace: bool):
    """Concatenate Docs (same Vocab): words, columns, sentence starts, entities, tensors.

    Token/Span extension values in user_data move with their char offsets; Doc-level
    values are kept from the first Doc that has them.
    """
    if not docs:
        return None
    vocab = docs[0].vocab
    words, spaces, user_data, offset = [], [], {}, 0
    for k, doc in enumerate(docs):
        doc_spaces = list(doc._spaces)
        if ensure_whitespace and k + 1 < len(docs) and doc_spaces and not doc_spaces[-1] \
                and not doc._words[-1][-1:].isspace():
            doc_spaces[-1] = True
        for key, value in doc.user_data.items():
            if isinstance(key, tuple) and len(key) == 4 and key[0] == "._." and key[2] is not None:
                key = (key[0], key[1], key[2] + offset, None if key[3] is None else key[3] + offset)
            user_data.setdefault(key, value)
        words.extend(doc._words)
        spaces.extend(doc_spaces)
        offset += sum(len(w) + s for w, s in zip(doc._words, doc_spaces))
    new = cls._from_words_fast(vocab, words, spaces)
    new.user_data = user_data
    for attr in set().union(*(d._cols for d in docs)):
        parts = [d._cols[attr] if attr in d._cols else _annotate.empty_column(attr, len(d)) for d in docs]
        new._cols[attr] = np.concatenate(parts) if parts else _annotate.empty_column(attr, 0)
    if len(new) and len(docs) > 1:  # a Doc boundary is always a sentence boundary
        col = new._col(SENT_START)
        starts = np.cumsum([0] + [len(d) for d in docs[:-1]])
        col[starts[starts < len(new)]] = 1
    tensors = [d._tensor for d in docs if d._tensor is not None and len(d._tensor)]
    if len(tensors) == len(docs) and len({t.shape[1:] for t in tensors}) == 1 and isinstance(tensors[0], np.ndarray):
        new._tensor = np.concatenate(tensors)
    span_groups.concat(docs, new)
    return new
