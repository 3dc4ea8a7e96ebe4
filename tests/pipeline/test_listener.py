"""Listeners: one backward reaches the shared trunk from every head; grad_factor;
binding errors; replace_listeners; frozen components stay bit-identical."""
from __future__ import annotations

from typing import Dict, List

import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.language import Language
from heron.pipeline.listener import Tok2VecListener, iter_listeners
from heron.pipeline.update import trainable_parameters

from fakes import TAGGED, WIDTH, listener_model, make_nlp, tagged_examples, train, trunk_model

HEADS = ("tagger", "tagger#2")  # two taggers (named tagger, tagger_2) on the same trunk


def _trunk_grads(nlp, examples, **kwargs) -> List[torch.Tensor]:
    """Gradients the trunk's parameters receive from one nlp.update (no optimizer step)."""
    trunk = nlp.get_pipe("tok2vec")
    for p in trainable_parameters(nlp):
        p.grad = None
    nlp.update(examples, sgd=False, **kwargs)
    return [torch.zeros_like(p) if p.grad is None else p.grad.clone() for p in trunk.model.parameters()]


def _state(component) -> Dict[str, torch.Tensor]:
    return {k: v.detach().clone() for k, v in component.model.state_dict().items()}


def _same(a: Dict[str, torch.Tensor], b: Dict[str, torch.Tensor]) -> bool:
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


@pytest.fixture
def two_heads():
    torch.manual_seed(0)
    nlp = make_nlp(HEADS)
    examples = tagged_examples(nlp)
    nlp.initialize(lambda: examples)
    # Output layers start at zero (like spaCy's softmax), which sends no gradient to the
    # trunk; two steps make the heads' weights non-zero.
    train(nlp, examples, steps=2)
    return nlp, examples


def test_listeners_bound_by_reference(two_heads):
    nlp, _ = two_heads
    trunk = nlp.get_pipe("tok2vec")
    assert trunk.listening_components == ["tagger", "tagger_2"]
    for name in ("tagger", "tagger_2"):
        head = nlp.get_pipe(name)
        assert head.model.tok2vec.upstream is trunk
        # The head's weights never include the trunk's.
        assert not any(k.startswith("tok2vec.") for k in head.model.state_dict())
    params = trainable_parameters(nlp)
    assert len(params) == len({id(p) for p in params})
    assert len(params) == len(list(trunk.model.parameters())) + 4  # 2 heads x (weight, bias)


def test_one_backward_sums_both_heads(two_heads):
    nlp, examples = two_heads
    both = _trunk_grads(nlp, examples)
    only_a = _trunk_grads(nlp, examples, exclude=["tagger_2"])
    only_b = _trunk_grads(nlp, examples, exclude=["tagger"])
    assert any(g.abs().sum() > 0 for g in only_a) and any(g.abs().sum() > 0 for g in only_b)
    for g, a, b in zip(both, only_a, only_b):
        torch.testing.assert_close(g, a + b, rtol=1e-4, atol=1e-7)


def test_trunk_runs_once_per_batch(two_heads, monkeypatch):
    nlp, examples = two_heads
    trunk = nlp.get_pipe("tok2vec")
    calls = []
    forward = trunk.model.forward
    monkeypatch.setattr(trunk.model, "forward", lambda batch: calls.append(1) or forward(batch))
    nlp.update(examples, sgd=False)
    assert len(calls) == 1
    calls.clear()
    docs = list(nlp.pipe([text for text, _ in TAGGED], batch_size=2))
    assert len(calls) == 3  # 5 texts in batches of 2: once per batch, not once per head
    assert all(doc.tensor.shape == (len(doc), WIDTH) for doc in docs)


@pytest.mark.parametrize("factor", [0.0, 0.5])
def test_grad_factor_scales_one_heads_contribution(two_heads, factor):
    nlp, examples = two_heads
    only_a = _trunk_grads(nlp, examples, exclude=["tagger_2"])
    only_b = _trunk_grads(nlp, examples, exclude=["tagger"])
    nlp.get_pipe("tagger_2").model.tok2vec.grad_factor = factor
    scaled = _trunk_grads(nlp, examples)
    for g, a, b in zip(scaled, only_a, only_b):
        torch.testing.assert_close(g, a + factor * b, rtol=1e-4, atol=1e-7)
    # The head itself still learns with grad_factor 0.
    head = nlp.get_pipe("tagger_2")
    assert head.model.output.weight.grad is not None and head.model.output.weight.grad.abs().sum() > 0


