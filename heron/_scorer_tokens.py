"""Token-level scores: tokenization, token attributes and morphological features.

    score_tokenization(examples)            # token_acc, token_p/r/f
    score_token_attr(examples, "tag")       # tag_acc (also pos, lemma, morph, dep ...)
    score_token_attr_per_feat(examples)     # morph_micro_p/r/f, morph_per_feat
    score_morphologizer / score_attribute_ruler: those components' combined scores

A predicted token is scored only when the Example's alignment maps it to exactly one
gold token (a token split or merged by the tokenizer counts as wrong); whitespace tokens
are ignored. Attribute values are read from the annotation columns, vectorised, unless a
`getter` is given.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Optional, Sequence

import numpy as np

from ._scorer_prf import MISSING_VALUES, PRFScore


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
