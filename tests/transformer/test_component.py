"""The `transformer` component: doc._.trf_data, annotation setters (doc.tensor and
.vector), dropping trf_data, coded settings errors, and an nlp.update loop that
overfits a tagger on the tiny BERT."""
from __future__ import annotations

from typing import List

import numpy as np
import pytest
import torch

import heron
from heron.errors import HeronWarning
from heron.pipeline.update import trainable_parameters
from heron.registry import registry
from heron.tokens import Doc
from heron.training.example import Example
from heron.transformer import FullTransformerBatch, TransformerData

TAGGED = [
    ("I like green eggs", ["PRP", "VBP", "JJ", "NNS"]),
    ("Eat the blue ham now", ["VB", "DT", "JJ", "NN", "RB"]),
    ("Dogs bark loudly at night", ["NNS", "VBP", "RB", "IN", "NN"]),
]
_SEEN = []


@registry.annotation_setters("test.recording_setter.v1")
def recording_setter():
    def setter(docs, trf_batch):
        _SEEN.append((list(docs), trf_batch))

    return setter


def make_nlp(model_dir, *, tagger=False, **trf):
    nlp = heron.blank("en")
    config = {"model": {"name": str(model_dir), "get_spans": {"@span_getters": "heron.doc_spans.v1"}}, **trf}
    nlp.add_pipe("transformer", config=config)
    if tagger:
        nlp.add_pipe("tagger", config={"model": {"tok2vec": {"@architectures": "heron.TransformerListener.v1"}}})
    return nlp


def tagged_examples(nlp) -> List[Example]:
    return [Example.from_dict(nlp.make_doc(text), {"tags": tags}) for text, tags in TAGGED]


def test_trf_data_contents(tiny_bert_dir, load_hf_tokenizer):
    nlp = make_nlp(tiny_bert_dir)
    nlp.initialize()
    doc = nlp("Zürich   café 😀 ok")
    data = doc._.trf_data
    assert isinstance(data, TransformerData)
    enc = load_hf_tokenizer(tiny_bert_dir)(doc.text)
    assert data.input_ids.tolist() == enc["input_ids"]
    assert data.wordpieces == enc.tokens() and data.wordpieces[0] == "[CLS]"
    assert data.last_hidden.dtype == np.float32 and data.last_hidden.shape == (data.n_pieces, 32)
    assert data.last_hidden.flags.c_contiguous and data.last_hidden.base is None  # own compact copy
    assert len(data.align) == len(doc)
    for token, pieces in zip(doc, data.align.tolist()):
        assert (len(pieces) == 0) == token.is_space, (token.text, pieces)
        assert 0 not in pieces and data.n_pieces - 1 not in pieces  # specials never align


def test_predict_is_pure_and_inference_mode(tiny_bert_dir):
    nlp = make_nlp(tiny_bert_dir)
    nlp.initialize()
    trf = nlp.get_pipe("transformer")
    doc = nlp.make_doc("hello world")
    batch = trf.predict([doc])
    assert isinstance(batch, FullTransformerBatch) and batch.extra["pieces"].is_inference()
    assert doc._.trf_data is None
    assert trf.cached_batch([doc]) is batch and trf.cached_batch([nlp.make_doc("x")]) is None
    assert batch.hidden.shape[0] == 1 and batch.hidden.shape[2] == 32


