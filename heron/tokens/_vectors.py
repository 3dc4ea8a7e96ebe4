"""Word vectors on Token/Span/Doc: `.vector`, `.has_vector`, `.vector_norm`, `.similarity()`.

Vectors come from `vocab.vectors` (any table supporting `key in table`, `table[key]` with
64-bit string hashes as keys, and `.shape`), as in spaCy. `doc.user_hooks`,
`doc.user_token_hooks` and `doc.user_span_hooks` ("vector", "has_vector", "similarity")
override the defaults.

spaCy's fallback to context vectors: when the vocab has no static vectors (no table, or
an empty one) but the Doc has a `doc.tensor` (the tok2vec component writes one row per
token; a transformer does with heron.trf_tensor_setter.v1), a token's vector is its
tensor row, every token and span has a vector, and a span's or doc's vector is the mean
of its rows. `similarity` is 1.0 for the same words (spaCy compares ORTH first), warns
W561 when the vocab has no word vectors (spaCy's W007) and W562 when it compares an
empty vector (spaCy's W008), and is otherwise the cosine of the two vectors.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..errors import HeronWarning, Warnings

_EMPTY = np.zeros((0,), dtype="float32")
_OBJ_NAMES = ("Doc", "Token", "Span")  # by hook table index: 0 doc, 1 token, 2 span


def _hook(doc, table: int, name: str):
    hooks = doc._hooks
    return hooks[table].get(name) if hooks else None


def has_static_vectors(vocab) -> bool:
    """spaCy's `vocab.vectors.size > 0`: a table with at least one row and column."""
    shape = getattr(vocab.vectors, "shape", (0, 0)) if vocab.vectors is not None else (0, 0)
    return len(shape) > 1 and int(shape[0]) * int(shape[1]) > 0


def _context_rows(doc):
    """doc.tensor when the static-vector fallback applies (no static vectors, a non-empty
    tensor), else None."""
    tensor = doc.tensor
    if tensor is None or not int(np.prod(tensor.shape)) or has_static_vectors(doc.vocab):
        return None
    return tensor


def _vectors_length(vocab) -> int:
    shape = getattr(vocab.vectors, "shape", (0, 0)) if vocab.vectors is not None else (0, 0)
    return int(shape[1]) if len(shape) > 1 else 0


def lookup(vocab, text: str):
    table = vocab.vectors
    if table is None:
        return _EMPTY
    key = vocab.strings.add(text)
    if key in table:
        return table[key]
    length = _vectors_length(vocab)
    return np.zeros((length,), dtype="float32") if length else _EMPTY


def has(vocab, text: str) -> bool:
    table = vocab.vectors
    return table is not None and vocab.strings.add(text) in table


def token_vector(token):
    hook = _hook(token.doc, 1, "vector")
    if hook:
        return hook(token)
    rows = _context_rows(token.doc)
    return np.asarray(rows[token.i]) if rows is not None else lookup(token.doc.vocab, token.text)


def token_has_vector(token) -> bool:
    hook = _hook(token.doc, 1, "has_vector")
    if hook:
        return bool(hook(token))
    return _context_rows(token.doc) is not None or has(token.doc.vocab, token.text)


def span_vector(doc, start: int, end: int, obj, table: int):
    """Mean of the tokens' vectors: static vectors, else doc.tensor rows, else empty."""
    hook = _hook(doc, table, "vector")
    if hook:
        return hook(obj)
    if end <= start:
        length = _vectors_length(doc.vocab)
        return np.zeros((length,), dtype="float32") if length else _EMPTY
    rows = _context_rows(doc)
    if rows is not None:
        return np.asarray(rows[start:end]).mean(0)
    vectors = [lookup(doc.vocab, w) for w in doc._words[start:end]]
    if not len(vectors[0]):
        return _EMPTY
    return np.mean(vectors, axis=0)


def span_has_vector(doc, start: int, end: int, obj, table: int) -> bool:
    hook = _hook(doc, table, "has_vector")
    if hook:
        return bool(hook(obj))
    if has_static_vectors(doc.vocab):
        return any(has(doc.vocab, w) for w in doc._words[start:end])
    return _context_rows(doc) is not None


def norm(vector) -> float:
    return float(np.linalg.norm(np.asarray(vector))) if len(vector) else 0.0


def _words(obj, table: int):
    """The token texts of a Doc (0), Token (1) or Span (2)."""
    if table == 1:
        return [obj.text]
    doc = obj if table == 0 else obj.doc
    return doc._words if table == 0 else doc._words[obj.start:obj.end]


def same_words(obj, other, table: int) -> bool:
    """spaCy's shortcut to similarity 1.0: the same word (a Token, or a one-token Span/Doc,
    against a Token or Lexeme), or two Spans/Docs of the same words."""
    from .doc import Doc
    from .span import Span
    from .token import Token
    from .vocab import Lexeme

    words = _words(obj, table)
    if isinstance(other, (Token, Lexeme)):
        return len(words) == 1 and words[0] == other.text
    if table != 1 and isinstance(other, (Doc, Span)):
        return list(words) == list(_words(other, 0 if isinstance(other, Doc) else 2))
    return False


def _lacks_word_vectors(vocab) -> bool:
    """spaCy's `vocab.vectors.n_keys == 0` (W007); keyless floret-style tables have vectors."""
    table = vocab.vectors
    if table is None:
        return True
    return getattr(table, "mode", "default") == "default" and getattr(table, "n_keys", 1) == 0


def _warn(message: str) -> None:
    # stacklevel 4: past this helper, similarity() and Token/Span/Doc.similarity, so the
    # warning names the user's line (and Python shows it once per line, not per call).
    warnings.warn(message, HeronWarning, stacklevel=4)


def similarity(obj, other, table: int) -> float:
    """Cosine similarity of the two vectors (see the module docstring for 1.0 and warnings)."""
    doc = obj if table == 0 else obj.doc
    hook = _hook(doc, table, "similarity")
    if hook:
        return hook(obj, other)
    if same_words(obj, other, table):
        return 1.0
    name = _OBJ_NAMES[table]
    if _lacks_word_vectors(doc.vocab):
        _warn(Warnings.W561.format(obj=name))
    a, b = np.asarray(obj.vector, dtype="float64"), np.asarray(other.vector, dtype="float64")
    a_norm, b_norm = norm(a), norm(b)
    if not a_norm or not b_norm:
        if not obj.has_vector or not other.has_vector:
            _warn(Warnings.W562.format(obj=name))
        return 0.0
    if a.shape != b.shape:  # e.g. a doc.tensor row against another pipeline's vectors
        return 0.0
    return float(a @ b / (a_norm * b_norm))
