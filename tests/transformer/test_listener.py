"""TransformerListener + pooling: one backward from several heads, grad_factor (0 freezes,
schedules, scaling), the inference paths, width resolution, and the pooling layers."""
from __future__ import annotations

from typing import Dict, List

import numpy as np
import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.pipeline.update import trainable_parameters
from heron.registry import registry
from heron.tokens import Doc
from heron.training.example import Example
from heron.transformer import listener as trf_listener
from heron.transformer.listener import TransformerListener, pool_docs
from heron.transformer.pooling import Pooling

TAGGED = [
    ("Alice visits Paris today", ["NNP", "VBZ", "NNP", "NN"]),
    ("the small dog barks", ["DT", "JJ", "NN", "VBZ"]),
    ("Bob met Carol in Rome", ["NNP", "VBD", "NNP", "IN", "NNP"]),
]
ENTS = [["U-PER", "O", "U-LOC", "O"], ["O", "O", "O", "O"], ["U-PER", "O", "U-PER", "O", "U-LOC"]]


def listener(grad_factor=1.0, **extra) -> dict:
    return {"@architectures": "heron.TransformerListener.v1", "grad_factor": grad_factor, **extra}


def make_nlp(model_dir, heads=("tagger", "ner"), grad_factor=1.0):
    nlp = heron.blank("en")
    nlp.add_pipe("transformer", config={"model": {
        "name": str(model_dir), "get_spans": {"@span_getters": "heron.doc_spans.v1"}}})
    if "tagger" in heads:
        nlp.add_pipe("tagger", config={"model": {"tok2vec": listener(grad_factor)}})
    if "ner" in heads:
        nlp.add_pipe("ner", config={"model": {"@architectures": "heron.TransitionBasedParser.v1",
                                              "hidden_width": 16, "tok2vec": listener(grad_factor)}})
    return nlp


def examples(nlp) -> List[Example]:
    out = []
    for (text, tags), ents in zip(TAGGED, ENTS):
        doc = nlp.make_doc(text)
        ref = Doc(nlp.vocab, words=doc.words, spaces=doc.spaces, tags=tags, ents=ents)
        out.append(Example(doc, ref))
    return out


def trf_state(nlp) -> Dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in nlp.get_pipe("transformer").model.state_dict().items()}


def trf_grads(nlp, egs, **kwargs) -> List[torch.Tensor]:
    for p in trainable_parameters(nlp):
        p.grad = None
    nlp.update(egs, sgd=False, **kwargs)
    params = nlp.get_pipe("transformer").model.parameters()
    return [torch.zeros_like(p) if p.grad is None else p.grad.clone() for p in params]


@pytest.fixture(scope="module")
def trained(tiny_bert_dir):
    """tagger + ner on one tiny BERT, a few steps in (output layers start at zero, which
    would send no gradient to the transformer)."""
    torch.manual_seed(0)
    nlp = make_nlp(tiny_bert_dir)
    egs = examples(nlp)
    opt = nlp.initialize(lambda: egs)
    for _ in range(2):
        nlp.update(egs, sgd=opt)
    return nlp, egs


def test_two_heads_one_forward_one_backward_summed(trained, monkeypatch):
    nlp, egs = trained
    trf = nlp.get_pipe("transformer")
    assert trf.listening_components == ["tagger", "ner"]
    calls = []
    forward = type(trf.model).forward
    monkeypatch.setattr(type(trf.model), "forward", lambda self, docs: calls.append(1) or forward(self, docs))
    both = trf_grads(nlp, egs)
    assert len(calls) == 1  # the transformer ran once for both heads
    tagger_only = trf_grads(nlp, egs, exclude=["ner"])
    ner_only = trf_grads(nlp, egs, exclude=["tagger"])
    assert any(float(g.abs().sum()) > 0 for g in tagger_only)
    assert any(float(g.abs().sum()) > 0 for g in ner_only)
    for g, a, b in zip(both, tagger_only, ner_only):
        torch.testing.assert_close(g, a + b, rtol=1e-4, atol=1e-7)


def test_grad_factor_scales_the_gradient(trained):
    nlp, egs = trained
    full = trf_grads(nlp, egs, exclude=["ner"])
    nlp.get_pipe("tagger").model.tok2vec.grad_factor = 0.5
    try:
        half = trf_grads(nlp, egs, exclude=["ner"])
    finally:
        nlp.get_pipe("tagger").model.tok2vec.grad_factor = 1.0
    for g, h in zip(full, half):
        torch.testing.assert_close(h, 0.5 * g, rtol=1e-4, atol=1e-8)


def test_grad_factor_zero_freezes_the_transformer(tiny_bert_dir):
    torch.manual_seed(0)
    nlp = make_nlp(tiny_bert_dir, grad_factor=0.0)
    egs = examples(nlp)
    opt = nlp.initialize(lambda: egs)
    before = trf_state(nlp)
    head_before = nlp.get_pipe("tagger").model.output.weight.detach().clone()
    for _ in range(3):
        nlp.update(egs, sgd=opt, drop=0.1)
    after = trf_state(nlp)
    assert before.keys() == after.keys()
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not torch.equal(head_before, nlp.get_pipe("tagger").model.output.weight)


