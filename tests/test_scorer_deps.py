"""Dependency scores (dep_uas, dep_las, dep_las_per_type) and sentence scores from parses.

Expected numbers are worked out by hand in the comments; score_deps agreed with spaCy
3.8's parser scorer on 300 random single-example cases (tokenization differences,
missing labels) when it was written.
"""
import pytest

from heron import registry, scorer
from heron.language import Language
from heron.pipeline import Pipe
from heron.tokens import Doc
from heron.training import Example

WORDS = ["Ada", "likes", "green", "tea", "."]
GOLD = {"heads": [1, 1, 3, 1, 1], "deps": ["nsubj", "ROOT", "amod", "dobj", "punct"]}


def example(vocab, pred_heads, pred_deps, words=WORDS, gold=GOLD):
    pred = Doc(vocab, words=list(words), heads=pred_heads, deps=pred_deps)
    return Example.from_dict(pred, gold)


def test_uas_las_and_per_type(en_vocab):
    # "green" attached to "likes" (wrong head) and "tea" labelled obj (wrong label)
    eg = example(en_vocab, [1, 1, 1, 1, 1], ["nsubj", "ROOT", "amod", "obj", "punct"])
    scores = scorer.score_deps([eg])
    # 4 scored gold arcs (punct excluded); heads right for Ada, likes, tea: UAS 3/4
    assert scores["dep_uas"] == pytest.approx(0.75)
    # labels and heads right for Ada and likes only: LAS 2/4
    assert scores["dep_las"] == pytest.approx(0.5)
    per_type = scores["dep_las_per_type"]
    assert list(per_type) == ["amod", "dobj", "nsubj", "obj", "root"]  # lower-cased, sorted
    assert per_type["nsubj"] == pytest.approx({"p": 1.0, "r": 1.0, "f": 1.0})
    assert per_type["root"] == pytest.approx({"p": 1.0, "r": 1.0, "f": 1.0})
    assert per_type["amod"] == pytest.approx({"p": 0.0, "r": 0.0, "f": 0.0})
    assert per_type["dobj"]["r"] == 0.0 and per_type["obj"]["p"] == 0.0
    assert scorer.Scorer.score_deps([eg]) == scores


def test_punctuation_is_excluded_unless_asked(en_vocab):
    right = example(en_vocab, GOLD["heads"], GOLD["deps"])
    wrong_punct = example(en_vocab, [1, 1, 3, 1, 3], GOLD["deps"])
    assert scorer.score_deps([wrong_punct])["dep_las"] == scorer.score_deps([right])["dep_las"] == 1.0
    assert "punct" not in scorer.score_deps([right])["dep_las_per_type"]
    all_arcs = scorer.score_deps([wrong_punct], ignore_labels=())
    assert all_arcs["dep_uas"] == pytest.approx(0.8) and all_arcs["dep_las_per_type"]["punct"]["f"] == 0.0


def test_raw_text_scored_through_the_alignment(en_vocab):
    gold = {"words": ["I", "ca", "n't", "go"], "heads": [3, 3, 3, 3], "deps": ["nsubj", "aux", "neg", "ROOT"]}
    eg = example(en_vocab, [2, 2, 2], ["nsubj", "aux", "ROOT"], words=["I", "can't", "go"], gold=gold)
    scores = scorer.score_deps([eg])
    # "can't" spans two gold tokens: a wrong arc (fp); I->go and go->go are right (tp 2);
    # gold ca->go and n't->go are missed (fn 2): P 2/3, R 2/4
    f = 2 * (2 / 3) * 0.5 / (2 / 3 + 0.5)
    assert scores["dep_uas"] == pytest.approx(f) and scores["dep_las"] == pytest.approx(f)
    # a predicted head that spans two gold tokens makes its dependent's arc wrong too
    eg2 = example(en_vocab, [1, 1, 1], ["nsubj", "ROOT", "dep"], words=["I", "can't", "go"], gold=gold)
    assert scorer.score_deps([eg2])["dep_uas"] == pytest.approx(0.0)


