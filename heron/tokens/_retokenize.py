"""The array work behind doc.retokenize() (what is kept: see retokenizer.py).

Every column is rebuilt with one numpy gather from an index map (new token -> old token),
then the few merged or split tokens are patched; nothing loops over the Doc per column.
"""
from __future__ import annotations

import numpy as np

from . import _annotate, span_groups
from .attrs import (
    DEP,
    ENT_ID,
    ENT_IOB,
    ENT_KB_ID,
    ENT_TYPE,
    FLAG_ATTRS,
    HEAD,
    LEMMA,
    MORPH,
    NAMES,
    NORM,
    POS,
    SENT_START,
    STRING_LEX_ATTRS,
    TAG,
)
from .span import Span
from .token import Token

# Taken from the span's root by a merge (the rest comes from the span's first token).
_FROM_ROOT = frozenset((TAG, POS, MORPH, DEP, ENT_TYPE, ENT_KB_ID, ENT_ID))


def merged_index(n: int, merges: list) -> np.ndarray:
    """(n,) the index each token will have after `merges` (a merged span's tokens: its one)."""
    keep = np.ones(n, dtype=bool)
    for start, end, _ in merges:
        keep[start + 1:end] = False
    return np.cumsum(keep) - 1


def apply_merges(doc, merges: list) -> None:
    """Merge each (start, end, attrs) of `merges` (sorted by start, disjoint)."""
    n = len(doc._words)
    roots = np.array([Span(doc, start, end).root.i for start, end, _ in merges], dtype=np.int64)
    firsts = np.array([start for start, _, _ in merges], dtype=np.int64)
    lasts = np.array([end - 1 for _, end, _ in merges], dtype=np.int64)
    follow = sents_follow_tree(doc)
    new_index = merged_index(n, merges)
    keep = np.ones(n, dtype=bool)
    keep[1:] = new_index[1:] != new_index[:-1]  # one token kept per span: its first
    at = new_index[firsts]
    cols = {}
    for attr, col in doc._cols.items():
        if attr == HEAD:
            continue
        new = col[keep]
        if attr in _FROM_ROOT:
            new[at] = col[roots]
        elif attr == NORM:
            new[at] = 0
        cols[attr] = new
    if LEMMA in cols:
        cols[LEMMA][at] = np.array([_joined_lemma(doc, start, end) for start, end, _ in merges], dtype=np.uint64)
    if ENT_IOB in cols:
        cols[ENT_IOB][at] = [_merged_iob(doc, start, root) for (start, _, _), root in zip(merges, roots.tolist())]
    if HEAD in doc._cols:
        heads = np.arange(n, dtype=np.int64) + doc._cols[HEAD]
        heads[firsts] = heads[roots]  # the merged token hangs where the span's root did
        n_new = int(keep.sum())
        cols[HEAD] = (new_index[heads[keep]] - np.arange(n_new)).astype(np.int32)
    words, spaces = [], []
    span_end = dict(zip(firsts.tolist(), (lasts + 1).tolist()))
    i = 0
    while i < n:
        end = span_end.get(i, i + 1)
        words.append("".join(w + " " * s for w, s in zip(doc._words[i:end - 1], doc._spaces[i:end - 1]))
                     + doc._words[end - 1])
        spaces.append(doc._spaces[end - 1])
        i = end
    rows = np.flatnonzero(keep)
    rows[at] = lasts  # the merged token keeps the last token's tensor row (spaCy)
    span_groups.remap(doc, new_index, new_index + 1, len(words))
    _replace(doc, words, spaces, cols, rows, follow)
    for position, (_, _, attrs) in zip(at.tolist(), merges):
        set_token_attrs(doc, position, attrs)


