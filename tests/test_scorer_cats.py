"""cats scores (heron/_scorer_cats.py) against hand-computed small cases."""
from __future__ import annotations

from typing import Dict, List, Optional

import pytest

import heron
from heron._scorer_cats import roc_auc, score_cats
from heron.errors import HeronValueError
from heron.registry import registry
from heron.scorer import Scorer
from heron.training.example import Example


def examples(rows: List[tuple]) -> List[Example]:
    """rows: (predicted cats, gold cats); the texts don't matter."""
    nlp = heron.blank("en")
    out = []
    for pred, gold in rows:
        x, y = nlp.make_doc("some text"), nlp.make_doc("some text")
        x.cats, y.cats = dict(pred), dict(gold)
        out.append(Example(x, y))
    return out


def test_roc_auc_by_hand():
    assert roc_auc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]) == pytest.approx(0.75)  # sklearn's doc example
    # Ties count half: pairs (pos, neg) = (.5,.2) 1, (.5,.5) 0.5, (.9,.2) 1, (.9,.5) 1 -> 3.5 / 4.
    assert roc_auc([0.2, 0.5, 0.5, 0.9], [0, 1, 0, 1]) == pytest.approx(0.875)
    assert roc_auc([0.5] * 4, [1, 0, 1, 0]) == pytest.approx(0.5)
    assert roc_auc([0.9, 0.1], [0, 1]) == 0.0
    assert roc_auc([0.3, 0.4], [1, 1]) is None and roc_auc([], []) is None


MULTI = [
    ({"A": 0.9, "B": 0.2}, {"A": 1.0, "B": 0.0}),  # A tp
    ({"A": 0.6, "B": 0.7}, {"A": 0.0, "B": 1.0}),  # A fp, B tp
    ({"A": 0.1, "B": 0.4}, {"A": 1.0}),            # A fn; B missing: not scored
    ({"A": 0.3, "B": 0.65}, {"A": 0.0, "B": 0.0}),  # B fp
]


def test_multilabel_scores_by_hand():
    scores = score_cats(examples(MULTI), "cats", labels=["A", "B"], multi_label=True)
    assert scores["cats_f_per_type"]["A"] == pytest.approx({"p": 0.5, "r": 0.5, "f": 0.5})
    assert scores["cats_f_per_type"]["B"] == pytest.approx({"p": 0.5, "r": 1.0, "f": 2 / 3})
    assert (scores["cats_micro_p"], scores["cats_micro_r"]) == pytest.approx((0.5, 2 / 3))
    assert scores["cats_micro_f"] == pytest.approx(2 * 0.5 * (2 / 3) / (0.5 + 2 / 3))
    assert scores["cats_macro_f"] == pytest.approx((0.5 + 2 / 3) / 2) == scores["cats_score"]
    assert scores["cats_macro_p"] == pytest.approx(0.5) and scores["cats_macro_r"] == pytest.approx(0.75)
    assert scores["cats_score_desc"] == "macro F"
    # AUC A over 4 docs: (.9 > .6, .3) wins, (.1 < .6, .3) loses -> 0.5; B over docs 1, 2, 4 -> 1.0.
    assert scores["cats_auc_per_type"] == pytest.approx({"A": 0.5, "B": 1.0})
    assert scores["cats_macro_auc"] == pytest.approx(0.75)


def test_per_label_thresholds_override_the_threshold():
    scores = score_cats(examples(MULTI), "cats", labels=["A", "B"], multi_label=True, thresholds={"B": 0.68})
    assert scores["cats_f_per_type"]["B"]["f"] == pytest.approx(1.0)  # doc 4's .65 no longer counts
    assert scores["cats_f_per_type"]["A"]["f"] == pytest.approx(0.5)  # A keeps 0.5
    everything = score_cats(examples(MULTI), "cats", labels=["A", "B"], threshold=0.0)
    assert everything["cats_f_per_type"]["A"] == pytest.approx({"p": 0.5, "r": 1.0, "f": 2 / 3})


EXCLUSIVE = [
    ({"X": 0.7, "Y": 0.2, "Z": 0.1}, {"X": 1.0, "Y": 0.0, "Z": 0.0}),  # X tp
    ({"X": 0.5, "Y": 0.4, "Z": 0.1}, {"X": 0.0, "Y": 1.0, "Z": 0.0}),  # Y fn, X fp
    ({"X": 0.1, "Y": 0.3, "Z": 0.6}, {"X": 0.0, "Y": 0.0, "Z": 1.0}),  # Z tp
    ({"X": 0.2, "Y": 0.5, "Z": 0.3}, {"Y": 1.0}),                      # Y tp (missing gold = 0)
]


