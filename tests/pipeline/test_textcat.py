"""textcat and textcat_multilabel: learning, doc.cats, thresholds, gold checks, saving,
edge-case texts; the n-gram featurizer and the pooling layers they use.

The contract table (test_contract.py) adds both components x every trunk kind.
"""
from __future__ import annotations

from typing import Any, Dict, List, Sequence, Tuple

import numpy as np
import pytest
import torch

import heron
from heron.errors import HeronValueError, HeronWarning
from heron.featurize.ngrams import lower_ids, ngram_rows
from heron.nn.textcat import AttentionPool, reduce_tokens
from heron.training.example import Example

from fakes import train, trunk_model

# Hand-written texts: each topic has its own cue words.
TOPICS = [
    ("The striker scored a late goal in the match", "SPORT"),
    ("Our team won the football final tonight", "SPORT"),
    ("Bake the bread and slice the cheese", "FOOD"),
    ("This soup needs more salt and pepper", "FOOD"),
    ("Heavy rain and wind expected tomorrow", "WEATHER"),
]
LABELS = ["FOOD", "SPORT", "WEATHER"]
# Multilabel: (text, labels that apply); every label has positive and negative texts.
TAGS = [
    ("cheap and fast delivery", ["PRICE", "SPEED"]),
    ("cheap but it broke", ["PRICE", "QUALITY"]),
    ("arrived fast , sturdy build", ["SPEED", "QUALITY"]),
    ("nothing to say", []),
    ("sturdy and well made", ["QUALITY"]),
]
TAG_LABELS = ["PRICE", "QUALITY", "SPEED"]
SMALL_CNN = trunk_model(16)
EDGE_TEXTS = ["", "   ", "\n\t ", "😀🎉🔥", "x", "word " * 20000]  # the last: 100,000 characters


def cats_examples(nlp: Any) -> List[Example]:
    """Exclusive-class Examples (every label present, one positive)."""
    return [Example.from_dict(nlp.make_doc(text), {"cats": {lab: float(lab == label) for lab in LABELS}})
            for text, label in TOPICS]


def multilabel_examples(nlp: Any) -> List[Example]:
    return [Example.from_dict(nlp.make_doc(text), {"cats": {lab: float(lab in labels) for lab in TAG_LABELS}})
            for text, labels in TAGS]


def best_label(doc: Any) -> str:
    return max(doc.cats, key=doc.cats.__getitem__)


def labels_over(doc: Any, threshold: float = 0.5) -> List[str]:
    return sorted(label for label, score in doc.cats.items() if score >= threshold)


def bow(exclusive: bool, ngram_size: int = 1, length: int = 4096) -> Dict[str, Any]:
    return {"@architectures": "heron.TextCatBOW.v3", "exclusive_classes": exclusive, "ngram_size": ngram_size,
            "no_output_layer": False, "length": length, "nO": None}


MODELS = {
    "bow": lambda ex: bow(ex, ngram_size=2),
    "ensemble": lambda ex: {"@architectures": "heron.TextCatEnsemble.v2", "tok2vec": SMALL_CNN,
                            "linear_model": bow(ex)},
    "reduce": lambda ex: {"@architectures": "heron.TextCatReduce.v1", "tok2vec": SMALL_CNN,
                          "exclusive_classes": ex, "use_reduce_first": True, "use_reduce_last": True},
    "attention": lambda ex: {"@architectures": "heron.TextCatParametricAttention.v1", "tok2vec": SMALL_CNN,
                             "exclusive_classes": ex},
}


def make(factory: str, model: str = "bow", **settings: Any) -> Tuple[Any, Any]:
    nlp = heron.blank("en")
    component = nlp.add_pipe(factory, config={"model": MODELS[model](factory == "textcat"), **settings})
    return nlp, component


def trained(factory: str, model: str = "bow", steps: int = 40, **settings: Any) -> Tuple[Any, List[Example]]:
    torch.manual_seed(0)
    nlp, _ = make(factory, model, **settings)
    examples = cats_examples(nlp) if factory == "textcat" else multilabel_examples(nlp)
    nlp.initialize(lambda: examples)
    train(nlp, examples, steps=steps, lr=0.05)
    return nlp, examples


