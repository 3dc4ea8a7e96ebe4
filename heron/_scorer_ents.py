"""Span scores over the Doc: any spans by exact characters, sentences, and entities.

    score_spans(examples, "ents")   # ents_p/r/f, ents_per_type (any getter, labeled or not)
    score_sents(examples)           # sents_p/r/f
    get_ner_prf(examples)           # the ner's scores, with missing gold annotation ignored

A predicted span counts as correct when its characters match a gold span's exactly (and
its label, where labels are scored). `heron._scorer_spans` scores span groups
(doc.spans[key]) through `score_spans`.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Optional

import numpy as np

from ._scorer_prf import PRFScore


def score_spans(examples: Iterable[Any], attr: str, *, getter: Optional[Callable] = None,
                has_annotation: Optional[Callable] = None, labeled: bool = True,
                allow_overlap: bool = False, **cfg: Any) -> Dict[str, Any]:
    """`{attr}_p/_r/_f` (and `{attr}_per_type` if labeled) for spans such as "ents" or "sents".

    getter(doc, attr) -> spans (default getattr(doc, attr)); has_annotation(doc) ->
    bool: gold Docs without the annotation are skipped, and a predicted Doc without
    it predicts nothing. A predicted span counts as correct when its characters match
    a gold span's exactly (and the label, if labeled).
    """
    getter = getter or getattr
    score = PRFScore()
    per_type: Dict[str, PRFScore] = {}
    for eg in examples:
        if has_annotation is not None and not has_annotation(eg.reference):
            continue
        gold_spans = list(getter(eg.reference, attr))
        pred_annotated = has_annotation is None or has_annotation(eg.predicted)
        x_spans = list(getter(eg.predicted, attr)) if pred_annotated else []
        pred_spans = eg.get_aligned_spans_x2y(x_spans, allow_overlap)
        key = (lambda s: (s.label_, s.start, s.end)) if labeled else (lambda s: (s.start, s.end))
        gold, pred = set(map(key, gold_spans)), set(map(key, pred_spans))
        # Predicted spans that could not be aligned are still wrong predictions.
        score.fp += len(x_spans) - len(pred_spans)
        score.score_set(pred, gold)
        if labeled:
            for span in x_spans:
                per_type.setdefault(span.label_, PRFScore())
            for label in {s.label_ for s in gold_spans} | {s.label_ for s in x_spans}:
                prf = per_type.setdefault(label, PRFScore())
                prf.score_set({k for k in pred if k[0] == label}, {k for k in gold if k[0] == label})
                prf.fp += sum(1 for s in x_spans if s.label_ == label) - sum(1 for s in pred_spans if s.label_ == label)
    result: Dict[str, Any] = {f"{attr}_p": None, f"{attr}_r": None, f"{attr}_f": None}
    if labeled:
        result[f"{attr}_per_type"] = None
    if len(score) > 0:
        result.update({f"{attr}_p": score.precision, f"{attr}_r": score.recall, f"{attr}_f": score.fscore})
        if labeled:
            result[f"{attr}_per_type"] = {k: v.to_dict() for k, v in sorted(per_type.items())}
    return result


def score_sents(examples: Iterable[Any], **cfg: Any) -> Dict[str, Any]:
    """sents_p/r/f: sentence spans whose boundaries match the gold sentences exactly."""

    def sents(doc, attr):
        return list(doc.sents)

    return score_spans(examples, "sents", getter=sents, labeled=False,
                       has_annotation=lambda doc: doc.has_annotation("SENT_START"))

def get_ner_prf(examples: Iterable[Any], **cfg: Any) -> Dict[str, Any]:
    """ents_p/r/f and ents_per_type {label: {p, r, f}}, micro-averaged, like spaCy.

    A predicted entity over gold tokens whose NER annotation is missing is neither
    right nor wrong (ignored), so partially annotated gold data scores fairly. A
    predicted entity is correct only if its characters and label match a gold one.
    """
    per_type: Dict[str, PRFScore] = {}
    for eg in examples:
        y = eg.reference
        if not y.has_annotation("ENT_IOB"):
            continue
        gold = {(e.label_, e.start, e.end) for e in y.ents}
        iob = np.array([t.ent_iob for t in y], dtype=np.int64)
        for ent in eg.predicted.ents:
            prf = per_type.setdefault(ent.label_, PRFScore())
            idx = eg.alignment.x2y[ent.start:ent.end]
            if not len(idx) or (iob[int(idx[0]):int(idx[-1]) + 1] == 0).any():
                continue
            mapped = eg.get_aligned_spans_x2y([ent], allow_overlap=True)
            key = (ent.label_, mapped[0].start, mapped[0].end) if mapped else None
            if key in gold:
                prf.tp += 1
                gold.discard(key)
            else:
                prf.fp += 1
        for label, _, _ in gold:
            per_type.setdefault(label, PRFScore()).fn += 1
    totals = PRFScore()
    for prf in per_type.values():
        totals += prf
    if len(totals) == 0:
        return {"ents_p": None, "ents_r": None, "ents_f": None, "ents_per_type": None}
    return {"ents_p": totals.precision, "ents_r": totals.recall, "ents_f": totals.fscore,
            "ents_per_type": {k: v.to_dict() for k, v in sorted(per_type.items())}}
