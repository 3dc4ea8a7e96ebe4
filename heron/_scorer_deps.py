"""Dependency scores (dep_uas, dep_las, dep_las_per_type) and the parser's scorer.

    score_deps(examples)     # dep_uas, dep_las, dep_las_per_type {label: {p, r, f}}
    score_parser(examples)   # score_deps plus sents_p/r/f, the parser's default scores

Like spaCy's parser scorer: labels are lower-cased, punctuation arcs are not scored, and
an arc whose token or head does not align to exactly one gold token counts as wrong.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Optional

import numpy as np

from ._scorer_ents import score_sents
from ._scorer_prf import MISSING_VALUES, PRFScore


def score_deps(examples: Iterable[Any], attr: str = "dep", *, getter: Optional[Callable] = None,
               head_getter: Optional[Callable] = None, ignore_labels: Iterable[str] = ("p", "punct"),
               missing_values: Iterable[Any] = MISSING_VALUES, **cfg: Any) -> Dict[str, Any]:
    """`{attr}_uas`, `{attr}_las` and `{attr}_las_per_type` ({label: {p, r, f}}), like
    spaCy's parser scorer.

    Labels are lower-cased (spaCy's parser scorer does this, so "ROOT" and UD's "root"
    are one label); arcs labelled with `ignore_labels` (punctuation by default) are not
    scored, in gold or prediction. Gold tokens whose label is in `missing_values` are
    skipped, and so are the predicted tokens aligned to them. A predicted arc is scored
    when its token and its head each align to exactly one gold token; otherwise it counts
    as wrong, so tokenization errors cost attachment score. UAS and LAS are F-scores over
    (token, head) and (token, head, label). getter(token, attr) -> label and
    head_getter(token, "head") -> Token read tokens one by one; None (the default) reads
    the annotation columns.
    """
    ignore, missing = set(ignore_labels), set(missing_values)
    unlabelled, labelled = PRFScore(), PRFScore()
    per_type: Dict[str, PRFScore] = {}
    for eg in examples:
        gold_labels, gold_heads = _arcs(eg.reference, attr, getter, head_getter)
        # spaCy keeps its missing-index set across examples (a bug); here it is per example
        skip = {i for i, label in enumerate(gold_labels) if label in missing}
        gold = {(i, h, label) for i, (h, label) in enumerate(zip(gold_heads, gold_labels))
                if i not in skip and label not in ignore}
        pred_labels, pred_heads = _arcs(eg.predicted, attr, getter, head_getter)
        x2y = eg.alignment.x2y
        one = x2y.lengths == 1
        gold_of = np.full(len(one), -1, dtype=np.int64)
        gold_of[one] = x2y.data[x2y.starts[:-1][one]]
        pred = set()
        for t, (word, label, head) in enumerate(zip(eg.predicted._words, pred_labels, pred_heads)):
            i, h = int(gold_of[t]), int(gold_of[head])
            if word.isspace() or i in skip or label in ignore:
                continue
            if i < 0 or h < 0:  # no single gold token to compare with: a wrong arc
                unlabelled.fp += 1
                labelled.fp += 1
            else:
                pred.add((i, h, label))
        labelled.score_set(pred, gold)
        unlabelled.score_set({arc[:2] for arc in pred}, {arc[:2] for arc in gold})
        for label in {arc[2] for arc in gold} | {arc[2] for arc in pred}:
            per_type.setdefault(label, PRFScore()).score_set(
                {arc for arc in pred if arc[2] == label}, {arc for arc in gold if arc[2] == label})
    if len(unlabelled) == 0:
        return {f"{attr}_uas": None, f"{attr}_las": None, f"{attr}_las_per_type": None}
    return {f"{attr}_uas": unlabelled.fscore, f"{attr}_las": labelled.fscore,
            f"{attr}_las_per_type": {k: v.to_dict() for k, v in sorted(per_type.items())}}


def _arcs(doc: Any, attr: str, getter: Optional[Callable], head_getter: Optional[Callable]):
    """(lower-cased label, absolute head index) of every token."""
    if getter is not None:
        labels = [str(getter(token, attr) or "").lower() for token in doc]
    else:
        from .tokens._serialize import column_values
        from .tokens.attrs import intify_attr

        ids = column_values(doc, intify_attr(attr.upper().rstrip("_")))
        uniq, inverse = np.unique(ids, return_inverse=True)
        names = [doc.vocab.strings[int(h)].lower() if h else "" for h in uniq.tolist()]
        labels = [names[k] for k in inverse.tolist()]
    if head_getter is not None:
        heads = [head_getter(token, "head").i for token in doc]
    else:
        heads = (np.arange(len(doc)) + doc.to_array("HEAD").view(np.int64)).tolist()
    return labels, heads


def score_parser(examples: Iterable[Any], **cfg: Any) -> Dict[str, Any]:
    """sents_p/r/f and dep_uas/dep_las/dep_las_per_type: a parser's scores (spaCy's keys)."""
    examples = list(examples)
    return {**score_sents(examples), **score_deps(examples, **cfg)}