def apply_splits(doc, splits: dict) -> None:
    """Split tokens: {token: (orths, [(head token, piece), ...], [attrs per piece])}."""
    n = len(doc._words)
    follow = sents_follow_tree(doc)
    counts = np.ones(n, dtype=np.int64)
    for i, (orths, _, _) in splits.items():
        counts[i] = len(orths)
    first = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.int64)
    src = np.repeat(np.arange(n), counts)  # (n_new,) old token of each new token
    piece = np.arange(len(src)) - first[src]
    split_rows = np.flatnonzero(np.isin(src, np.fromiter(splits, dtype=np.int64, count=len(splits))))
    later = piece > 0
    cols = {attr: col[src] for attr, col in doc._cols.items() if attr != HEAD}
    words, spaces = [], []
    for i, (word, space) in enumerate(zip(doc._words, doc._spaces)):
        orths = splits[i][0] if i in splits else (word,)
        words.extend(orths)
        spaces.extend([False] * (len(orths) - 1) + [space])
    if LEMMA in cols:
        lemmas = cols[LEMMA]
        add = doc.vocab.strings.add
        for j in split_rows.tolist():
            if lemmas[j]:  # a set lemma becomes the piece's text (spaCy)
                lemmas[j] = add(words[j])
    if NORM in cols:
        cols[NORM][split_rows] = 0
    if ENT_IOB in cols:
        iob = cols[ENT_IOB]
        iob[later & (iob == 3)] = 1  # an entity that began at the token begins at its first piece
    if SENT_START in cols:
        starts = cols[SENT_START]
        starts[later] = np.where(starts[later] != 0, -1, 0)
    old_heads = np.arange(n, dtype=np.int64)
    if HEAD in doc._cols:
        old_heads = old_heads + doc._cols[HEAD]
    heads = first[old_heads[src]]  # arcs into a split token reach its first piece
    for i, (_, head_refs, _) in splits.items():
        heads[first[i]:first[i] + counts[i]] = [first[h] + k for h, k in head_refs]
    if HEAD in doc._cols or (heads != np.arange(len(src))).any():
        cols[HEAD] = (heads - np.arange(len(src))).astype(np.int32)
    span_groups.remap(doc, first, first + counts, len(words))
    _replace(doc, words, spaces, cols, src, follow, zero_rows=split_rows)
    for i, (_, _, per_piece) in splits.items():
        for k, attrs in enumerate(per_piece):
            set_token_attrs(doc, int(first[i]) + k, attrs)


def sents_follow_tree(doc) -> bool:
    """Whether the Doc's sentence starts are exactly the ones its trees imply."""
    starts, rel = doc._cols.get(SENT_START), doc._cols.get(HEAD)
    return starts is not None and rel is not None and np.array_equal(starts, _annotate.sent_starts_from_heads(rel))


def _replace(doc, words: list, spaces: list, cols: dict, rows: np.ndarray, follow: bool,
             zero_rows=None) -> None:
    """Install the new words and columns; doc.tensor rows gathered by `rows`."""
    doc._words, doc._spaces, doc._cols = words, spaces, cols
    doc._offsets = None  # the text itself is unchanged: doc._text stays valid
    doc._tree = None
    tensor = doc._tensor
    if tensor is not None and len(tensor):
        tensor = tensor[rows]  # numpy or torch: both take an int64 index array
        if zero_rows is not None and len(zero_rows):
            tensor[zero_rows] = 0
        doc._tensor = tensor
    if SENT_START in cols and len(words):
        cols[SENT_START][0] = 1
    if follow:
        cols[SENT_START] = _annotate.sent_starts_from_heads(cols[HEAD])
    if ENT_IOB in cols:
        repair_iob(cols[ENT_IOB], cols.get(ENT_TYPE))


def repair_iob(iob: np.ndarray, types) -> None:
    """An "I" that cannot continue the previous token's entity begins one (spaCy's rule)."""
    if not len(iob):
        return
    if types is None:
        types = np.zeros(len(iob), dtype=np.uint64)
    cut = np.concatenate(([True], types[1:] != types[:-1]))
    iob[(iob == 1) & cut] = 3


def set_token_attrs(doc, i: int, attrs: dict) -> None:
    """Write normalised retokenizer attrs (see retokenizer.normalize_attrs) to token i."""
    for attr, value in attrs.items():
        if attr == "_":
            continue
        if attr in FLAG_ATTRS or (attr in STRING_LEX_ATTRS and attr != NORM):
            doc.vocab.set_lex_attr(doc._words[i], NAMES[attr].lower(), value)
        else:
            doc._col(attr)[i] = value
    if SENT_START in attrs and len(doc._words):
        doc._cols[SENT_START][0] = 1
    if ENT_IOB in attrs or ENT_TYPE in attrs:
        repair_iob(doc._col(ENT_IOB), doc._cols.get(ENT_TYPE))
    token = Token(doc, i)
    for name, value in (attrs.get("_") or {}).items():
        token._.set(name, value)


def _joined_lemma(doc, start: int, end: int) -> int:
    lemmas = doc._cols[LEMMA]
    strings = doc.vocab.strings
    text = "".join((strings[int(lemmas[j])] if lemmas[j] else "") + (" " if doc._spaces[j] else "")
                   for j in range(start, end))
    return strings.add(text.strip())


def _merged_iob(doc, start: int, root: int) -> int:
    """The merged token's IOB: the root's; inside an entity, "B" unless it continues one."""
    iob = doc._cols[ENT_IOB]
    types = doc._cols.get(ENT_TYPE)
    code = int(iob[root])
    if code not in (1, 3):
        return code
    label = 0 if types is None else int(types[root])
    if types is not None and start > 0 and iob[start] == 1 and types[start] == label and types[start - 1] == label:
        return 1
    return 3

