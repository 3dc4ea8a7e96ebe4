"""Word vectors on Token/Span/Doc: `.vector`, `.has_vector`, `.vector_norm`, `.similarity()`.

Vectors come from `vocab.vectors` (any table supporting `key in table`, `table[key]` with
64-bit string hashes as keys, and `.shape`), as in spaCy. `doc.user_hooks`,
`doc.user_token_hooks` and `doc.user_span_hooks` ("vector", "has_vector", "similarity")
override the defaults. Docs/Spans without word vectors fall back to the mean of
`doc.tensor` rows, like spaCy.
"""
from __future__ import annotations

import numpy as np

_EMPTY = np.zeros((0,), dtype="float32")


def _hook(doc, table: int, name: str):
    hooks = doc._hooks
    return hooks[table].get(name) if hooks else None


def lookup(vocab, text: str):
    table = vocab.vectors
    if table is None:
        return _EMPTY
    key = vocab.strings.add(text)
    if key in table:
        return table[key]
    shape = getattr(table, "shape", (0, 0))
    return np.zeros((shape[1],), dtype="float32") if len(shape) > 1 else _EMPTY


def has(vocab, text: str) -> bool:
    table = vocab.vectors
    return table is not None and vocab.strings.add(text) in table


def token_vector(token):
    hook = _hook(token.doc, 1, "vector")
    return hook(token) if hook else lookup(token.doc.vocab, token.text)


def token_has_vector(token) -> bool:
    hook = _hook(token.doc, 1, "has_vector")
    return bool(hook(token)) if hook else has(token.doc.vocab, token.text)


def span_vector(doc, start: int, end: int, obj, table: int):
    hook = _hook(doc, table, "vector")
    if hook:
        return hook(obj)
    if doc.vocab.vectors is None and len(doc.tensor):
        return doc.tensor[start:end].mean(0)
    vectors = [lookup(doc.vocab, w) for w in doc._words[start:end]]
    if not vectors or not len(vectors[0]):
        return _EMPTY
    return np.mean(vectors, axis=0)


def span_has_vector(doc, start: int, end: int, obj, table: int) -> bool:
    hook = _hook(doc, table, "has_vector")
    if hook:
        return bool(hook(obj))
    if doc.vocab.vectors is None:
        return bool(len(doc.tensor))
    return any(has(doc.vocab, w) for w in doc._words[start:end])


def norm(vector) -> float:
    return float(np.linalg.norm(np.asarray(vector))) if len(vector) else 0.0


def similarity(obj, other, table: int) -> float:
    """Cosine similarity of the two vectors; 0.0 when either is empty or all zeros."""
    hook = _hook(obj.doc if table else obj, table, "similarity")
    if hook:
        return hook(obj, other)
    a, b = np.asarray(obj.vector, dtype="float64"), np.asarray(other.vector, dtype="float64")
    if a.shape != b.shape or not a.size:
        return 0.0
    denom = np.linalg.norm(a) * np.linalg.norm(b)
    return float(a @ b / denom) if denom else 0.0
