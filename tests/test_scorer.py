"""Scorer numbers on hand-made examples (exact P/R/F)."""
import pytest

from heron import scorer
from heron.language import Language
from heron.tokens import Doc
from heron.training import Example


def _eg(vocab, pred_words, gold, **pred_annots):
    return Example.from_dict(Doc(vocab, words=pred_words, **pred_annots), gold)


def test_prf_score():
    prf = scorer.PRFScore(tp=3, fp=1, fn=2)
    assert prf.precision == pytest.approx(0.75)
    assert prf.recall == pytest.approx(0.6)
    assert prf.fscore == pytest.approx(2 * 0.75 * 0.6 / 1.35)
    assert len(prf) == 6


def test_score_token_attr_with_missing_and_split(en_vocab):
    eg1 = _eg(en_vocab, ["a", "b", "c", "d"], {"tags": ["X", "Y", None, "Z"]}, tags=["X", "N", "Q", "Z"])
    # gold "e" "f" are merged by the tokenizer: "ef" is not scored, both gold tokens are missed.
    eg2 = _eg(en_vocab, ["ef", "g"], {"words": ["e", "f", "g"], "tags": ["X", "Y", "Y"]}, tags=["X", "Y"])
    scores = scorer.score_token_attr([eg1, eg2], "tag")
    # eg1: tp 2 (X, Z), fp 1 (N), fn 1; eg2: tp 1 (g), fn 2 -> P 3/4, R 3/6
    assert scores == {"tag_acc": pytest.approx(0.6)}
    # a gold token split into pieces: each piece is scored against it (spaCy semantics)
    eg3 = _eg(en_vocab, ["e", "f"], {"words": ["ef"], "tags": ["X"]}, tags=["X", "X"])
    assert scorer.score_token_attr([eg3], "tag") == {"tag_acc": pytest.approx(1.0)}
    assert scorer.score_token_attr([eg1], "tag") == {"tag_acc": pytest.approx(2 / 3)}
    # the same via a getter
    assert scorer.score_token_attr([eg1], "tag", getter=lambda t, a: t.tag_) == {"tag_acc": pytest.approx(2 / 3)}
    assert scorer.score_token_attr([eg1], "pos") == {"pos_acc": None}


def test_score_tokenization(en_vocab):
    eg = _eg(en_vocab, ["I", "can", "not", "go"], {"words": ["I", "cannot", "go"]})
    scores = scorer.score_tokenization([eg])
    assert scores["token_acc"] == 1.0  # spaCy: each predicted token maps to one gold token
    assert scores["token_p"] == pytest.approx(2 / 4)
    assert scores["token_r"] == pytest.approx(2 / 3)
    eg2 = _eg(en_vocab, ["NewYork", "x"], {"words": ["New", "York", "x"]})
    assert scorer.score_tokenization([eg2])["token_acc"] == pytest.approx(0.5)


def test_ner_prf(en_vocab):
    words = ["Ada", "met", "Alan", "in", "Paris", "and", "Rome"]
    gold = {"entities": ["U-PER", "O", "U-PER", "O", "U-LOC", "O", "U-LOC"]}
    pred_ents = ["U-PER", "O", "U-LOC", "O", "U-LOC", "O", "O"]
    eg = _eg(en_vocab, words, gold, ents=pred_ents)
    s = scorer.get_ner_prf([eg])
    # tp: Ada/PER, Paris/LOC; fp: Alan/LOC; fn: Alan/PER, Rome/LOC
    assert s["ents_p"] == pytest.approx(2 / 3)
    assert s["ents_r"] == pytest.approx(2 / 4)
    assert s["ents_f"] == pytest.approx(2 * (2 / 3) * 0.5 / (2 / 3 + 0.5))
    assert s["ents_per_type"]["PER"] == pytest.approx({"p": 1.0, "r": 0.5, "f": 2 / 3})
    assert s["ents_per_type"]["LOC"] == pytest.approx({"p": 0.5, "r": 0.5, "f": 0.5})


def test_ner_prf_ignores_missing_gold_and_handles_tokenization(en_vocab):
    eg = _eg(en_vocab, ["Ada", "and", "Bob"], {"entities": ["U-PER", "O", "-"]}, ents=["U-PER", "O", "U-PER"])
    s = scorer.get_ner_prf([eg])
    assert (s["ents_p"], s["ents_r"]) == (pytest.approx(1.0), pytest.approx(1.0))
    # predicted "NewYork" covers gold "New York" exactly -> correct
    eg2 = _eg(en_vocab, ["NewYork", "!"], {"words": ["New", "York", "!"], "entities": ["B-LOC", "L-LOC", "O"]},
              ents=["U-LOC", "O"])
    assert scorer.get_ner_prf([eg2])["ents_f"] == pytest.approx(1.0)
    assert scorer.get_ner_prf([_eg(en_vocab, ["a"], {})])["ents_f"] is None


def test_score_spans_sents(en_vocab):
    gold = {"sent_starts": [True, False, True, False, True, False]}
    eg = _eg(en_vocab, list("abcdef"), gold, sent_starts=[True, False, True, False, False, False])
    s = scorer.score_sents([eg])
    # pred: [0,2) [2,6); gold: [0,2) [2,4) [4,6) -> tp 1, fp 1, fn 2
    assert s == {"sents_p": pytest.approx(0.5), "sents_r": pytest.approx(1 / 3),
                 "sents_f": pytest.approx(2 * 0.5 / 3 / (0.5 + 1 / 3))}
    unannotated = _eg(en_vocab, list("ab"), {})
    assert scorer.score_sents([unannotated])["sents_f"] is None


class _SentsScored:
    """The sentencizer plus a score method, as trainable components have."""

    def __init__(self, nlp):
        from heron.pipeline.sentencizer import Sentencizer

        self.inner = Sentencizer()

    def __call__(self, doc):
        return self.inner(doc)

    def score(self, examples):
        return scorer.score_sents(examples)


@Language.factory("test_scored_sentencizer")
def _make_scored(nlp, name):
    return _SentsScored(nlp)


def test_evaluate_runs_pipeline_on_fresh_docs(nlp):
    nlp.add_pipe("test_scored_sentencizer")
    pred = nlp.make_doc("Hi there. Bye now.")
    # Stale sentence starts on the predicted Doc must not leak into the scores.
    pred[3].is_sent_start = False
    eg = Example.from_dict(pred, {"sent_starts": [True, False, False, True, False, False]})
    scores = scorer.evaluate(nlp, [eg])
    assert scores["sents_f"] == pytest.approx(1.0)
    assert scores["token_acc"] == 1.0
    assert scores["speed"] > 0
    assert eg.predicted is pred and pred[3].is_sent_start is False  # caller's Example untouched
