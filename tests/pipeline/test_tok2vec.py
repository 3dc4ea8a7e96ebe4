"""tok2vec: the shared trunk component (spaCy defaults, doc.tensor, memoisation)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import heron
from heron.errors import HeronValueError

from fakes import TAGGED, WIDTH, make_nlp, tagged_examples, train


def _tok2vec_v1(include_static_vectors: bool = False) -> dict:
    return {
        "@architectures": "heron.Tok2Vec.v1",
        "embed": {"@architectures": "heron.MultiHashEmbed.v1", "width": WIDTH,
                  "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"], "rows": [500, 200, 200, 100],
                  "include_static_vectors": include_static_vectors},
        "encode": {"@architectures": "heron.MaxoutWindowEncoder.v1", "width": WIDTH,
                   "window_size": 1, "maxout_pieces": 3, "depth": 2},
    }


def test_default_config_matches_spacy():
    nlp = heron.blank("en")
    trunk = nlp.add_pipe("tok2vec")
    model = nlp.config["components"]["tok2vec"]["model"]
    assert model["@architectures"] == "heron.HashEmbedCNN.v1"
    assert {k: model[k] for k in ("width", "depth", "embed_size", "window_size", "maxout_pieces",
                                  "subword_features")} == {
        "width": 96, "depth": 4, "embed_size": 2000, "window_size": 1, "maxout_pieces": 3,
        "subword_features": True}
    assert trunk.width == 96 and trunk.labels == ()


def test_writes_doc_tensor_batch_invariant():
    torch.manual_seed(0)
    nlp = make_nlp([], shared=True)
    nlp.initialize(lambda: tagged_examples(nlp))
    texts = [text for text, _ in TAGGED]
    alone = [nlp(text).tensor for text in texts]
    batched = [doc.tensor for doc in nlp.pipe(texts, batch_size=5)]
    for a, b, text in zip(alone, batched, texts):
        assert isinstance(b, np.ndarray) and b.dtype == np.float32
        assert b.shape == (len(nlp.make_doc(text)), WIDTH)
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert nlp("").tensor.shape[0] == 0


def test_inline_tok2vec_v1_as_trunk_and_loss_report():
    torch.manual_seed(0)
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": _tok2vec_v1()})
    nlp.add_pipe("tagger", config={"model": {"@architectures": "heron.Tagger.v1", "tok2vec": {
        "@architectures": "heron.Tok2VecListener.v1", "width": WIDTH}}})
    examples = tagged_examples(nlp)
    nlp.initialize(lambda: examples)
    losses = train(nlp, examples, steps=3)
    assert set(losses) == {"tok2vec", "tagger"}
    assert losses["tok2vec"] > 0  # spaCy-style: squared gradient received from the heads


def test_static_vectors_without_vectors_is_a_clear_error():
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": _tok2vec_v1(include_static_vectors=True)})
    with pytest.raises(HeronValueError, match=r"E356.*'tok2vec'.*include_static_vectors = false"):
        nlp.initialize(lambda: tagged_examples(nlp))


def test_listener_at_inference_uses_cache_then_doc_tensor_then_runs_trunk():
    torch.manual_seed(0)
    nlp = make_nlp(["tagger"])
    examples = tagged_examples(nlp)
    nlp.initialize(lambda: examples)
    train(nlp, examples, steps=20)
    texts = [text for text, _ in TAGGED]
    expected = [[t.tag_ for t in doc] for doc in nlp.pipe(texts)]
    trunk, tagger = nlp.get_pipe("tok2vec"), nlp.get_pipe("tagger")
    # doc.tensor from an earlier run: the tagger alone reuses it.
    docs = list(trunk.pipe(nlp.make_doc(t) for t in texts))
    trunk.clear_batch_cache()
    calls = []
    forward = trunk.model.forward
    trunk.model.forward = lambda batch: calls.append(1) or forward(batch)
    assert [[t.tag_ for t in d] for d in tagger.pipe(docs)] == expected
    assert calls == []
    # The trunk disabled and no tensors: the listener runs it itself.
    with nlp.select_pipes(disable=["tok2vec"]):
        assert [[t.tag_ for t in doc] for doc in nlp.pipe(texts)] == expected
    assert calls