def test_exclusive_scores_by_hand():
    scores = score_cats(examples(EXCLUSIVE), "cats", labels=["X", "Y", "Z"], multi_label=False)
    f = {label: v["f"] for label, v in scores["cats_f_per_type"].items()}
    assert f == pytest.approx({"X": 2 / 3, "Y": 2 / 3, "Z": 1.0})
    assert scores["cats_score"] == scores["cats_macro_f"] == pytest.approx((2 / 3 + 2 / 3 + 1) / 3)
    assert (scores["cats_micro_p"], scores["cats_micro_r"]) == pytest.approx((0.75, 0.75))
    # AUC X: pos .7 over negs .5 .1 .2 -> 1; Y: pos .4, .5 vs negs .2, .3 -> 1; Z: pos .6 -> 1.
    assert scores["cats_macro_auc"] == pytest.approx(1.0)
    strict = score_cats(examples(EXCLUSIVE), "cats", labels=["X", "Y", "Z"], multi_label=False, threshold=0.6)
    assert {k: v["f"] for k, v in strict["cats_f_per_type"].items()} == pytest.approx(
        {"X": 1.0, "Y": 0.0, "Z": 1.0})
    assert strict["cats_f_per_type"]["Y"]["r"] == 0.0 and strict["cats_micro_p"] == pytest.approx(1.0)


def test_binary_positive_label_and_macro_auc_over_all_labels():
    rows = [({"POS": 0.8, "NEG": 0.2}, {"POS": 1.0, "NEG": 0.0}),
            ({"POS": 0.6, "NEG": 0.4}, {"POS": 0.0, "NEG": 1.0}),
            ({"POS": 0.3, "NEG": 0.7}, {"POS": 0.0, "NEG": 1.0})]
    scores = score_cats(examples(rows), "cats", labels=["NEG", "POS"], multi_label=False, positive_label="POS")
    assert scores["cats_score_desc"] == "F (POS)"
    assert scores["cats_score"] == pytest.approx(scores["cats_f_per_type"]["POS"]["f"]) == pytest.approx(2 / 3)
    with pytest.raises(HeronValueError, match="E965"):
        score_cats(examples(rows), "cats", labels=["NEG", "POS"], multi_label=False, positive_label="MAYBE")
    # A label whose gold has one class gets no AUC but still divides the macro AUC.
    one_class = [({"A": 0.9, "B": 0.1}, {"A": 1.0, "B": 0.0}), ({"A": 0.2, "B": 0.8}, {"A": 0.0, "B": 0.0})]
    scores = score_cats(examples(one_class), "cats", labels=["A", "B"])
    assert scores["cats_auc_per_type"] == {"A": 1.0, "B": None}
    assert scores["cats_macro_auc"] == pytest.approx(0.5)


def test_docs_without_cats_and_labels_outside_the_set():
    rows: List[tuple] = [({}, {"A": 1.0}), ({"A": 0.9, "OTHER": 1.0}, {}), ({"A": 0.9}, {"A": 1.0, "OTHER": 1.0})]
    multi = score_cats(examples(rows), "cats", labels=["A"])
    assert multi["cats_f_per_type"]["A"] == pytest.approx({"p": 1.0, "r": 0.5, "f": 2 / 3})
    exclusive = score_cats(examples(rows), "cats", labels=["A"], multi_label=False)
    # doc 1: gold only -> fn; doc 2: prediction only -> fp; doc 3: tp.
    assert exclusive["cats_f_per_type"]["A"] == pytest.approx({"p": 0.5, "r": 0.5, "f": 0.5})
    empty: Dict[str, Optional[float]] = score_cats([], "cats", labels=["A"])
    assert empty["cats_score"] == 0.0 and empty["cats_auc_per_type"] == {"A": None}


def test_registered_scorers_and_the_scorer_method():
    registry.ensure_populated()
    exclusive = registry.get("scorers", "heron.textcat_scorer.v2")()
    multi = registry.get("scorers", "heron.textcat_multilabel_scorer.v2")()
    egs = examples(EXCLUSIVE)
    assert exclusive(egs, labels=["X", "Y", "Z"]) == score_cats(egs, labels=["X", "Y", "Z"], multi_label=False)
    assert multi(egs, labels=["X", "Y", "Z"]) == score_cats(egs, labels=["X", "Y", "Z"], multi_label=True)
    assert Scorer.score_cats is score_cats