def test_grad_factor_schedule_follows_step(two_heads):
    nlp, examples = two_heads
    only_a = _trunk_grads(nlp, examples, exclude=["tagger_2"])
    nlp.get_pipe("tagger_2").model.tok2vec.grad_factor = lambda step: 0.0 if step < 10 else 1.0
    early = _trunk_grads(nlp, examples, step=3)
    late = _trunk_grads(nlp, examples, step=10)
    for g, a in zip(early, only_a):
        torch.testing.assert_close(g, a, rtol=1e-4, atol=1e-7)
    assert any(not torch.allclose(g, a) for g, a in zip(late, only_a))


def test_grad_factor_schedule_from_config():
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": trunk_model()})
    listener = dict(listener_model(), grad_factor={"@schedules": "heron.constant.v1", "rate": 0.25})
    nlp.add_pipe("tagger", config={"model": {"@architectures": "heron.Tagger.v1", "tok2vec": listener}})
    assert nlp.get_pipe("tagger").model.tok2vec.current_grad_factor() == 0.25


def test_frozen_components_stay_bit_identical(two_heads):
    nlp, examples = two_heads
    frozen = _state(nlp.get_pipe("tagger_2"))
    trunk_before = _state(nlp.get_pipe("tok2vec"))
    train(nlp, examples, steps=3, exclude=["tagger_2"])
    assert _same(_state(nlp.get_pipe("tagger_2")), frozen)
    assert not _same(_state(nlp.get_pipe("tok2vec")), trunk_before)


def test_frozen_trunk_needs_annotating_or_grad_factor_0(two_heads):
    nlp, examples = two_heads
    with pytest.raises(HeronValueError, match=r"E354.*annotating_components.*grad_factor.*replace_listeners"):
        nlp.update(examples, sgd=False, exclude=["tok2vec"])
    trunk_before = _state(nlp.get_pipe("tok2vec"))
    head_before = _state(nlp.get_pipe("tagger"))
    # (1) the frozen trunk annotates: heads train on its fixed output.
    losses = train(nlp, examples, steps=3, exclude=["tok2vec"], annotates=["tok2vec"])
    assert _same(_state(nlp.get_pipe("tok2vec")), trunk_before)
    assert not _same(_state(nlp.get_pipe("tagger")), head_before)
    assert losses["tagger"] > 0 and "tok2vec" not in losses
    # (2) grad_factor 0 on every head also works without annotating.
    for name in ("tagger", "tagger_2"):
        nlp.get_pipe(name).model.tok2vec.grad_factor = 0.0
    train(nlp, examples, steps=2, exclude=["tok2vec"])
    assert _same(_state(nlp.get_pipe("tok2vec")), trunk_before)


def test_annotating_component_sets_predictions_during_update(two_heads):
    nlp, examples = two_heads
    nlp.update(examples, sgd=False, annotates=["tagger", "tok2vec"])
    for eg in examples:
        assert eg.predicted.has_annotation("TAG")
        assert eg.predicted.tensor.shape == (len(eg.predicted), WIDTH)


# ---- binding errors -------------------------------------------------------------------


def _config(trunk_width: int, head_width: int, upstream: str = "*", trunk: bool = True) -> dict:
    components = {"tagger": {"factory": "tagger", "model": {
        "@architectures": "heron.Tagger.v1", "tok2vec": listener_model(head_width, upstream)}}}
    pipeline = ["tagger"]
    if trunk:
        components["tok2vec"] = {"factory": "tok2vec", "model": trunk_model(trunk_width)}
        pipeline.insert(0, "tok2vec")
    return {"nlp": {"lang": "en", "pipeline": pipeline}, "components": components}


def test_width_mismatch_names_both_widths_and_keys():
    expected = r"E353.*expects width 16.*width 32.*components\.tagger\.model\.tok2vec\.width"
    with pytest.raises(HeronValueError, match=expected):
        Language.from_config(_config(32, 16))


