"""A trained tagger + NER pipeline on text with lone surrogates (issue 13 item 3).

The blank tokenizer accepts any str, so the trained components, nlp.pipe (one and two
processes), Doc/DocBin serialisation and a save/load of the pipeline must too, and
keep the text exactly.
"""
import multiprocessing

import pytest

import heron
from heron.tokens import Doc, DocBin

from fakes import trained_tagger_ner

TEXTS = [
    "a \ud800 b",
    "Ada lives in \udcff Paris .",
    "two halves \ud83d\ude00 stay two",
    "The emoji \U0001F600 is one char",
    "\udfff",
    "The cat sat on the warm mat .",
]


@pytest.fixture(scope="module")
def trained():
    nlp = trained_tagger_ner(steps=5)
    # the surrogate reaches the saved vocab too
    nlp.vocab.strings.add("\ud800")
    return nlp


def _signature(doc):
    return (doc.text, [t.text for t in doc], [t.tag_ for t in doc],
            [(e.start, e.end, e.label_) for e in doc.ents])


def test_trained_pipeline_annotates_text_with_surrogates(trained):
    for text in TEXTS:
        doc = trained(text)
        assert doc.text == text
        assert all(t.tag_ for t in doc)  # the tagger ran on every token
        assert doc.has_annotation("ENT_IOB")  # and the NER


def test_pipe_one_and_two_processes_agree(trained):
    expected = [_signature(trained(t)) for t in TEXTS]
    assert [_signature(d) for d in trained.pipe(TEXTS, batch_size=2)] == expected
    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else None
    docs = list(trained.pipe(TEXTS, batch_size=2, n_process=2, start_method=method))
    assert [_signature(d) for d in docs] == expected


def test_serialisation_keeps_the_text_exactly(trained, tmp_path):
    docs = list(trained.pipe(TEXTS))
    for doc in docs:
        assert _signature(Doc(trained.vocab).from_bytes(doc.to_bytes())) == _signature(doc)
        assert _signature(Doc.from_json(trained.vocab, doc.to_json())) == _signature(doc)
    DocBin(docs=docs).to_disk(tmp_path / "out.heron")
    again = list(DocBin().from_disk(tmp_path / "out.heron").get_docs(heron.blank("en").vocab))
    assert [_signature(d) for d in again] == [_signature(d) for d in docs]


def test_saved_pipeline_predicts_the_same(trained, tmp_path):
    trained.to_disk(tmp_path / "model")
    loaded = heron.load(tmp_path / "model")
    assert "\ud800" in loaded.vocab.strings
    assert [_signature(d) for d in loaded.pipe(TEXTS)] == [_signature(d) for d in trained.pipe(TEXTS)]
