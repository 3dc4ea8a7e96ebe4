"""The padding-free forward pass (heron/transformer/packed.py): same outputs and gradients
as the Hugging Face forward pass, used only where verified, HF path otherwise."""
from __future__ import annotations

import pytest
import torch

import heron
from heron.registry import registry
from heron.transformer.batch import transformer_batch
from heron.transformer.packed import PackedEncoder

# Lengths differ a lot, so every chunk pads (the case the packed path exists for).
TEXTS = ["Alice visits Paris today.", "Hi",
         "The quick brown fox jumps over the lazy dog while Bob reads a very long book in Berlin.",
         "", "Bob said: no!"]


def make_model(model_dir):
    get_spans = registry.span_getters.get("heron.doc_spans.v1")()
    return registry.architectures.get("heron.TransformerModel.v1")(name=str(model_dir), get_spans=get_spans)


@pytest.fixture(scope="module")
def nlp():
    return heron.blank("en")


def pieces(model, docs, packed: bool) -> torch.Tensor:
    model.use_packed = packed
    return transformer_batch(model, docs).extra["pieces"]


def test_packed_path_is_used_and_matches_the_hf_forward(tiny_trf_dir, nlp):
    model = make_model(tiny_trf_dir)
    model.eval()
    docs = [nlp.make_doc(t) for t in TEXTS]
    with torch.no_grad():
        want = pieces(model, docs, packed=False)
        got = pieces(model, docs, packed=True)
    assert model._packed() is not None  # the tiny models are all BERT-style
    assert got.shape == want.shape and got.shape[0] > 0
    torch.testing.assert_close(got, want, rtol=1e-5, atol=1e-5)


def test_packed_gradients_match_the_hf_forward(tiny_trf_dir, nlp):
    model = make_model(tiny_trf_dir)
    model.eval()  # no dropout, so both paths compute the same function
    docs = [nlp.make_doc(t) for t in TEXTS]
    grads = []
    for packed in (False, True):
        model.zero_grad()
        out = pieces(model, docs, packed)
        (out * torch.linspace(-1, 1, out.shape[1])).sum().backward()
        grads.append({n: p.grad.clone() for n, p in model.named_parameters() if p.grad is not None})
    assert grads[0].keys() == grads[1].keys()
    assert any("encoder.layer.0.attention.self.query" in n for n in grads[1])
    for name in grads[0]:
        torch.testing.assert_close(grads[1][name], grads[0][name], rtol=1e-4, atol=1e-5, msg=name)


def test_dropout_still_acts_in_train_mode(tiny_bert_dir, nlp):
    model = make_model(tiny_bert_dir)
    model.ensure_loaded()
    for module in model.transformer.modules():  # the fixture saves dropout 0
        if isinstance(module, torch.nn.Dropout):
            module.p = 0.1
    docs = [nlp.make_doc(t) for t in TEXTS[:3]]
    model.train()
    first = pieces(model, docs, packed=True).detach()
    second = pieces(model, docs, packed=True).detach()
    assert model._packed() is not None  # the check itself runs in eval mode
    assert not torch.allclose(first, second)
    model.eval()
    torch.testing.assert_close(pieces(model, docs, packed=True), pieces(model, docs, packed=False))


def test_a_model_the_packed_path_does_not_reproduce_keeps_the_hf_forward(tiny_bert_dir, nlp):
    model = make_model(tiny_bert_dir)
    model.eval()
    model.ensure_loaded()
    layer = model.transformer.encoder.layer[0]
    original = layer.forward
    # A layer whose forward does more than its submodules: the packed path can't know.
    layer.forward = lambda *args, **kwargs: original(*args, **kwargs) + 1.0
    docs = [nlp.make_doc(t) for t in TEXTS]
    with torch.no_grad():
        want = pieces(model, docs, packed=False)
        got = pieces(model, docs, packed=True)
    assert model._packed() is None
    torch.testing.assert_close(got, want)


def test_the_check_reruns_for_a_new_model(tiny_bert_dir):
    model = make_model(tiny_bert_dir)
    model.ensure_loaded()
    first = model._packed()
    assert first is not None and model._packed() is first  # cached
    model.load()  # a fresh HF model object
    second = model._packed()
    assert second is not None and second is not first and second.model is model.transformer


def test_unsupported_architectures_are_not_packed():
    import transformers

    config = transformers.DistilBertConfig(vocab_size=50, dim=16, n_layers=1, n_heads=2, hidden_dim=32)
    assert not PackedEncoder.supports(transformers.DistilBertModel(config))
    bert = transformers.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                   intermediate_size=32)
    assert PackedEncoder.supports(transformers.BertModel(bert))
    decoder = transformers.BertConfig(vocab_size=50, hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                                      intermediate_size=32, is_decoder=True)
    assert not PackedEncoder.supports(transformers.BertModel(decoder))
    assert not PackedEncoder.supports(None)