def test_frozen_annotating_transformer_stays_bit_identical(trained):
    """[training] frozen_components + annotating_components: heads train on its fixed output."""
    nlp, egs = trained
    before = trf_state(nlp)
    head_before = nlp.get_pipe("tagger").model.output.weight.detach().clone()
    opt = nlp.create_optimizer()
    nlp.update(egs, sgd=opt, exclude=["transformer"], annotates=["transformer"])
    after = trf_state(nlp)
    assert all(torch.equal(before[k], after[k]) for k in before)
    assert not torch.equal(head_before, nlp.get_pipe("tagger").model.output.weight)
    assert all(isinstance(eg.predicted._.trf_data, trf_listener.TransformerData) for eg in egs)


def test_grad_factor_schedule_unfreezes_later(trained):
    nlp, egs = trained
    nlp.get_pipe("ner").model.tok2vec.grad_factor = 0.0
    nlp.get_pipe("tagger").model.tok2vec.grad_factor = lambda step: 0.0 if step < 2 else 1.0
    try:
        frozen = trf_grads(nlp, egs, step=1)
        unfrozen = trf_grads(nlp, egs, step=2)
    finally:
        nlp.get_pipe("ner").model.tok2vec.grad_factor = 1.0
        nlp.get_pipe("tagger").model.tok2vec.grad_factor = 1.0
    assert all(float(g.abs().sum()) == 0 for g in frozen)
    assert any(float(g.abs().sum()) > 0 for g in unfrozen)


def test_inference_paths_agree(trained):
    """Pooling the cached batch, doc._.trf_data, or a fresh transformer run: same vectors."""
    nlp, _ = trained
    trf, tagger = nlp.get_pipe("transformer"), nlp.get_pipe("tagger")
    docs = [nlp.make_doc(text) for text, _ in TAGGED]
    trf.set_annotations(docs, trf.predict(docs))
    with torch.inference_mode():
        cached, mask = tagger.model.tok2vec(docs)
        trf.clear_batch_cache()
        stored, mask2 = tagger.model.tok2vec(docs)  # from doc._.trf_data
        for doc in docs:
            doc._.trf_data = None
        fresh, mask3 = tagger.model.tok2vec(docs)  # runs the transformer again
    assert cached.shape == (3, 5, trf.width)
    assert torch.equal(mask, mask2) and torch.equal(mask, mask3)
    torch.testing.assert_close(cached, stored)
    torch.testing.assert_close(cached, fresh, rtol=1e-5, atol=1e-6)


def test_listener_is_a_tok2vec_listener_and_copies_without_the_trunk(trained):
    import copy

    nlp, _ = trained
    trf = nlp.get_pipe("transformer")
    lst = nlp.get_pipe("tagger").model.tok2vec
    assert isinstance(lst, TransformerListener) and lst.upstream is trf and lst.width == trf.width
    assert not any(k.startswith("tok2vec.") for k in nlp.get_pipe("tagger").model.state_dict())
    clone = copy.deepcopy(nlp.get_pipe("tagger").model)
    assert clone.tok2vec.upstream is trf


def test_width_is_required_when_no_transformer_is_known():
    # Built outside a pipeline: no upstream transformer can fill the width.
    make = registry.architectures.get("heron.TransformerListener.v1")
    with pytest.raises(HeronValueError, match=r"\[E751\].*width = N"):
        make()
    assert make(width=24).width == 24
    with pytest.raises(HeronValueError, match=r"\[E751\]"):
        make(width=0)


# ---- pooling -------------------------------------------------------------------------


def _loop_pool(reduction: str, pieces: np.ndarray, groups: List[List[int]]) -> np.ndarray:
    out = np.zeros((len(groups), pieces.shape[1]), np.float32)
    for i, g in enumerate(groups):
        if g:
            rows = pieces[g]
            out[i] = {"mean": rows.mean(0), "sum": rows.sum(0), "max": rows.max(0),
                      "first": rows[0], "last": rows[-1]}[reduction]
    return out


@pytest.mark.parametrize("reduction", ["mean", "max", "first", "last", "sum"])
def test_pooling_matches_a_loop_and_zeroes_empty_tokens(reduction):
    rng = np.random.default_rng(0)
    pieces = rng.normal(size=(7, 5)).astype(np.float32)
    groups = [[0], [], [1, 2, 3], [3, 4], [], [6, 5]]
    index = torch.tensor([i for g in groups for i in g])
    lengths = torch.tensor([len(g) for g in groups])
    layer = registry.layers.get(f"heron.reduce_{reduction}.v1")()
    X = torch.from_numpy(pieces).requires_grad_()
    out = layer(X, index, lengths)
    np.testing.assert_allclose(out.detach().numpy(), _loop_pool(reduction, pieces, groups), rtol=1e-6)
    out.sum().backward()
    assert X.grad is not None and float(X.grad[[0, 1, 2, 3]].abs().sum()) > 0


def test_pooling_rejects_unknown_reduction():
    with pytest.raises(HeronValueError, match=r"\[E760\]"):
        Pooling("median")


def test_pool_docs_pads_and_masks():
    from heron.transformer.data import Ragged

    pieces = torch.arange(12, dtype=torch.float32).reshape(6, 2)
    aligns = [Ragged.from_lists([[1], [1, 2]]), Ragged.from_lists([[0], [], [1]])]
    X, mask = pool_docs(Pooling("mean"), pieces, aligns, np.array([0, 3]))
    assert X.shape == (2, 3, 2)
    assert mask.tolist() == [[True, True, False], [True, True, True]]
    assert X[0, 1].tolist() == [3.0, 4.0]  # mean of pieces 1 and 2
    assert X[1, 0].tolist() == [6.0, 7.0]  # doc 2 starts at piece 3
    assert X[1, 1].tolist() == [0.0, 0.0] and X[0, 2].tolist() == [0.0, 0.0]