@pytest.mark.parametrize("model", list(MODELS))
def test_textcat_learns_a_separable_task_and_writes_every_label(model):
    nlp, examples = trained("textcat", model)
    docs = list(nlp.pipe([text for text, _ in TOPICS]))
    assert [best_label(d) for d in docs] == [label for _, label in TOPICS]
    for doc in docs:
        assert sorted(doc.cats) == LABELS and sum(doc.cats.values()) == pytest.approx(1.0, abs=1e-5)
        assert all(isinstance(v, float) for v in doc.cats.values())
    if model == "bow":  # a linear model over words: its cue words carry over to a new text
        assert best_label(nlp("rain and wind soon")) == "WEATHER"


@pytest.mark.parametrize("model", ["bow", "ensemble"])
def test_multilabel_learns_independent_labels(model):
    nlp, _ = trained("textcat_multilabel", model, steps=60)
    docs = list(nlp.pipe([text for text, _ in TAGS]))
    assert [labels_over(d) for d in docs] == [sorted(labels) for _, labels in TAGS]
    assert nlp.get_pipe("textcat_multilabel").decide(docs[0]) == ["PRICE", "SPEED"]


@pytest.mark.parametrize("factory", ["textcat", "textcat_multilabel"])
@pytest.mark.parametrize("model", list(MODELS))
def test_edge_case_texts_classify(factory, model):
    nlp, _ = trained(factory, model, steps=2)
    labels = LABELS if factory == "textcat" else TAG_LABELS
    docs = list(nlp.pipe(EDGE_TEXTS, batch_size=3))
    for doc in docs:
        assert sorted(doc.cats) == labels
        assert all(np.isfinite(v) and 0.0 <= v <= 1.0 for v in doc.cats.values())
    assert len(EDGE_TEXTS[-1]) == 100_000


def test_a_docs_scores_dont_depend_on_its_batch():
    nlp, _ = trained("textcat", "ensemble", steps=5)
    texts = ["Bake the bread", "", "rain " * 30, "the final"]
    alone = [nlp(t).cats for t in texts]
    together = [d.cats for d in nlp.pipe(texts, batch_size=4)]
    for a, b in zip(alone, together):
        assert a == pytest.approx(b, abs=1e-5)


def test_thresholds_decide_labels_but_never_change_cats():
    nlp, examples = trained("textcat_multilabel")
    textcat = nlp.get_pipe("textcat_multilabel")
    doc = nlp("cheap and fast delivery")
    before = dict(doc.cats)
    assert textcat.cfg["threshold"] == 0.5 and textcat.decide(doc) == ["PRICE", "SPEED"]
    textcat.set_thresholds({"PRICE": 1.0})
    assert textcat.decide(doc) == ["SPEED"] and textcat.threshold_of("SPEED") == 0.5
    assert nlp("cheap and fast delivery").cats == pytest.approx(before)
    scored = [Example(nlp(eg.reference.text), eg.reference) for eg in examples]
    assert textcat.score(scored)["cats_f_per_type"]["PRICE"]["r"] == 0.0
    textcat.set_thresholds({})
    assert textcat.score(scored)["cats_macro_f"] == pytest.approx(1.0)
    with pytest.raises(HeronValueError, match="E968"):
        textcat.set_thresholds({"PRICE": 1.5})
    with pytest.raises(HeronValueError, match="E968"):
        textcat.set_thresholds({"NOPE": 0.5})
    with pytest.raises(HeronValueError, match="E968"):
        make("textcat", threshold=-0.1)


def test_exclusive_threshold_drops_uncertain_best_labels():
    nlp, _ = trained("textcat")
    textcat = nlp.get_pipe("textcat")
    assert textcat.cfg["threshold"] == 0.0
    doc = nlp("Bake the bread")
    assert textcat.decide(doc) == ["FOOD"]
    textcat.cfg["threshold"] = 1.0
    assert textcat.decide(doc) == []


def test_save_and_load_keep_predictions_and_settings(tmp_path):
    nlp, _ = trained("textcat_multilabel", "ensemble", steps=10)
    textcat = nlp.get_pipe("textcat_multilabel")
    textcat.set_thresholds({"SPEED": 0.3})
    texts = [text for text, _ in TAGS] + [""]
    cats = [d.cats for d in nlp.pipe(texts)]
    nlp.to_disk(tmp_path / "model")
    assert sorted(p.name for p in (tmp_path / "model" / "textcat_multilabel").iterdir()) == [
        "cfg.json", "model.safetensors"]
    loaded = heron.load(tmp_path / "model")
    assert loaded.get_pipe("textcat_multilabel").cfg["thresholds"] == {"SPEED": 0.3}
    assert [d.cats for d in loaded.pipe(texts)] == [pytest.approx(c) for c in cats]
    again = heron.blank("en")
    again.add_pipe("textcat_multilabel", config={"model": MODELS["ensemble"](False)})
    again.get_pipe("textcat_multilabel").from_bytes(textcat.to_bytes())
    assert [d.cats for d in again.pipe(texts)] == [pytest.approx(c) for c in cats]


