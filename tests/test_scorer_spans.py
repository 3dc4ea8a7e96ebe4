"""Scores of doc.spans groups (heron/_scorer_spans.py): spaCy's spans_{key}_p/r/f/per_type
with exact span + label matches, overlaps allowed, missing annotation skipped."""
from __future__ import annotations

from typing import Dict, List, Optional, Sequence, Tuple

import pytest

import heron
from heron.registry import registry
from heron.scorer import evaluate
from heron.tokens import Doc, Span
from heron.training.example import Example

WORDS = "Ada met Bob Lee in New York City".split()


def _doc(vocab, spans: Optional[Sequence[Tuple[int, int, str]]], key: str = "sc",
         words: Sequence[str] = WORDS) -> Doc:
    doc = Doc(vocab, words=list(words))
    if spans is not None:
        doc.spans[key] = [Span(doc, s, e, label=label) for s, e, label in spans]
    return doc


def _score(pairs: List[Tuple[Optional[list], Optional[list]]], key: str = "sc") -> Dict:
    vocab = heron.blank("en").vocab
    scorer = registry.get("scorers", "heron.spancat_scorer.v1")()
    examples = [Example(_doc(vocab, pred, key), _doc(vocab, gold, key)) for pred, gold in pairs]
    return scorer(examples, spans_key=key)


def test_exact_span_and_label_matches_with_overlaps():
    gold = [(0, 1, "PER"), (2, 4, "PER"), (5, 8, "LOC"), (5, 7, "CITY")]
    pred = [(0, 1, "PER"), (2, 3, "PER"), (5, 8, "LOC"), (5, 7, "LOC")]  # a partial span, a wrong label
    scores = _score([(pred, gold)])
    assert scores["spans_sc_p"] == pytest.approx(2 / 4) and scores["spans_sc_r"] == pytest.approx(2 / 4)
    assert scores["spans_sc_f"] == pytest.approx(0.5)
    per_type = scores["spans_sc_per_type"]
    assert per_type["PER"] == pytest.approx({"p": 0.5, "r": 0.5, "f": 0.5})
    assert per_type["LOC"] == pytest.approx({"p": 0.5, "r": 1.0, "f": 2 / 3})
    assert per_type["CITY"]["r"] == 0.0


def test_missing_annotation_and_empty_predictions():
    gold = [(0, 1, "PER")]
    # A reference without the key is not scored; a prediction without it predicts nothing.
    assert _score([([(0, 1, "PER")], None), (None, gold)])["spans_sc_r"] == 0.0
    assert _score([([(0, 1, "PER")], None)])["spans_sc_f"] is None
    perfect = _score([(gold, gold), ([], [])])
    assert perfect["spans_sc_f"] == 1.0 and perfect["spans_sc_per_type"] == {"PER": {"p": 1.0, "r": 1.0, "f": 1.0}}


def test_other_keys_and_the_ruler_scorer():
    gold = [(5, 8, "LOC")]
    assert _score([(gold, gold)], key="mine")["spans_mine_f"] == 1.0
    vocab = heron.blank("en").vocab
    ruler_scorer = registry.get("scorers", "heron.overlapping_labeled_spans_scorer.v1")(spans_key="ruler")
    eg = Example(_doc(vocab, gold, "ruler"), _doc(vocab, [(5, 7, "LOC")], "ruler"))
    assert ruler_scorer([eg]) == {"spans_ruler_p": 0.0, "spans_ruler_r": 0.0, "spans_ruler_f": 0.0,
                                  "spans_ruler_per_type": {"LOC": {"p": 0.0, "r": 0.0, "f": 0.0}}}


def test_spans_are_compared_by_characters_across_tokenizations():
    vocab = heron.blank("en").vocab
    gold = _doc(vocab, [(5, 8, "LOC")])
    # The predicted tokens are "New" + "York City".
    merged = Doc(vocab, words=WORDS[:5] + ["New", "York City"], spaces=[True] * 5 + [True, False])
    merged.spans["sc"] = [Span(merged, 5, 7, label="LOC")]
    assert _score_examples([Example(merged, gold)])["spans_sc_f"] == 1.0
    merged.spans["sc"] = [Span(merged, 6, 7, label="LOC")]  # "York City": not a gold span
    assert _score_examples([Example(merged, gold)])["spans_sc_p"] == 0.0


def _score_examples(examples):
    return registry.get("scorers", "heron.spancat_scorer.v1")()(examples, spans_key="sc")


def test_evaluate_reports_the_span_ruler_keys():
    nlp = heron.blank("en")
    nlp.add_pipe("span_ruler").add_patterns([{"label": "LOC", "pattern": "New York City"}])
    gold = _doc(nlp.vocab, [(5, 8, "LOC"), (0, 1, "PER")], key="ruler")
    scores = evaluate(nlp, [Example(nlp.make_doc(gold.text), gold)])
    assert scores["spans_ruler_p"] == 1.0 and scores["spans_ruler_r"] == 0.5