def test_listener_without_trunk():
    with pytest.raises(HeronValueError, match=r"E351.*tagger\.model\.tok2vec"):
        Language.from_config(_config(32, 32, trunk=False))
    # Built piece by piece, the error comes when the head is used.
    nlp = heron.blank("en")
    nlp.add_pipe("tagger", config={"model": {"@architectures": "heron.Tagger.v1", "tok2vec": listener_model()}})
    nlp.get_pipe("tagger").add_label("NN")
    with pytest.raises(HeronValueError, match="E351"):
        nlp("a text")
    with pytest.raises(HeronValueError, match="E351"):
        nlp.initialize(lambda: tagged_examples(nlp))


def test_named_upstream_must_exist():
    with pytest.raises(HeronValueError, match=r"E352.*'trunk'.*no such component"):
        Language.from_config(_config(32, 32, upstream="trunk"))
    nlp = Language.from_config(_config(32, 32, upstream="tok2vec"))
    assert nlp.get_pipe("tagger").model.tok2vec.upstream is nlp.get_pipe("tok2vec")


def test_add_pipe_binds_and_remove_pipe_unbinds():
    nlp = make_nlp(["tagger"])
    listener = nlp.get_pipe("tagger").model.tok2vec
    assert listener.upstream is nlp.get_pipe("tok2vec")
    nlp.remove_pipe("tok2vec")
    assert listener.upstream is None
    nlp.add_pipe("tok2vec", first=True, config={"model": trunk_model()})
    assert listener.upstream is nlp.get_pipe("tok2vec")


# ---- independent mode and replace_listeners --------------------------------------------


def test_replace_listeners_copies_trunk_and_config(two_heads, tmp_path):
    nlp, examples = two_heads
    train(nlp, examples, steps=10)
    texts = [text for text, _ in TAGGED]
    before = [[t.tag_ for t in doc] for doc in nlp.pipe(texts)]
    nlp.replace_listeners("tok2vec", "tagger", ["model.tok2vec"])
    head, trunk = nlp.get_pipe("tagger"), nlp.get_pipe("tok2vec")
    assert not isinstance(head.model.tok2vec, Tok2VecListener)
    assert trunk.listening_components == ["tagger_2"]
    own = dict(head.model.tok2vec.named_parameters())
    for key, value in trunk.model.named_parameters():
        assert torch.equal(own[key], value) and own[key] is not value
    assert nlp.config["components"]["tagger"]["model"]["tok2vec"]["@architectures"] == "heron.HashEmbedCNN.v1"
    assert [[t.tag_ for t in doc] for doc in nlp.pipe(texts)] == before
    # Save/load rebuilds the copy from the updated config.
    nlp.to_disk(tmp_path / "p")
    loaded = heron.load(tmp_path / "p")
    assert not list(iter_listeners(loaded.get_pipe("tagger")))
    assert [[t.tag_ for t in doc] for doc in loaded.pipe(texts)] == before
    # The copy trains on its own: freezing the trunk no longer affects this head.
    trunk_before = _state(trunk)
    nlp.get_pipe("tagger_2").model.tok2vec.grad_factor = 0.0
    train(nlp, examples, steps=2, exclude=["tok2vec"])
    assert _same(_state(trunk), trunk_before)


def test_replace_listeners_errors(two_heads):
    nlp, _ = two_heads
    with pytest.raises(HeronValueError, match=r"E357.*no listener at 'model.nope'"):
        nlp.replace_listeners("tok2vec", "tagger", ["model.nope"])
    with pytest.raises(HeronValueError, match=r"E357.*not a tok2vec-like"):
        nlp.replace_listeners("tagger", "tagger_2", ["model.tok2vec"])
    with pytest.raises(HeronValueError, match=r"E357.*no component 'ner'"):
        nlp.replace_listeners("tok2vec", "ner", ["model.tok2vec"])


def test_independent_heads_have_own_trunks():
    nlp = make_nlp(HEADS, shared=False)
    examples = tagged_examples(nlp)
    nlp.initialize(lambda: examples)
    a, b = nlp.get_pipe("tagger"), nlp.get_pipe("tagger_2")
    assert not list(iter_listeners(a)) and a.model.tok2vec is not b.model.tok2vec
    before = _state(b)
    train(nlp, examples, steps=2, exclude=["tagger_2"])
    assert _same(_state(b), before)
