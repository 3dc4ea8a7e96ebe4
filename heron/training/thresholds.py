"""Threshold search on annotated data: what `heron find-threshold` runs (spaCy's find-threshold).

    search = find_threshold(nlp, dev_examples, "textcat_multilabel", "cats_macro_f", per_label=True)
    search.best_threshold, search.best_score, search.per_label["joy"]   # (threshold, F)

The pipeline runs ONCE: the components before PIPE_NAME annotate the Docs, then the
component predicts once; each trial only sets the threshold setting, lets the component
write its annotations from the stored predictions again (spancat's spans depend on
the threshold; textcat's doc.cats don't) and scores with the component's own scorer.
So n trials cost one forward pass plus n scorings. Thresholds are tried evenly from
0.0 to 1.0 (numpy.linspace(0, 1, n_trials), as spaCy).

`per_label=True` (components with `set_thresholds`, i.e. textcat and
textcat_multilabel) also picks, for each label, the trial threshold with the best F of
that label (`cats_f_per_type`), and reports SCORE_KEY with those per-label thresholds.
For multilabel text classification the labels are independent decisions, so this
maximises every label's F (and the macro F) over the grid; for exclusive classes
labels interact and it is a heuristic.

Afterwards the component keeps the best threshold (and per-label thresholds), in its
cfg and in nlp.config, so `nlp.to_disk` saves them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, Iterable, List, Optional, Tuple

import numpy as np

from ..errors import Errors, HeronValueError, Warnings, warn

BATCH_SIZE = 256


@dataclass
class ThresholdSearch:
    """What find_threshold found. trials: {threshold: score}. per_label: {label: (threshold,
    F)}, and per_label_score the score with those thresholds (both empty/None without
    per_label)."""

    pipe_name: str
    threshold_key: str
    scores_key: str
    trials: Dict[float, float]
    best_threshold: float
    best_score: float
    per_label: Dict[str, Tuple[float, float]] = field(default_factory=dict)
    per_label_score: Optional[float] = None


def find_threshold(nlp: Any, examples: Iterable[Any], pipe_name: str, scores_key: str, *,
                   threshold_key: str = "threshold", n_trials: int = 11, per_label: bool = False,
                   batch_size: int = BATCH_SIZE) -> ThresholdSearch:
    """Try `n_trials` thresholds of component `pipe_name` on `examples`; keep the best.

    scores_key: a key of the component's scores to maximise (e.g. "cats_macro_f").
    threshold_key: the component setting (pipe.cfg) the trials set; "threshold" as spaCy.
    RAISES HeronValueError: E456 (unknown component, setting, n_trials; per_label on a
        component without per-label thresholds), E457 (scores_key not among the scores).
    """
    pipe = _check_pipe(nlp, pipe_name, threshold_key, per_label)
    if isinstance(n_trials, bool) or not isinstance(n_trials, int) or n_trials < 1:
        raise HeronValueError(Errors.E456.format(detail=f"--n-trials {n_trials!r} must be an int >= 1",
                                                 fix="pass --n-trials 11 (thresholds 0.0, 0.1, ..., 1.0)"))
    examples = list(examples)
    batches = _predict_once(nlp, pipe_name, examples, batch_size)
    scored = [_scores(pipe, batches, examples, threshold_key, float(t)) for t in np.linspace(0.0, 1.0, n_trials)]
    trials = {t: _score_of(scores, scores_key, pipe_name) for t, scores in scored}
    best = max(trials, key=trials.__getitem__)  # the first best, as spaCy's max()
    if len(set(trials.values())) == 1 and len(trials) > 1:
        warn(Warnings.W961.format(key=scores_key, value=trials[best], threshold=best))
    search = ThresholdSearch(pipe_name, threshold_key, scores_key, trials, best, trials[best])
    if per_label:
        search.per_label = _best_per_label(pipe, scored)
        pipe.set_thresholds({label: t for label, (t, _) in search.per_label.items()})
        search.per_label_score = _score_of(_scores(pipe, batches, examples, threshold_key, best)[1],
                                           scores_key, pipe_name)
    else:
        _scores(pipe, batches, examples, threshold_key, best)  # leave the best applied
    config = nlp._state.configs.get(pipe_name)
    if config is not None and threshold_key in config:
        config[threshold_key] = best  # nlp.config (config.cfg) agrees with the component
    return search


def _check_pipe(nlp: Any, pipe_name: str, threshold_key: str, per_label: bool) -> Any:
    if pipe_name not in nlp.component_names:
        raise HeronValueError(Errors.E456.format(
            detail=f"the pipeline has no component {pipe_name!r} (it has {nlp.component_names})",
            fix="pass the name of a component, e.g. textcat_multilabel"))
    pipe = nlp.get_pipe(pipe_name)
    cfg = getattr(pipe, "cfg", None)
    if not isinstance(cfg, dict) or threshold_key not in cfg or not callable(getattr(pipe, "score", None)):
        settings = sorted(cfg) if isinstance(cfg, dict) else []
        raise HeronValueError(Errors.E456.format(
            detail=f"component {pipe_name!r} has no setting {threshold_key!r} to tune (its settings: {settings})",
            fix="pass a component with a threshold (textcat_multilabel, textcat, spancat) and its setting name"))
    if per_label and not callable(getattr(pipe, "set_thresholds", None)):
        raise HeronValueError(Errors.E456.format(
            detail=f"--per-label needs per-label thresholds, which component {pipe_name!r} doesn't have",
            fix="leave out --per-label, or tune a textcat or textcat_multilabel component"))
    return pipe


def _predict_once(nlp: Any, pipe_name: str, examples: List[Any], batch_size: int) -> List[Tuple[list, Any]]:
    """[(docs, predictions)] per batch: fresh Docs of the examples' tokens, annotated by
    the components before `pipe_name`, and that component's predict() on them."""
    from ..tokens import Doc

    docs = [Doc._from_words_fast(eg.predicted.vocab, eg.predicted.words, eg.predicted.spaces) for eg in examples]
    batches = []
    pipe = nlp.get_pipe(pipe_name)
    for start in range(0, len(docs), batch_size):
        batch = docs[start:start + batch_size]
        for name, proc in nlp.pipeline:
            if name == pipe_name:
                break
            batch = list(proc.pipe(batch, batch_size=batch_size)) if hasattr(proc, "pipe") else [
                proc(doc) for doc in batch]
        batches.append((batch, pipe.predict(batch)))
    return batches


