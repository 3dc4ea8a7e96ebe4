"""Turn span categorizer probabilities into a SpanGroup (spaCy's _make_span_group_*).

Both decoders choose in numpy over the whole (n_candidates, n_labels) matrix of one
Doc; Python only runs per KEPT span (to build its Span). The group's attrs["scores"]
holds each kept span's probability, in the group's order, as spaCy writes it (a list
of floats here, see `_group`).
"""
from __future__ import annotations

from typing import Any, List, Optional

import numpy as np


def multilabel_group(doc: Any, key: str, candidates: np.ndarray, probs: np.ndarray, labels: np.ndarray, *,
                     threshold: float, max_positive: Optional[int]) -> Any:
    """Every (candidate, label) with probability >= threshold, at most `max_positive`
    labels per candidate (its most probable ones). Order: candidates as suggested, then
    labels in label order (spaCy's).

    candidates (n, 2), probs (n, L), labels (L,) uint64 label hashes.
    """
    keep = probs >= threshold  # (n, L)
    if max_positive is not None and probs.shape[1] > max_positive:
        ranked = np.argsort(-probs, axis=1, kind="stable")  # (n, L) best first; ties: label order
        np.put_along_axis(keep, ranked[:, max_positive:], False, axis=1)
    rows, cols = np.nonzero(keep)
    return _group(doc, key, candidates[rows], labels[cols], probs[rows, cols])


def singlelabel_group(doc: Any, key: str, candidates: np.ndarray, probs: np.ndarray, labels: np.ndarray, *,
                      threshold: Optional[float], allow_overlap: bool) -> Any:
    """Each candidate's most probable label, unless it is the negative label (the last
    column) or its probability is under `threshold` (None: no threshold). Without
    `allow_overlap`, candidates are taken from the most probable down and one overlapping
    an already kept span is dropped; the group is then in that order (spaCy's)."""
    n_labels = len(labels)
    best = probs.argmax(axis=1) if len(probs) else np.zeros(0, dtype=np.int64)  # (n,)
    best_p = probs[np.arange(len(best)), best] if len(best) else np.zeros(0, dtype=np.float32)
    keep = best != n_labels
    if threshold is not None:
        keep &= best_p >= threshold
    order = np.flatnonzero(keep)
    if not allow_overlap:
        order = order[np.argsort(-best_p[order], kind="stable")]
        order = np.asarray(_non_overlapping(candidates, order, len(doc)), dtype=np.int64)
    return _group(doc, key, candidates[order], labels[best[order]] if len(order) else labels[:0], best_p[order])


def _non_overlapping(candidates: np.ndarray, order: np.ndarray, n_tokens: int) -> List[int]:
    taken = np.zeros(n_tokens, dtype=bool)
    kept = []
    for i in order.tolist():
        start, end = int(candidates[i, 0]), int(candidates[i, 1])
        if not taken[start:end].any():
            taken[start:end] = True
            kept.append(i)
    return kept


def _group(doc: Any, key: str, spans: np.ndarray, labels: np.ndarray, scores: np.ndarray) -> Any:
    from ..tokens import Span
    from ..tokens.span_group import SpanGroup

    made = [Span(doc, start, end, label=label)
            for start, end, label in zip(spans[:, 0].tolist(), spans[:, 1].tolist(), labels.tolist())]
    # A list of floats, not spaCy's numpy array: group attrs must stay JSON/msgpack data so
    # Docs keep saving (DocBin, to_bytes, nlp.pipe(n_process=...)); np.asarray() reads it back.
    return SpanGroup(doc, name=key, attrs={"scores": [float(s) for s in scores.tolist()]}, spans=made)


__all__ = ["multilabel_group", "singlelabel_group"]