def test_unknown_gold_labels_and_bad_gold_raise():
    nlp, _ = make("textcat")
    nlp.initialize(lambda: cats_examples(nlp))
    eg = Example.from_dict(nlp.make_doc("a new topic"), {"cats": {"MUSIC": 1.0}})
    with pytest.raises(HeronValueError, match=r"E962.*MUSIC"):
        nlp.update([eg])
    two = Example.from_dict(nlp.make_doc("bread and goals"), {"cats": {"FOOD": 1.0, "SPORT": 1.0}})
    with pytest.raises(HeronValueError, match=r"E961.*bread and goals"):
        nlp.update([two])
    none = Example.from_dict(nlp.make_doc("no topic"), {"cats": {"FOOD": 0.0, "SPORT": 0.0}})
    with pytest.raises(HeronValueError, match="E961"):
        nlp.update([none])
    bad = Example.from_dict(nlp.make_doc("bread"), {"cats": {"FOOD": 2.0}})
    with pytest.raises(HeronValueError, match="E963"):
        nlp.update([bad])
    with pytest.raises(HeronValueError, match="E961"):  # caught at initialize, before training
        nlp.initialize(lambda: [two])
    unannotated = Example(nlp.make_doc("no cats at all"), nlp.make_doc("no cats at all"))
    assert nlp.update([unannotated])["textcat"] == 0.0


def test_initialize_errors():
    nlp, _ = make("textcat")
    with pytest.raises(HeronValueError, match="E964"):
        nlp.initialize(lambda: [Example(nlp.make_doc("x"), nlp.make_doc("x"))])
    with pytest.raises(HeronValueError, match="E965"):
        nlp.get_pipe("textcat").initialize(lambda: cats_examples(nlp), positive_label="SPORT")  # 3 labels
    with pytest.warns(HeronWarning, match="W962"):
        nlp.get_pipe("textcat").initialize(labels=["ONLY"])
    binary = nlp.get_pipe("textcat")
    binary.initialize(labels=["NEG", "POS"], positive_label="POS")
    assert binary.cfg["positive_label"] == "POS"
    with pytest.raises(HeronValueError, match="E965"):
        binary.initialize(labels=["NEG", "POS"], positive_label="MAYBE")


def test_model_must_fit_the_component():
    with pytest.raises(HeronValueError, match=r"E960.*exclusive_classes = false"):
        heron.blank("en").add_pipe("textcat", config={"model": bow(False)})
    with pytest.raises(HeronValueError, match=r"E960.*linear_model.exclusive_classes = true"):
        heron.blank("en").add_pipe("textcat_multilabel", config={"model": MODELS["ensemble"](True)})
    with pytest.raises(HeronValueError, match="E966"):
        heron.blank("en").add_pipe("textcat", config={"model": {"@architectures": "heron.Tagger.v1",
                                                                "tok2vec": SMALL_CNN}})
    with pytest.raises(HeronValueError, match="E967"):
        heron.blank("en").add_pipe("textcat", config={"model": dict(bow(True), ngram_size=0)})
    nlp, _ = make("textcat")
    with pytest.raises(HeronValueError, match="E350"):
        nlp("not initialized")


def test_multilabel_missing_labels_are_left_out_of_the_loss():
    torch.manual_seed(0)
    nlp, textcat = make("textcat_multilabel")
    nlp.initialize(lambda: multilabel_examples(nlp))
    partial = Example.from_dict(nlp.make_doc("cheap stuff"), {"cats": {"PRICE": 1.0}})
    textcat.model.zero_grad()
    loss = textcat.get_loss([partial], textcat.forward_train([partial]))
    loss.backward()
    bias_grad = textcat.model.bias.grad
    assert bias_grad[TAG_LABELS.index("PRICE")] != 0
    assert bias_grad[TAG_LABELS.index("QUALITY")] == 0 and bias_grad[TAG_LABELS.index("SPEED")] == 0
    # Zero positives is fine for multilabel.
    assert np.isfinite(nlp.update([Example.from_dict(nlp.make_doc("meh"), {"cats": {"PRICE": 0.0}})])[
        "textcat_multilabel"])


