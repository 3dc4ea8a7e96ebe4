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

The per-task scores live in private modules and are re-exported here, where users and
components import them: `heron._scorer_prf` (PRFScore, MISSING_VALUES),
`heron._scorer_tokens` (tokenization, token attributes, morph features),
`heron._scorer_ents` (spans, sentences, entities), `heron._scorer_deps` (dependencies),
`heron._scorer_cats` (doc.cats) and `heron._scorer_spans` (span groups). This module
holds the Scorer, `evaluate` and the registered `heron.*_scorer.v1` functions.
"""
from __future__ import annotations

import time
from typing import Any, Callable, Dict, Iterable

from ._scorer_cats import score_cats  # also registers heron.textcat(_multilabel)_scorer.v2
from ._scorer_deps import score_deps, score_parser
from ._scorer_ents import get_ner_prf, score_sents, score_spans
from ._scorer_prf import MISSING_VALUES, PRFScore
from ._scorer_tokens import (
    score_attribute_ruler,
    score_morphologizer,
    score_token_attr,
    score_token_attr_per_feat,
    score_tokenization,
)
from .registry import registry


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