def _scores(pipe: Any, batches: List[Tuple[list, Any]], examples: List[Any], key: str,
            threshold: float) -> Tuple[float, Dict[str, Any]]:
    from .example import Example

    pipe.cfg[key] = threshold
    if isinstance(getattr(pipe, key, None), float):  # components that copy settings to attributes
        setattr(pipe, key, threshold)
    docs = []
    for batch, predictions in batches:
        pipe.set_annotations(batch, predictions)
        docs.extend(batch)
    return threshold, pipe.score([Example(doc, eg.reference) for doc, eg in zip(docs, examples)])


def _score_of(scores: Dict[str, Any], key: str, pipe_name: str) -> float:
    value = scores.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        numeric = sorted(k for k, v in scores.items() if isinstance(v, (int, float)) and not isinstance(v, bool))
        raise HeronValueError(Errors.E457.format(key=key, name=pipe_name, available=", ".join(numeric)))
    return float(value)


def _best_per_label(pipe: Any, scored: List[Tuple[float, Dict[str, Any]]]) -> Dict[str, Tuple[float, float]]:
    best: Dict[str, Tuple[float, float]] = {}
    for label in pipe.labels:
        for threshold, scores in scored:
            f = float((scores.get("cats_f_per_type") or {}).get(label, {}).get("f", 0.0))
            if label not in best or f > best[label][1]:
                best[label] = (threshold, f)
    return best


__all__ = ["find_threshold", "ThresholdSearch"]