def test_tensor_setter_gives_token_span_doc_vectors(tiny_bert_dir):
    nlp = make_nlp(tiny_bert_dir, set_extra_annotations={"@annotation_setters": "heron.trf_tensor_setter.v1"})
    nlp.initialize()
    doc, other = nlp("the quick brown fox"), nlp("a lazy dog")
    data = doc._.trf_data
    assert doc.tensor.shape == (4, 32) and doc.tensor.dtype == np.float32
    quick = data.align[1]
    np.testing.assert_allclose(doc.tensor[1], data.last_hidden[quick].mean(0), rtol=1e-6)
    assert doc[1].has_vector and np.array_equal(doc[1].vector, doc.tensor[1])
    np.testing.assert_allclose(doc[1:3].vector, doc.tensor[1:3].mean(0), rtol=1e-6)
    np.testing.assert_allclose(doc.vector, doc.tensor.mean(0), rtol=1e-6)
    assert doc.has_vector
    assert doc.similarity(doc) == pytest.approx(1.0)
    with pytest.warns(HeronWarning, match="W561"):  # spaCy's W007: context vectors, not word vectors
        assert -1.0 <= doc.similarity(other) < 1.0 and -1.0 <= doc[0].similarity(doc[3]) < 1.0


def test_user_registered_setter_gets_docs_and_batch(tiny_bert_dir):
    nlp = make_nlp(tiny_bert_dir, set_extra_annotations={"@annotation_setters": "test.recording_setter.v1"})
    nlp.initialize()
    _SEEN.clear()
    docs = list(nlp.pipe(["one two", "three"], batch_size=2))
    assert len(_SEEN) == 1
    seen_docs, batch = _SEEN[0]
    assert seen_docs == docs and isinstance(batch, FullTransformerBatch)
    assert [d._.trf_data for d in docs] == batch.doc_data
    assert batch.spans == [[(0, 7)], [(0, 5)]]


def test_drop_trf_data_after_the_last_listener(tiny_bert_dir):
    kept = make_nlp(tiny_bert_dir, tagger=True)
    dropped = make_nlp(tiny_bert_dir, tagger=True, drop_trf_data=True)
    for nlp in (kept, dropped):
        nlp.initialize(lambda: tagged_examples(nlp))
    docs_kept = list(kept.pipe(["I like eggs", "Dogs bark"]))
    docs_dropped = list(dropped.pipe(["I like eggs", "Dogs bark"]))
    assert all(isinstance(d._.trf_data, TransformerData) for d in docs_kept)
    assert all(d._.trf_data is None for d in docs_dropped)
    assert all(t.tag_ for d in docs_dropped for t in d)  # the tagger still ran
    assert dropped.get_pipe("transformer").cached_batch(docs_dropped) is None


@pytest.mark.parametrize("settings, code", [
    ({"max_batch_items": 0}, "E753"),
    ({"model": {"@architectures": "heron.HashEmbedCNN.v1", "width": 32, "depth": 1, "embed_size": 100,
                "window_size": 1, "maxout_pieces": 2, "subword_features": False,
                "pretrained_vectors": None}}, "E757"),
    ({"set_extra_annotations": {"@annotation_setters": "heron.null_annotation_setter.v1"},
      "max_batch_items": 2.5}, "E"),
])
def test_bad_settings_are_coded_errors(tiny_bert_dir, settings, code):
    with pytest.raises(heron.HeronError, match=rf"\[{code}"):
        make_nlp(tiny_bert_dir, **settings)


def test_trf_data_extension_is_registered():
    assert Doc.has_extension("trf_data")


def test_nlp_update_overfits_a_tagger(tiny_bert_dir):
    torch.manual_seed(0)
    nlp = make_nlp(tiny_bert_dir, tagger=True)
    egs = tagged_examples(nlp)
    nlp.initialize(lambda: egs)
    opt = registry.optimizers.get("heron.Adam.v1")(learn_rate=0.005)(trainable_parameters(nlp))
    trf_before = {k: v.clone() for k, v in nlp.get_pipe("transformer").model.state_dict().items()}
    losses = {}
    for step in range(25):
        losses = nlp.update(egs, sgd=opt, step=step)
    assert losses["tagger"] < 0.5
    assert losses["transformer"] > 0  # it received gradients ...
    changed = [k for k, v in nlp.get_pipe("transformer").model.state_dict().items()
               if not torch.equal(v, trf_before[k])]
    assert changed  # ... and was fine-tuned
    for text, tags in TAGGED:
        assert [t.tag_ for t in nlp(text)] == tags
