"""Text classification scores (`doc.cats`) with spaCy's keys and semantics.

    scores = score_cats(examples, "cats", labels=["NEG", "POS"], multi_label=False)
    scores["cats_score"], scores["cats_macro_auc"], scores["cats_f_per_type"]["POS"]["f"]

Keys (ATTR = "cats"): ATTR_score and ATTR_score_desc (exclusive classes: macro F, or the
F of `positive_label` for a binary task; multilabel: macro F), ATTR_micro_p/r/f,
ATTR_macro_p/r/f, ATTR_macro_auc, ATTR_f_per_type ({label: {"p", "r", "f"}}),
ATTR_auc_per_type ({label: ROC AUC, or None when the gold has one class only}).

Decisions, as spaCy's Scorer.score_cats:
- multilabel: a label is predicted when its score >= its threshold (default 0.5);
  labels missing from a reference doc's cats are not scored for that doc.
- exclusive: the best-scoring label is predicted if its score >= its threshold
  (default 0.0: always) and is a true positive when it is the gold's best label; else
  the gold label gets a false negative (and the predicted one a false positive if it
  passed its threshold). Missing gold labels count as 0. One difference: a reference
  doc with no positive label adds no false negative (spaCy counts one for its first
  label, an artefact of taking the max of all-zero values).
- `thresholds` ({label: t}) overrides `threshold` per label (heron find-threshold --per-label).
- macro AUC = the sum of the per-label AUCs of labels whose gold has both classes,
  divided by ALL labels (spaCy: missing labels must not inflate the average). AUC is the
  Mann-Whitney statistic with tied scores counted as half (= the trapezoidal ROC area).

The work is vectorised in numpy: extracting the scores once (`cats_arrays`) and scoring
arrays (`score_cats_arrays`) lets `heron find-threshold` try many thresholds cheaply.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Mapping, Optional, Sequence, Tuple

import numpy as np

from .errors import Errors, HeronValueError
from .registry import registry

_TINY = 1e-100  # spaCy's PRFScore denominators: 0/0 scores 0


def roc_auc(scores: np.ndarray, positive: np.ndarray) -> Optional[float]:
    """Area under the ROC curve of `scores` for the boolean `positive`; None when one
    class is absent. Ties count half, as the trapezoidal area over the ROC curve."""
    scores = np.asarray(scores, dtype=np.float64)
    positive = np.asarray(positive, dtype=bool)
    n_pos = int(positive.sum())
    n_neg = len(positive) - n_pos
    if n_pos == 0 or n_neg == 0:
        return None
    _, inverse, counts = np.unique(scores, return_inverse=True, return_counts=True)
    before = np.cumsum(counts) - counts  # values ranked below each distinct score
    ranks = (before + (counts + 1) / 2.0)[inverse]  # 1-based average rank of every score
    return float((ranks[positive].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def cats_arrays(examples: Iterable[Any], labels: Sequence[str], attr: str = "cats",
                getter: Callable[[Any, str], Any] = getattr) -> Tuple[np.ndarray, np.ndarray]:
    """(pred (N, L), gold (N, L)) float64; NaN where a doc's cats lack the label."""
    examples = list(examples)
    pred = np.full((len(examples), len(labels)), np.nan)
    gold = np.full((len(examples), len(labels)), np.nan)
    for i, eg in enumerate(examples):
        for out, doc in ((pred, eg.predicted), (gold, eg.reference)):
            cats = getter(doc, attr) or {}
            out[i] = [cats.get(label, np.nan) for label in labels]
    return pred, gold


def score_cats(examples: Iterable[Any], attr: str = "cats", *, getter: Callable[[Any, str], Any] = getattr,
               labels: Iterable[str] = (), multi_label: bool = True, positive_label: Optional[str] = None,
               threshold: Optional[float] = None, thresholds: Optional[Mapping[str, float]] = None,
               **cfg: Any) -> Dict[str, Any]:
    """spaCy's Scorer.score_cats: P/R/F and ROC AUC of a dict-per-doc attribute (module docstring).

    labels: the labels scored (others in the cats are ignored). multi_label: independent
    labels (true) or exclusive classes. positive_label: binary exclusive task scored by
    this label's F. threshold: default 0.5 (multilabel) / 0.0 (exclusive).
    """
    labels = list(labels)
    pred, gold = cats_arrays(examples, labels, attr, getter)
    return score_cats_arrays(pred, gold, labels, attr=attr, multi_label=multi_label,
                             positive_label=positive_label, threshold=threshold, thresholds=thresholds)