def test_missing_gold_labels_are_skipped_per_example(en_vocab):
    partial = {"heads": [1, 1, 3, 1, 1], "deps": [None, "ROOT", "amod", None, "punct"]}
    eg1 = example(en_vocab, [3, 1, 1, 2, 1], ["obj", "ROOT", "amod", "nsubj", "punct"], gold=partial)
    # only likes (right) and green (wrong head) are scored: UAS 1/2
    assert scorer.score_deps([eg1])["dep_uas"] == pytest.approx(0.5)
    eg2 = example(en_vocab, [1, 1, 3, 1, 1], ["nsubj", "ROOT", "amod", "dobj", "punct"])
    # token 0 is missing in eg1 only: eg2's token 0 still counts (spaCy carries the
    # missing indices over to later examples; heron does not)
    both = scorer.score_deps([eg1, eg2])
    assert both["dep_uas"] == pytest.approx(5 / 6) and both["dep_las_per_type"]["nsubj"]["f"] == 1.0


def test_nothing_to_score_gives_none(en_vocab):
    eg = Example(Doc(en_vocab, words=WORDS), Doc(en_vocab, words=WORDS))
    assert scorer.score_deps([eg]) == {"dep_uas": None, "dep_las": None, "dep_las_per_type": None}


def test_getters_read_token_by_token(en_vocab):
    eg = example(en_vocab, [1, 1, 1, 1, 1], ["nsubj", "ROOT", "amod", "obj", "punct"])
    by_token = scorer.score_deps([eg], getter=lambda t, attr: getattr(t, attr + "_"),
                                 head_getter=lambda t, attr: getattr(t, attr))
    assert by_token == scorer.score_deps([eg])


def test_parser_scorer_sents_from_the_parse(en_vocab):
    words = ["Ada", "codes", ".", "Bo", "tests", "."]
    gold = {"heads": [1, 1, 1, 4, 4, 4], "deps": ["nsubj", "ROOT", "punct", "nsubj", "ROOT", "punct"]}
    # the prediction has heads only (sentence starts follow from its two trees)
    good = Example.from_dict(Doc(en_vocab, words=words, heads=gold["heads"], deps=gold["deps"]), gold)
    one_tree = Example.from_dict(Doc(en_vocab, words=words, heads=[1, 1, 1, 1, 1, 1], deps=gold["deps"]), gold)
    assert [s.text for s in good.predicted.sents] == ["Ada codes .", "Bo tests ."]
    score_parser = registry.scorers.get("heron.parser_scorer.v1")()
    scores = score_parser([good])
    assert scores["sents_f"] == 1.0 and scores["dep_las"] == 1.0 and "sents_per_type" not in scores
    merged = score_parser([one_tree])
    # one predicted sentence for two gold ones: P 0/1, R 0/2; Bo/tests: wrong heads
    assert merged["sents_p"] == 0.0 and merged["sents_r"] == 0.0
    assert merged["dep_uas"] == pytest.approx(2 / 4)


class GoldParser(Pipe):
    """Copies heads and deps from a table of texts: a stand-in parser for scoring tests."""

    def __init__(self, name, trees):
        super().__init__(name)
        self.trees = trees
        self.scorer = registry.scorers.get("heron.parser_scorer.v1")()

    def __call__(self, doc):
        heads, deps = self.trees[doc.text]
        doc.from_array(["HEAD", "DEP"], Doc(doc.vocab, words=doc.words, heads=heads, deps=deps)
                       .to_array(["HEAD", "DEP"]))
        return doc

    def score(self, examples, **kwargs):
        return self.scorer(examples, **kwargs)


TREES = {"Ada likes green tea.": ([1, 1, 1, 1, 1], ["nsubj", "ROOT", "amod", "obj", "punct"])}


@Language.factory("test_scorer_gold_parser", default_config={})
def make_gold_parser(nlp, name):
    return GoldParser(name, TREES)


def test_nlp_evaluate_reports_parser_scores():
    import heron

    nlp = heron.blank("en")
    nlp.add_pipe("test_scorer_gold_parser")
    gold = Doc(nlp.vocab, words=WORDS, spaces=[True, True, True, False, False], **GOLD)
    scores = nlp.evaluate([Example(nlp.make_doc(gold.text), gold)])
    assert scores["dep_uas"] == pytest.approx(0.75) and scores["dep_las"] == pytest.approx(0.5)
    assert scores["sents_f"] == 1.0 and scores["dep_las_per_type"]["root"]["f"] == 1.0
