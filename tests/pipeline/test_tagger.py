"""tagger: labels from initialize, missing gold ignored, overwrite, batch invariance."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.training.example import Example

from fakes import TAGGED, WIDTH, make_nlp, tagged_examples, train, trunk_model


@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(0)
    nlp = make_nlp(["tagger"])
    examples = tagged_examples(nlp)
    nlp.initialize(lambda: examples)
    train(nlp, examples, steps=40)
    return nlp, examples


def test_labels_collected_sorted_from_reference(trained):
    nlp, _ = trained
    expected = sorted({tag for _, tags in TAGGED for tag in tags})
    assert list(nlp.get_pipe("tagger").labels) == expected
    assert nlp.meta["labels"]["tagger"] == expected


def test_default_config_is_spacy_like():
    nlp = heron.blank("en")
    tagger = nlp.add_pipe("tagger")
    cfg = nlp.config["components"]["tagger"]
    assert cfg["model"]["@architectures"] == "heron.Tagger.v1"
    assert cfg["model"]["tok2vec"]["@architectures"] == "heron.HashEmbedCNN.v1"
    assert cfg["model"]["tok2vec"]["width"] == 96 and cfg["overwrite"] is False
    assert tagger.model.output is None  # sized by initialize


def test_batch_invariance(trained):
    nlp, _ = trained
    target = "The cat sat on the warm mat ."
    alone = nlp(target)
    neighbours = ["A", "Small birds sing in the morning and dogs bark at night ."] + [text for text, _ in TAGGED]
    for batch in ([target, neighbours[0]], [neighbours[1], target, neighbours[0]], neighbours + [target]):
        doc = [d for d in nlp.pipe(batch) if d.text == target][0]
        assert [t.tag_ for t in doc] == [t.tag_ for t in alone]
        np.testing.assert_allclose(doc.tensor, alone.tensor, rtol=1e-5, atol=1e-5)
        scores = nlp.get_pipe("tagger").model(torch.as_tensor(doc.tensor))
        ref = nlp.get_pipe("tagger").model(torch.as_tensor(alone.tensor))
        torch.testing.assert_close(scores, ref, rtol=1e-4, atol=1e-5)


def test_missing_gold_is_ignored_by_the_loss(trained):
    nlp, _ = trained
    tagger = nlp.get_pipe("tagger")
    doc = nlp.make_doc("The cat sat .")
    full = Example.from_dict(doc, {"tags": ["DT", "NN", "VBD", "."]})
    partial = Example.from_dict(nlp.make_doc("The cat sat ."), {"tags": ["DT", None, "VBD", None]})
    scores = tagger.forward_train([full])
    logits, mask = scores
    assert logits.shape[0] == int(mask.sum())  # real tokens only, in order
    expected = torch.nn.functional.cross_entropy(logits[[0, 2]], torch.tensor(
        [tagger.labels.index("DT"), tagger.labels.index("VBD")]))
    torch.testing.assert_close(tagger.get_loss([partial], scores), expected)
    none = Example.from_dict(nlp.make_doc("The cat sat ."), {})
    loss = tagger.get_loss([none], tagger.forward_train([none]))
    assert float(loss.detach()) == 0.0
    nlp.get_pipe("tok2vec").clear_batch_cache()


def test_unknown_gold_tag_is_ignored(trained):
    nlp, _ = trained
    tagger = nlp.get_pipe("tagger")
    eg = Example.from_dict(nlp.make_doc("Cats sleep"), {"tags": ["NEWTAG", "VBP"]})
    assert tagger._targets([eg], (1, 2), "cpu").tolist() == [[-100, tagger.labels.index("VBP")]]


def test_overwrite_flag(trained):
    nlp, _ = trained
    doc = nlp.make_doc("The cat sat .")
    doc[1].tag_ = "XX"
    nlp.get_pipe("tagger").cfg["overwrite"] = False
    doc = nlp(doc)
    assert doc[1].tag_ == "XX" and doc[0].tag_ == "DT"
    nlp.get_pipe("tagger").cfg["overwrite"] = True
    try:
        assert nlp(doc)[1].tag_ == "NN"
    finally:
        nlp.get_pipe("tagger").cfg["overwrite"] = False


def test_add_label_keeps_existing_rows(trained):
    nlp, _ = trained
    tagger = nlp.get_pipe("tagger")
    before = tagger.model.output.weight.detach().clone()
    copy = heron.language.Language.from_config(nlp.config).from_bytes(nlp.to_bytes())
    tagger2 = copy.get_pipe("tagger")
    assert tagger2.add_label("ZZ") == 1 and tagger2.add_label("ZZ") == 0
    assert tagger2.labels[-1] == "ZZ" and tagger2.model.nO == len(before) + 1
    assert torch.equal(tagger2.model.output.weight[:-1], before)
    assert torch.equal(tagger2.model.output.weight[-1], torch.zeros(WIDTH))
    with pytest.raises(HeronValueError, match="E363"):
        tagger2.add_label("")


def test_empty_doc_and_empty_batch(trained):
    nlp, _ = trained
    assert len(nlp("")) == 0
    assert list(nlp.pipe([])) == []
    docs = list(nlp.pipe(["", "The cat sat ."]))
    assert docs[1][0].tag_ == "DT"


def test_errors_for_uninitialized_and_bad_nO():
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": trunk_model()})
    nlp.add_pipe("tagger", config={"model": {"@architectures": "heron.Tagger.v1", "nO": 3, "tok2vec": {
        "@architectures": "heron.Tok2VecListener.v1", "width": WIDTH}}})
    with pytest.raises(HeronValueError, match=r"E360.*nO = 3.*11 labels"):
        nlp.initialize(lambda: tagged_examples(nlp))
    fresh = make_nlp(["tagger"])
    with pytest.raises(HeronValueError, match=r"E350.*'tagger'.*initialize"):
        fresh("The cat sat .")
    with pytest.raises(HeronValueError, match=r"E359.*no TAG annotation"):
        fresh.initialize(lambda: [Example.from_dict(fresh.make_doc("a b"), {})])
    with pytest.raises(HeronValueError, match=r"E359.*get_examples"):
        fresh.initialize()


def test_score_and_evaluate(trained):
    nlp, examples = trained
    scores = nlp.evaluate([Example(nlp.make_doc(eg.reference.text), eg.reference) for eg in examples])
    assert scores["tag_acc"] == pytest.approx(1.0)
    assert scores["speed"] > 0