def score_cats_arrays(pred: np.ndarray, gold: np.ndarray, labels: Sequence[str], *, attr: str = "cats",
                      multi_label: bool = True, positive_label: Optional[str] = None,
                      threshold: Optional[float] = None,
                      thresholds: Optional[Mapping[str, float]] = None) -> Dict[str, Any]:
    """`score_cats` on arrays from `cats_arrays` (NaN = label missing from that doc's cats)."""
    labels = list(labels)
    if threshold is None:
        threshold = 0.5 if multi_label else 0.0
    limits = np.array([float((thresholds or {}).get(label, threshold)) for label in labels])  # (L,)
    if multi_label:
        tp, fp, fn = _multilabel_counts(pred, gold, limits)
    else:
        tp, fp, fn = _exclusive_counts(pred, gold, limits)
    precision = tp / (tp + fp + _TINY)
    recall = tp / (tp + fn + _TINY)
    fscore = 2 * precision * recall / (precision + recall + _TINY)
    n_labels = len(labels) + _TINY
    auc = {}
    for j, label in enumerate(labels):
        column = gold[:, j] if multi_label else np.nan_to_num(gold[:, j], nan=0.0)
        scored = ~np.isnan(column)
        values = column[scored]
        binary = len(np.unique(values)) == 2
        auc[label] = roc_auc(np.nan_to_num(pred[scored, j], nan=0.0), values == values.max()) if binary else None
    micro = _prf(int(tp.sum()), int(fp.sum()), int(fn.sum()))
    results: Dict[str, Any] = {
        f"{attr}_score": None, f"{attr}_score_desc": None,
        f"{attr}_micro_p": micro[0], f"{attr}_micro_r": micro[1], f"{attr}_micro_f": micro[2],
        f"{attr}_macro_p": float(precision.sum() / n_labels), f"{attr}_macro_r": float(recall.sum() / n_labels),
        f"{attr}_macro_f": float(fscore.sum() / n_labels),
        f"{attr}_macro_auc": float(sum(v for v in auc.values() if v is not None) / n_labels),
        f"{attr}_f_per_type": {label: {"p": float(precision[j]), "r": float(recall[j]), "f": float(fscore[j])}
                               for j, label in enumerate(labels)},
        f"{attr}_auc_per_type": auc,
    }
    if positive_label and not multi_label and len(labels) == 2:
        if positive_label not in labels:
            raise HeronValueError(Errors.E965.format(name=attr, label=positive_label,
                                                     detail=f"is not one of the labels {labels}"))
        results[f"{attr}_score"] = results[f"{attr}_f_per_type"][positive_label]["f"]
        results[f"{attr}_score_desc"] = f"F ({positive_label})"
    else:
        results[f"{attr}_score"] = results[f"{attr}_macro_f"]
        results[f"{attr}_score_desc"] = "macro F"
    return results


def _prf(tp: int, fp: int, fn: int) -> Tuple[float, float, float]:
    p, r = tp / (tp + fp + _TINY), tp / (tp + fn + _TINY)
    return p, r, 2 * p * r / (p + r + _TINY)


def _multilabel_counts(pred: np.ndarray, gold: np.ndarray, limits: np.ndarray):
    scored = ~np.isnan(gold)  # (N, L): labels with gold for that doc
    predicted = np.nan_to_num(pred, nan=0.0) >= limits  # (N, L)
    positive = np.nan_to_num(gold, nan=0.0) > 0
    tp = (scored & predicted & positive).sum(axis=0).astype(np.float64)
    fp = (scored & predicted & ~positive).sum(axis=0).astype(np.float64)
    fn = (scored & ~predicted & positive).sum(axis=0).astype(np.float64)
    return tp, fp, fn


def _exclusive_counts(pred: np.ndarray, gold: np.ndarray, limits: np.ndarray):
    n_labels = pred.shape[1]
    tp, fp, fn = (np.zeros(n_labels) for _ in range(3))
    if not n_labels:
        return tp, fp, fn
    has_pred = ~np.isnan(pred).all(axis=1)  # (N,)
    gold0 = np.nan_to_num(gold, nan=0.0)
    has_gold = (gold0 > 0).any(axis=1)  # a doc whose gold has a positive label
    best = np.nan_to_num(pred, nan=-np.inf).argmax(axis=1)  # (N,) first best label, as spaCy's max
    best_score = np.nan_to_num(pred, nan=0.0)[np.arange(len(pred)), best]
    passed = has_pred & (best_score >= limits[best])
    gold_label = gold0.argmax(axis=1)
    hit = passed & has_gold & (best == gold_label)
    miss = has_gold & ~hit
    wrong = passed & ~hit
    tp += np.bincount(best[hit], minlength=n_labels)
    fn += np.bincount(gold_label[miss], minlength=n_labels)
    fp += np.bincount(best[wrong], minlength=n_labels)
    return tp, fp, fn


@registry.scorers("heron.textcat_scorer.v2")
def make_textcat_scorer() -> Callable[..., Dict[str, Any]]:
    """cats_* scores for exclusive classes (the textcat's default scorer, spaCy's v2)."""
    return lambda examples, **kw: score_cats(examples, "cats", **{**kw, "multi_label": False})


@registry.scorers("heron.textcat_multilabel_scorer.v2")
def make_textcat_multilabel_scorer() -> Callable[..., Dict[str, Any]]:
    """cats_* scores for independent labels (the textcat_multilabel's default scorer)."""
    return lambda examples, **kw: score_cats(examples, "cats", **{**kw, "multi_label": True})


__all__ = ["score_cats", "score_cats_arrays", "cats_arrays", "roc_auc"]
