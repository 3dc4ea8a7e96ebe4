"""Evaluation metrics with spaCy's key names, so users' tooling carries over.

    scores = heron.scorer.evaluate(nlp, dev_examples)
    scores["tag_acc"], scores["ents_f"], scores["ents_per_type"]["PER"]["p"], scores["speed"]
    scores["pos_acc"], scores["morph_acc"], scores["morph_per_feat"]["Number"]["f"]
    scores["dep_uas"], scores["dep_las"], scores["dep_las_per_type"]["nsubj"]["f"]

Every score is a fraction in [0, 1] (None when there was nothing to score); `speed`
is words per second. Gold and predicted tokens are compared through the Example's
alignment, so a pipeline whose tokenizer disagrees with the gold tokens is scored
fairly: a predicted token counts towards `tag_acc` only if it aligns to exactly one
gold token (for `dep_uas`/`dep_las`, its head too), and a predicted span only if its
characters match a gold span's exactly.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterable, Optional, Sequence

import numpy as np

from ._scorer_cats import score_cats  # also registers heron.textcat(_multilabel)_scorer.v2
from .registry import registry

MISSING_VALUES = frozenset([None, 0, ""])


class PRFScore:
    """Counts of true/false positives and false negatives, with P/R/F over them."""

    def __init__(self, *, tp: int = 0, fp: int = 0, fn: int = 0):
        self.tp, self.fp, self.fn = tp, fp, fn

    def __len__(self) -> int:
        return self.tp + self.fp + self.fn

    def __iadd__(self, other: "PRFScore") -> "PRFScore":
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self

    def __add__(self, other: "PRFScore") -> "PRFScore":
        return PRFScore(tp=self.tp + other.tp, fp=self.fp + other.fp, fn=self.fn + other.fn)

    def score_set(self, cand: set, gold: set) -> None:
        self.tp += len(cand & gold)
        self.fp += len(cand - gold)
        self.fn += len(gold - cand)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp + 1e-100)

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn + 1e-100)

    @property
    def fscore(self) -> float:
        p, r = self.precision, self.recall
        return 2 * (p * r) / (p + r + 1e-100)

    def to_dict(self) -> Dict[str, float]:
        return {"p": self.precision, "r": self.recall, "f": self.fscore}

    def __repr__(self) -> str:
        return f"PRFScore(tp={self.tp}, fp={self.fp}, fn={self.fn})"


def _not_space(words: Sequence[str]) -> np.ndarray:
    return np.fromiter((not w.isspace() for w in words), dtype=bool, count=len(words))


def score_tokenization(examples: Iterable[Any], **cfg: Any) -> Dict[str, Optional[float]]:
    """token_acc (share of predicted tokens aligned to exactly one gold token, spaCy's
    definition) and token_p/r/f (exact token boundaries), whitespace tokens ignored."""
    acc, prf = PRFScore(), PRFScore()
    for eg in examples:
        align = eg.alignment
        x_keep = _not_space(eg.predicted._words)
        y_keep = _not_space(eg.reference._words)
        one = align.x2y.lengths[x_keep] == 1
        acc.tp += int(one.sum())
        acc.fp += int((~one).sum())
        pred = set(map(tuple, align.x_offsets[x_keep].tolist()))
        gold = set(map(tuple, align.y_offsets[y_keep].tolist()))
        prf.score_set(pred, gold)
    if len(acc) == 0:
        return {"token_acc": None, "token_p": None, "token_r": None, "token_f": None}
    return {"token_acc": acc.precision, "token_p": prf.precision, "token_r": prf.recall,
            "token_f": prf.fscore}


def score_token_attr(examples: Iterable[Any], attr: str, *, getter: Optional[Callable] = None,
                     missing_values: Iterable[Any] = MISSING_VALUES, **cfg: Any) -> Dict[str, Optional[float]]:
    """`{attr}_acc`: accuracy of a token attribute ("tag", "pos", "lemma", "dep", ...).

    Gold tokens whose value is in `missing_values` are skipped; a predicted token is
    scored only when it aligns to exactly one gold token (a token split or merged by
    the tokenizer counts as wrong for that gold token). getter(token, attr) reads
    values token by token; None (default) reads the annotation column, vectorised.
    """
    score = PRFScore()
    for eg in examples:
        gold, pred = _attr_values(eg, attr, getter, missing_values)
        x2y = eg.alignment.x2y
        ok = (x2y.lengths == 1) & _not_space(eg.predicted._words)
        gold_i = x2y.data[x2y.starts[:-1][ok]]
        pred_v = pred[ok]
        known = gold != 0
        keep = known[gold_i]
        pairs = np.unique(np.stack([gold_i[keep], pred_v[keep]], axis=1), axis=0) if keep.any() else np.zeros((0, 2))
        tp = int((gold[pairs[:, 0].astype(np.int64)] == pairs[:, 1]).sum()) if len(pairs) else 0
        score.tp += tp
        score.fp += len(pairs) - tp
        score.fn += int(known.sum()) - tp
    key = f"{attr}_acc"
    return {key: None} if len(score) == 0 else {key: score.fscore}


def _attr_values(eg: Any, attr: str, getter: Optional[Callable], missing: Iterable[Any]):
    """(gold ids per reference token, 0 = missing; predicted ids per predicted token)."""
    if getter is None:
        from .tokens._serialize import column_values
        from .tokens.attrs import intify_attr

        attr_id = intify_attr(attr.upper().rstrip("_"))
        return column_values(eg.reference, attr_id), column_values(eg.predicted, attr_id)
    missing = set(missing)
    ids: Dict[Any, int] = {}

    def encode(doc, is_gold: bool) -> np.ndarray:
        out = np.zeros(len(doc), dtype=np.uint64)
        for token in doc:
            value = getter(token, attr)
            if not (is_gold and value in missing):
                out[token.i] = ids.setdefault(value, len(ids) + 1)
        return out

    return encode(eg.reference, True), encode(eg.predicted, False)


def score_token_attr_per_feat(examples: Iterable[Any], attr: str = "morph", *,
                              getter: Optional[Callable] = None,
                              missing_values: Iterable[Any] = MISSING_VALUES, **cfg: Any) -> Dict[str, Any]:
    """`{attr}_micro_p/r/f` and `{attr}_per_feat` ({field: {p, r, f}}) for FEATS values,
    spaCy's Scorer.score_token_attr_per_feat.

    Each "Field=Value" of a token (multiple values stay one feature: "PronType=Int,Prs")
    is scored per field. Gold tokens with missing or empty ("_") features are skipped, and
    so are the predicted tokens aligned to them; a predicted token is scored only when it
    aligns to exactly one gold token. getter(token, attr) -> FEATS string or its hash;
    None reads the annotation column.
    """
    missing = set(missing_values)
    micro = PRFScore()
    per_feat: Dict[str, PRFScore] = {}
    for eg in examples:
        gold_feats = _feats_per_token(eg.reference, attr, getter, missing)
        gold: Dict[str, set] = {}
        for i, feats in enumerate(gold_feats):
            for field, feat in feats:
                per_feat.setdefault(field, PRFScore())
                gold.setdefault(field, set()).add((i, feat))
        pred: Dict[str, set] = {}
        x2y = eg.alignment.x2y
        pred_feats = _feats_per_token(eg.predicted, attr, getter, missing)
        for t, word in enumerate(eg.predicted._words):
            if word.isspace() or x2y.lengths[t] != 1:
                continue
            i = int(x2y.data[x2y.starts[t]])
            if not gold_feats[i]:  # missing or "no features" in gold: not scored
                continue
            for field, feat in pred_feats[t]:
                per_feat.setdefault(field, PRFScore())
                pred.setdefault(field, set()).add((i, feat))
        for field, prf in per_feat.items():
            found, wanted = pred.get(field, set()), gold.get(field, set())
            micro.score_set(found, wanted)
            prf.score_set(found, wanted)
    if len(micro) == 0:
        return {f"{attr}_micro_p": None, f"{attr}_micro_r": None, f"{attr}_micro_f": None,
                f"{attr}_per_feat": None}
    return {f"{attr}_micro_p": micro.precision, f"{attr}_micro_r": micro.recall,
            f"{attr}_micro_f": micro.fscore, f"{attr}_per_feat": {k: v.to_dict() for k, v in per_feat.items()}}


def _feats_per_token(doc: Any, attr: str, getter: Optional[Callable], missing: set) -> list:
    """[(field, "Field=Value"), ...] per token; [] for missing or empty features."""
    if getter is None:
        from .tokens._serialize import column_values
        from .tokens.attrs import intify_attr

        values = column_values(doc, intify_attr(attr.upper().rstrip("_"))).tolist()
    else:
        values = [getter(token, attr) for token in doc]
    strings, cache = doc.vocab.strings, {}
    out = []
    for value in values:
        if value not in cache:
            text = "" if value in missing else (strings[value] if isinstance(value, int) else str(value))
            cache[value] = [] if text in ("", "_") else [
                (feat.split("=", 1)[0], feat) for feat in text.split("|")]
        out.append(cache[value])
    return out


def score_morphologizer(examples: Iterable[Any], **cfg: Any) -> Dict[str, Any]:
    """pos_acc, morph_acc, morph_micro_p/r/f and morph_per_feat (the morphologizer's scores)."""
    examples = list(examples)
    return {**score_token_attr(examples, "pos", **cfg), **score_token_attr(examples, "morph", **cfg),
            **score_token_attr_per_feat(examples, "morph", **cfg)}


def score_attribute_ruler(examples: Iterable[Any], **cfg: Any) -> Dict[str, Any]:
    """tag_acc, pos_acc, morph_acc, morph_micro_p/r/f, morph_per_feat and lemma_acc
    (spaCy's attribute_ruler scores)."""
    examples = list(examples)
    return {**score_token_attr(examples, "tag", **cfg), **score_morphologizer(examples, **cfg),
            **score_token_attr(examples, "lemma", **cfg)}


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


class Scorer:
    """Scores a list of Examples: tokenization, then every component's `score(examples)`.

    nlp (Language | None): whose components to ask; None scores tokenization only.
    """

    def __init__(self, nlp: Any = None, **cfg: Any):
        self.nlp = nlp
        self.cfg = cfg

    def score(self, examples: Iterable[Any]) -> Dict[str, Any]:
        examples = list(examples)
        scores: Dict[str, Any] = dict(score_tokenization(examples))
        if self.nlp is not None:
            for _, component in self.nlp.pipeline:
                if callable(getattr(component, "score", None)):
                    scores.update(component.score(examples))
        return scores

    score_tokenization = staticmethod(score_tokenization)
    score_token_attr = staticmethod(score_token_attr)
    score_token_attr_per_feat = staticmethod(score_token_attr_per_feat)
    score_spans = staticmethod(score_spans)
    score_deps = staticmethod(score_deps)
    score_cats = staticmethod(score_cats)


def evaluate(nlp: Any, examples: Iterable[Any], batch_size: int = 256) -> Dict[str, Any]:
    """Run `nlp` on unannotated copies of each example's predicted tokens and score them.

    The predicted Docs are rebuilt from their words and spaces only, so no annotation
    (gold or from an earlier run) can leak into the scores; the caller's Examples
    are not modified. `speed` is words per second of tokenizing (as spaCy times it)
    plus running the pipeline. batch_size: Docs per `nlp.pipe` batch.
    """
    from .tokens import Doc
    from .training.example import Example

    examples = list(examples)
    start = time.perf_counter()
    for eg in examples:  # timed like spaCy: the tokenizer is part of the pipeline's cost
        nlp.make_doc(eg.predicted.text)
    fresh = [Doc._from_words_fast(eg.predicted.vocab, eg.predicted.words, eg.predicted.spaces)
             for eg in examples]
    docs = list(nlp.pipe(fresh, batch_size=batch_size))
    seconds = time.perf_counter() - start
    scored = [Example(doc, eg.reference, alignment=eg._alignment) for doc, eg in zip(docs, examples)]
    scores = Scorer(nlp).score(scored)
    n_words = sum(len(doc) for doc in docs)
    scores["speed"] = n_words / max(seconds, 1e-9)
    return scores


@registry.scorers("heron.tagger_scorer.v1")
def make_tagger_scorer() -> Callable[..., Dict[str, Any]]:
    """tag_acc over the examples (the tagger's default scorer)."""
    return lambda examples, **kw: score_token_attr(examples, "tag", **kw)


@registry.scorers("heron.morphologizer_scorer.v1")
def make_morphologizer_scorer() -> Callable[..., Dict[str, Any]]:
    """pos_acc, morph_acc, morph_micro_p/r/f, morph_per_feat (the morphologizer's default)."""
    return score_morphologizer


@registry.scorers("heron.lemmatizer_scorer.v1")
def make_lemmatizer_scorer() -> Callable[..., Dict[str, Any]]:
    """lemma_acc over the examples (the lemmatizers' default scorer), aligned through the
    raw text like tag_acc: a token split or merged by the tokenizer counts as wrong."""
    return lambda examples, **kw: score_token_attr(examples, "lemma", **kw)


@registry.scorers("heron.attribute_ruler_scorer.v1")
def make_attribute_ruler_scorer() -> Callable[..., Dict[str, Any]]:
    """tag/pos/morph/lemma accuracies and morph per-feature scores (the attribute_ruler's)."""
    return score_attribute_ruler


@registry.scorers("heron.ner_scorer.v1")
def make_ner_scorer() -> Callable[..., Dict[str, Any]]:
    """ents_p/r/f and ents_per_type (the ner's default scorer)."""
    return get_ner_prf


@registry.scorers("heron.parser_scorer.v1")
def make_parser_scorer() -> Callable[..., Dict[str, Any]]:
    """sents_p/r/f and dep_uas/las/las_per_type (the parser's default scorer)."""
    return score_parser


@registry.scorers("heron.senter_scorer.v1")
def make_senter_scorer() -> Callable[..., Dict[str, Any]]:
    """sents_p/r/f (the senter's and sentencizer's default scorer)."""
    return score_sents


__all__ = ["PRFScore", "Scorer", "MISSING_VALUES", "score_tokenization", "score_token_attr",
           "score_token_attr_per_feat", "score_morphologizer", "score_attribute_ruler", "score_spans",
           "score_sents", "score_deps", "score_parser", "get_ner_prf", "evaluate"]
