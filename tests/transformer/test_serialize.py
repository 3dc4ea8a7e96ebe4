"""Saving and loading a transformer pipeline: the weights live in the pipeline folder
(safetensors, no pickles), loading needs neither the original model nor the hub, and
predictions after a round trip are identical."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
import torch

import heron
from heron.config import load_config
from heron.errors import HeronValueError
from heron.training.example import Example

TAGGED = [
    ("I like green eggs", ["PRP", "VBP", "JJ", "NNS"]),
    ("Eat the blue ham now", ["VB", "DT", "JJ", "NN", "RB"]),
]
TEXTS = ["I like blue ham", "Eat green eggs now", "Zürich café 😀"]


@pytest.fixture(scope="module")
def trained_dir(tiny_bert_dir, tmp_path_factory):
    """A tagger on a tiny BERT, trained a little from a COPY of the model folder, saved;
    then the copy is deleted, so loading can't fall back on the original."""
    original = tmp_path_factory.mktemp("original") / "bert"
    shutil.copytree(tiny_bert_dir, original)
    torch.manual_seed(0)
    nlp = heron.blank("en")
    nlp.add_pipe("transformer", config={
        "model": {"name": str(original), "get_spans": {"@span_getters": "heron.doc_spans.v1"}},
        "set_extra_annotations": {"@annotation_setters": "heron.trf_tensor_setter.v1"}})
    nlp.add_pipe("tagger", config={"model": {"tok2vec": {"@architectures": "heron.TransformerListener.v1"}}})
    egs = [Example.from_dict(nlp.make_doc(t), {"tags": tags}) for t, tags in TAGGED]
    opt = nlp.initialize(lambda: egs)
    for _ in range(3):
        nlp.update(egs, sgd=opt)
    out = tmp_path_factory.mktemp("pipeline") / "nlp"
    nlp.to_disk(out)
    expected = list(nlp.pipe(TEXTS))
    shutil.rmtree(original)
    return out, expected, str(original), nlp.to_bytes()


def _same_outputs(docs, expected):
    for doc, exp in zip(docs, expected):
        assert [t.tag_ for t in doc] == [t.tag_ for t in exp]
        assert doc._.trf_data.wordpieces == exp._.trf_data.wordpieces
        assert np.array_equal(doc._.trf_data.last_hidden, exp._.trf_data.last_hidden)
        assert np.array_equal(doc.tensor, exp.tensor)


def test_folder_holds_safetensors_and_no_pickles(trained_dir):
    path, _, original, _ = trained_dir
    model_dir = path / "transformer" / "model"
    names = {p.name for p in model_dir.iterdir()}
    assert {"config.json", "model.safetensors", "tokenizer.json"} <= names
    assert not [n for n in names if n.endswith((".bin", ".pt", ".pth", ".pkl", ".pickle", ".ckpt"))]
    assert not [p for p in path.rglob("*") if p.suffix in (".bin", ".pkl", ".pt")]
    # config.cfg keeps pointing at the original model
    assert load_config(path / "config.cfg")["components"]["transformer"]["model"]["name"] == original


def test_load_without_the_original_gives_identical_predictions(trained_dir, monkeypatch):
    path, expected, _, _ = trained_dir
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    nlp = heron.load(path)
    assert nlp.get_pipe("transformer").width == 32
    _same_outputs(list(nlp.pipe(TEXTS)), expected)


def test_bytes_round_trip(trained_dir):
    path, expected, _, data = trained_dir
    nlp = heron.blank("en").from_config(load_config(path / "config.cfg"))
    nlp.from_bytes(data)
    _same_outputs(list(nlp.pipe(TEXTS)), expected)


def test_pickle_files_are_refused(trained_dir, tmp_path):
    path, _, _, _ = trained_dir
    copy = tmp_path / "nlp"
    shutil.copytree(path, copy)
    (copy / "transformer" / "model" / "pytorch_model.bin").write_bytes(b"not loaded")
    with pytest.raises(HeronValueError, match=r"\[E754\].*pickle"):
        heron.load(copy)


def test_missing_saved_model_folder_is_a_coded_error(trained_dir, tmp_path):
    path, _, _, _ = trained_dir
    copy = tmp_path / "nlp"
    shutil.copytree(path, copy)
    shutil.rmtree(copy / "transformer" / "model")
    with pytest.raises(HeronValueError, match=r"\[E364\].*transformer/model"):
        heron.load(copy)
