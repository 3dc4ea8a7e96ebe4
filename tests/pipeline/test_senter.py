"""senter: sentence starts learned on the tagger machinery; overwrite; sents scores."""
from __future__ import annotations

import pytest
import torch

import heron
from heron.training.example import Example

from fakes import SENTS, make_nlp, sent_examples, train


@pytest.fixture(scope="module")
def trained():
    torch.manual_seed(0)
    nlp = make_nlp(["senter"], shared=False)
    examples = sent_examples(nlp)
    nlp.initialize(lambda: examples)
    train(nlp, examples, steps=40)
    return nlp, examples


def test_default_config_matches_spacy():
    nlp = heron.blank("en")
    senter = nlp.add_pipe("senter")
    tok2vec = nlp.config["components"]["senter"]["model"]["tok2vec"]
    assert (tok2vec["width"], tok2vec["depth"], tok2vec["maxout_pieces"]) == (12, 1, 2)
    assert senter.labels == ("I", "S") and senter.model.nO == 2
    assert senter.add_label("X") == 0


def test_learns_sentence_starts(trained):
    nlp, _ = trained
    for text, starts in SENTS:
        doc = nlp(text)
        assert [int(t.is_sent_start) for t in doc] == starts
        assert len(list(doc.sents)) == sum(starts)


def test_first_token_always_starts(trained):
    nlp, _ = trained
    doc = nlp("sat . The")  # the model may not want a start at "sat"
    assert doc[0].is_sent_start is True


def test_overwrite(trained):
    nlp, _ = trained
    doc = nlp.make_doc("The cat sat . A dog barked loudly")
    doc[1].is_sent_start = True  # preset by another component
    assert nlp(doc)[1].is_sent_start is True
    senter = nlp.get_pipe("senter")
    senter.cfg["overwrite"] = True
    try:
        assert nlp(doc)[1].is_sent_start is False
    finally:
        senter.cfg["overwrite"] = False


def test_unknown_boundaries_are_ignored_by_the_loss(trained):
    nlp, _ = trained
    senter = nlp.get_pipe("senter")
    eg = Example.from_dict(nlp.make_doc("The cat sat ."), {"sent_starts": [True, None, False, None]})
    assert senter._targets([eg], (1, 4), "cpu").tolist() == [[1, -100, 0, -100]]


def test_score(trained):
    nlp, examples = trained
    docs = [nlp(eg.reference.text) for eg in examples]
    scores = nlp.get_pipe("senter").score([Example(d, eg.reference) for d, eg in zip(docs, examples)])
    assert scores["sents_f"] == pytest.approx(1.0)