def test_add_label_keeps_what_was_learnt():
    nlp, _ = trained("textcat", "ensemble", steps=20)
    textcat = nlp.get_pipe("textcat")
    before = nlp("Bake the bread").cats
    textcat.add_label("TRAVEL")
    after = nlp("Bake the bread").cats
    assert sorted(after) == sorted(LABELS + ["TRAVEL"]) and best_label(nlp("Bake the bread")) == "FOOD"
    # A zero-initialised new output row: the old labels keep their relative scores.
    assert after["FOOD"] / after["SPORT"] == pytest.approx(before["FOOD"] / before["SPORT"], rel=1e-4)


# ---- featurization and layers -----------------------------------------------------------------


def _naive_rows(docs: Sequence[Any], n: int, n_rows: int) -> List[List[Tuple[str, ...]]]:
    grams = []
    for doc in docs:
        words = [w.lower() for w in doc.words]
        grams.append(sorted(tuple(words[i:i + k]) for i in range(len(words)) for k in range(1, n + 1)
                            if i + k <= len(words)))
    return grams


def test_ngram_rows_stay_inside_each_doc():
    nlp = heron.blank("en")
    docs = [nlp.make_doc(t) for t in ["The cat sat", "", "cat sat", "THE", "a b c d"]]
    keys, offsets = ngram_rows(docs, ngram_size=3, n_rows=1 << 30)
    bounds = list(offsets) + [len(keys)]
    per_doc = [keys[bounds[b]:bounds[b + 1]] for b in range(len(docs))]
    assert [len(k) for k in per_doc] == [2 * len(g) for g in _naive_rows(docs, 3, 1 << 30)] == [12, 0, 6, 2, 18]
    # Same lowercased n-gram -> same row; "cat sat" occurs in docs 0 and 2, "the" in 0 and 3.
    assert set(per_doc[2]) <= set(per_doc[0]) and set(per_doc[3]) <= set(per_doc[0])
    assert len(set(per_doc[4])) == 18  # two rows each, no collisions among 9 n-grams in 2**30 rows
    small, _ = ngram_rows(docs, ngram_size=2, n_rows=7)
    assert small.min() >= 0 and small.max() < 7 and small.dtype == np.int64
    ids, lengths = lower_ids(docs)
    assert lengths.tolist() == [3, 0, 2, 1, 4] and ids[0] == ids[5] == nlp.vocab.strings["the"]


def test_lower_ids_of_a_batch_that_grows_the_feature_table():
    # A batch of more new words than the table has rows makes it grow (replacing its array)
    # during the lookup: the hashes must come from the grown table.
    nlp = heron.blank("en")
    words = [f"word{i}" for i in range(5000)]
    ids, _ = lower_ids([nlp.make_doc(" ".join(words))])
    assert ids.tolist() == [nlp.vocab.strings[w] for w in words]


def test_ngram_rows_of_empty_batches():
    nlp = heron.blank("en")
    keys, offsets = ngram_rows([nlp.make_doc(""), nlp.make_doc("")], ngram_size=2, n_rows=10)
    assert len(keys) == 0 and offsets.tolist() == [0, 0]
    keys, offsets = ngram_rows([], ngram_size=2, n_rows=10)
    assert len(keys) == 0 and len(offsets) == 0


def test_pooling_is_mask_aware():
    X = torch.tensor([[[1.0, -2.0], [3.0, 4.0], [100.0, 100.0]], [[0.0, 0.0]] * 3])  # (2, 3, 2)
    mask = torch.tensor([[True, True, False], [False, False, False]])
    assert reduce_tokens(X, mask, "mean").tolist() == [[2.0, 1.0], [0.0, 0.0]]
    assert reduce_tokens(X, mask, "max").tolist() == [[3.0, 4.0], [0.0, 0.0]]
    assert reduce_tokens(X, mask, "first").tolist() == [[1.0, -2.0], [0.0, 0.0]]
    assert reduce_tokens(X, mask, "last").tolist() == [[3.0, 4.0], [0.0, 0.0]]
    pool = AttentionPool(2)
    assert pool(X, mask).tolist() == [[2.0, 1.0], [0.0, 0.0]]  # zero query: the mean
