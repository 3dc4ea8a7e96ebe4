"""Annotation setters: what the transformer component writes besides `doc._.trf_data`.

    [components.transformer.set_extra_annotations]
    @annotation_setters = "heron.trf_tensor_setter.v1"

A setter is `setter(docs, trf_batch: FullTransformerBatch) -> None`, called at inference
after `doc._.trf_data` is set. Register your own with
`@heron.registry.annotation_setters("my_setter.v1")` (a function returning the setter)
and name it in the config (`heron train --code my_setters.py`).

`heron.trf_tensor_setter.v1` fills `doc.tensor` with one pooled vector per token, and
installs vector hooks so `token.vector`, `span.vector`, `doc.vector`, `.has_vector` and
`.similarity()` use those contextual vectors (spacy-transformers leaves them empty, a
common complaint). Tokens aligned to no wordpiece (whitespace) get zero vectors.
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional

import numpy as np
import torch
from torch import nn

from ..registry import registry
from .data import FullTransformerBatch
from .pooling import Pooling

AnnotationSetter = Callable[[List[Any], FullTransformerBatch], None]


def null_setter(docs: List[Any], trf_batch: FullTransformerBatch) -> None:
    """Write nothing beyond doc._.trf_data."""


@registry.annotation_setters("heron.null_annotation_setter.v1")
def null_annotation_setter() -> AnnotationSetter:
    """Set no extra annotations (doc._.trf_data is always set)."""
    return null_setter


class TensorSetter:
    """setter(docs, trf_batch): doc.tensor = pooled token vectors (n_tokens, width) float32."""

    def __init__(self, pooling: nn.Module):
        self.pooling = pooling

    def __call__(self, docs: List[Any], trf_batch: FullTransformerBatch) -> None:
        datas = trf_batch.doc_data
        width = max([d.width for d in datas] or [0])
        hidden = [d.last_hidden for d in datas if d.n_pieces]
        pieces = torch.from_numpy(np.concatenate(hidden, 0) if hidden else np.zeros((0, width), np.float32))
        offsets = np.cumsum([0] + [d.n_pieces for d in datas])
        index = np.concatenate([d.align.data.astype(np.int64) + int(o) for d, o in zip(datas, offsets)]
                               or [np.zeros(0, np.int64)])
        lengths = np.concatenate([d.align.lengths.astype(np.int64) for d in datas]
                                 or [np.zeros(0, np.int64)])
        with torch.no_grad():
            tokens = self.pooling(pieces, torch.from_numpy(index), torch.from_numpy(lengths)).numpy()
        start = 0
        for doc, data in zip(docs, datas):
            n = len(data.align)
            doc.tensor = np.ascontiguousarray(tokens[start:start + n], dtype=np.float32)
            start += n
            install_vector_hooks(doc)


def install_vector_hooks(doc: Any) -> None:
    """Make token/span/doc `.vector` and `.has_vector` read `doc.tensor` rows."""
    doc.user_hooks["vector"] = _doc_vector
    doc.user_hooks["has_vector"] = _has_tensor
    doc.user_token_hooks["vector"] = _token_vector
    doc.user_token_hooks["has_vector"] = _token_has_vector
    doc.user_span_hooks["vector"] = _span_vector
    doc.user_span_hooks["has_vector"] = _span_has_vector


def _doc_vector(doc: Any) -> np.ndarray:
    return _mean_rows(doc.tensor)


def _has_tensor(doc: Any) -> bool:
    return bool(len(doc.tensor))


def _token_vector(token: Any) -> np.ndarray:
    return token.doc.tensor[token.i]


def _token_has_vector(token: Any) -> bool:
    return bool(len(token.doc.tensor))


def _span_vector(span: Any) -> np.ndarray:
    return _mean_rows(span.doc.tensor[span.start:span.end], span.doc.tensor)


def _span_has_vector(span: Any) -> bool:
    return bool(len(span.doc.tensor)) and span.end > span.start


def _mean_rows(rows: np.ndarray, like: Optional[np.ndarray] = None) -> np.ndarray:
    like = rows if like is None else like
    if len(rows):
        return rows.mean(0)
    return np.zeros((like.shape[1] if like.ndim == 2 else 0,), dtype=np.float32)


@registry.annotation_setters("heron.trf_tensor_setter.v1")
def trf_tensor_setter(*, pooling: Optional[nn.Module] = None) -> AnnotationSetter:
    """Fill doc.tensor with pooled token vectors and route .vector/.similarity to them.

    pooling (layer | null): how wordpieces become token vectors; null = mean
        (heron.reduce_mean.v1). Costs one extra pooling pass per batch and
        n_tokens x width float32 per Doc.
    """
    return TensorSetter(pooling if pooling is not None else Pooling("mean"))


__all__ = ["null_annotation_setter", "trf_tensor_setter", "TensorSetter", "install_vector_hooks",
           "null_setter", "AnnotationSetter"]
