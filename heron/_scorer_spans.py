"""Scores of span groups (doc.spans[key]): spaCy's spancat and span_ruler scorers.

    scores = nlp.get_pipe("spancat").score(examples)
    scores["spans_sc_f"], scores["spans_sc_per_type"]["PER"]["p"]

Keys are `spans_{key}_p/_r/_f` and `spans_{key}_per_type` ({label: {p, r, f}}), spaCy's.
A predicted span is correct when its characters and label match a gold span's exactly;
overlapping spans are allowed on both sides. Reference Docs without the key are not
scored (missing annotation); a predicted Doc without it predicts nothing.
"""
from __future__ import annotations

from functools import partial
from typing import Any, Callable, Dict, Iterable

from .registry import registry


def score_span_group(examples: Iterable[Any], *, spans_key: str = "sc", **cfg: Any) -> Dict[str, Any]:
    """spans_{key}_p/r/f and spans_{key}_per_type over doc.spans[spans_key]; other
    keyword arguments (a component's settings, passed by its `score`) are ignored."""
    from .scorer import score_spans

    def getter(doc: Any, attr: str) -> Any:
        return doc.spans[spans_key] if spans_key in doc.spans else []

    return score_spans(examples, f"spans_{spans_key}", getter=getter, labeled=True, allow_overlap=True,
                       has_annotation=lambda doc: spans_key in doc.spans)


@registry.scorers("heron.spancat_scorer.v1")
def make_spancat_scorer() -> Callable[..., Dict[str, Any]]:
    """Scores doc.spans[spans_key]; the component passes its spans_key (spaCy's
    spacy.spancat_scorer.v1)."""
    return score_span_group


@registry.scorers("heron.overlapping_labeled_spans_scorer.v1")
def make_overlapping_labeled_spans_scorer(*, spans_key: str = "ruler") -> Callable[..., Dict[str, Any]]:
    """Scores doc.spans[spans_key] (spaCy's spacy.overlapping_labeled_spans_scorer.v1,
    the span_ruler's default).

    spans_key (str): the key to score; "ruler" = the span_ruler's default key.
    """
    return partial(score_span_group, spans_key=spans_key)


__all__ = ["score_span_group", "make_spancat_scorer", "make_overlapping_labeled_spans_scorer"]
