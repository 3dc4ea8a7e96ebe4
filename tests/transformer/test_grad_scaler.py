"""float16 loss scaling (grad_scaler_config), exercised on CPU.

CPU has no float16 autocast, so the float16 path is forced by monkeypatching the one
decision, `heron.transformer.model.needs_grad_scaler`; everything after it (scaling the
gradient that enters the transformer, unscaling, the inf/nan skip, the scale update) is
the real code with torch.amp.GradScaler("cpu"). Scales are powers of two, so scaled and
unscaled gradients agree to float32 rounding.
"""
from __future__ import annotations

import copy
import warnings
from types import SimpleNamespace
from typing import Dict, List

import pytest
import torch

import heron
from heron.errors import HeronValueError, HeronWarning
from heron.pipeline.update import trainable_parameter_groups
from heron.tokens import Doc
from heron.training.example import Example
from heron.training.loop import train_while_improving
from heron.training.loss_scale import attach_grad_scalers
from heron.training.optim import Adam, Optimizer, as_schedule
from heron.transformer import model as trf_model

TAGGED = [
    ("Alice visits Paris today", ["NNP", "VBZ", "NNP", "NN"]),
    ("the small dog barks", ["DT", "JJ", "NN", "VBZ"]),
    ("Bob met Carol in Rome", ["NNP", "VBD", "NNP", "IN", "NNP"]),
]


@pytest.fixture(autouse=True)
def _no_cpu_amp_warning():
    # mixed_precision = true on CPU warns W750 (autocast is GPU-only); expected here.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"\[W750\]")
        yield


def force_fp16(monkeypatch, on: bool = True) -> None:
    """Make models with mixed_precision behave as on a GPU without bfloat16 (or not)."""
    monkeypatch.setattr(trf_model, "needs_grad_scaler", lambda model: on and model.mixed_precision)


def make_nlp(model_dir, *, grad_scaler_config=None, mixed_precision=True):
    torch.manual_seed(0)
    nlp = heron.blank("en")
    nlp.add_pipe("transformer", config={"model": {
        "name": str(model_dir), "get_spans": {"@span_getters": "heron.doc_spans.v1"},
        "mixed_precision": mixed_precision, "grad_scaler_config": grad_scaler_config or {}}})
    nlp.add_pipe("tagger", config={"model": {"tok2vec": {"@architectures": "heron.TransformerListener.v1"}}})
    return nlp


def examples(nlp) -> List[Example]:
    out = []
    for text, tags in TAGGED:
        doc = nlp.make_doc(text)
        out.append(Example(doc, Doc(nlp.vocab, words=doc.words, spaces=doc.spaces, tags=tags)))
    return out


def warm(nlp):
    """Initialize and take two plain (unscaled) steps: the tagger's output layer starts at
    zero, which would send no gradient into the transformer."""
    egs = examples(nlp)
    opt = nlp.initialize(lambda: egs)
    for _ in range(2):
        nlp.update(egs, sgd=opt)
    return egs, opt


def sgd(nlp, lr: float = 0.1) -> Optimizer:
    """A heron Optimizer around plain SGD: its step is proportional to the gradient, so a
    missing or doubled unscale would show (Adam's first step would hide it)."""
    groups = trainable_parameter_groups(nlp)
    return Optimizer(torch.optim.SGD(groups, lr=lr), [as_schedule(lr)] * len(groups),
                     grad_clip=0.0, use_averages=False)


def snapshot(nlp) -> Dict[str, torch.Tensor]:
    return {f"{name}.{k}": v.detach().clone() for name, proc in nlp.pipeline
            for k, v in proc.model.state_dict().items()}


def restore(nlp, state: Dict[str, torch.Tensor]) -> None:
    with torch.no_grad():
        for name, proc in nlp.pipeline:
            for k, v in proc.model.state_dict().items():
                v.copy_(state[f"{name}.{k}"])


def grads(nlp, component: str) -> List[torch.Tensor]:
    return [p.grad.clone() for p in nlp.get_pipe(component).model.parameters() if p.grad is not None]


def trf(nlp):
    return nlp.get_pipe("transformer").model


def test_gradients_in_the_transformer_are_scaled_heads_are_not(tiny_bert_dir, monkeypatch):
    nlp = make_nlp(tiny_bert_dir, grad_scaler_config={"init_scale": 1024.0})
    egs, _ = warm(nlp)
    force_fp16(monkeypatch, False)
    opt = sgd(nlp)
    nlp.update(egs, sgd=False)
    plain_trf, plain_tagger = grads(nlp, "transformer"), grads(nlp, "tagger")
    opt.zero_grad()
    force_fp16(monkeypatch)
    assert len(attach_grad_scalers(nlp, opt)) == 1
    nlp.update(egs, sgd=False)
    scaled_trf, scaled_tagger = grads(nlp, "transformer"), grads(nlp, "tagger")
    assert len(plain_trf) == len(scaled_trf) > 0
    assert any(g.abs().sum() > 0 for g in plain_trf)
    for plain, scaled in zip(plain_trf, scaled_trf):
        torch.testing.assert_close(scaled, plain * 1024.0, rtol=1e-5, atol=1e-9)
    for plain, scaled in zip(plain_tagger, scaled_tagger):
        torch.testing.assert_close(scaled, plain, rtol=1e-5, atol=1e-9)
    opt.step()  # unscales: afterwards the transformer's gradients are the plain ones
    for plain, unscaled in zip(plain_trf, grads(nlp, "transformer")):
        torch.testing.assert_close(unscaled, plain, rtol=1e-5, atol=1e-9)


def test_scaled_step_equals_unscaled_step(tiny_bert_dir, monkeypatch):
    nlp = make_nlp(tiny_bert_dir)
    egs, _ = warm(nlp)
    before = snapshot(nlp)
    deltas, optimizers = [], []
    for fp16 in (False, True):
        force_fp16(monkeypatch, fp16)
        restore(nlp, before)
        opt = sgd(nlp)
        nlp.update(egs, sgd=opt)
        after = snapshot(nlp)
        deltas.append({k: after[k] - before[k] for k in before})
        optimizers.append(opt)
    assert optimizers[0].loss_scales == [] and len(optimizers[1].loss_scales) == 1
    assert optimizers[1].loss_scales[0].scaler.get_scale() == 2.0 ** 16  # default init_scale
    assert optimizers[1].step_count == 1 and optimizers[1].skipped_steps == 0
    moved = [k for k, d in deltas[0].items() if k.startswith("transformer.") and d.abs().max() > 0]
    assert moved, "the transformer must be trained in this step"
    for key in before:
        torch.testing.assert_close(deltas[1][key], deltas[0][key], rtol=1e-4, atol=1e-8)


def test_scaled_training_reduces_the_loss(tiny_bert_dir, monkeypatch):
    force_fp16(monkeypatch)
    nlp = make_nlp(tiny_bert_dir, grad_scaler_config={"init_scale": 256.0, "growth_interval": 3})
    egs = examples(nlp)
    nlp.initialize(lambda: egs)
    opt = Adam(learn_rate=0.01)(trainable_parameter_groups(nlp))
    history = [nlp.update(egs, sgd=opt)["tagger"] for _ in range(12)]
    assert history[-1] < 0.5 * history[0]
    scaling = trf(nlp).grad_scaling
    assert scaling is not None and opt.loss_scales == [scaling]
    assert opt.skipped_steps == 0 and opt.step_count == 12
    assert scaling.scaler.get_scale() > 256.0  # grew after clean steps (growth_interval 3)


@pytest.mark.parametrize("bad", [float("inf"), float("nan")])
def test_non_finite_gradient_skips_the_step_and_backs_off(tiny_bert_dir, monkeypatch, bad):
    force_fp16(monkeypatch)
    nlp = make_nlp(tiny_bert_dir, grad_scaler_config={"init_scale": 512.0, "backoff_factor": 0.25})
    egs, opt = warm(nlp)
    scaler = trf(nlp).grad_scaling.scaler
    assert scaler.get_scale() == 512.0
    nlp.update(egs, sgd=False)
    param = next(p for p in trf(nlp).parameters() if p.grad is not None)
    param.grad.view(-1)[0] = bad
    before, adam_state = snapshot(nlp), copy.deepcopy(opt.torch_optimizer.state_dict()["state"])
    steps = opt.step_count
    opt.step()
    opt.zero_grad()
    after = snapshot(nlp)
    assert all(torch.equal(before[k], after[k]) for k in before)  # heads unchanged too
    assert opt.step_count == steps and opt.skipped_steps == 1
    assert scaler.get_scale() == 128.0
    assert torch.equal(opt.torch_optimizer.state_dict()["state"][0]["exp_avg"], adam_state[0]["exp_avg"])
    nlp.update(egs, sgd=opt)  # the next clean step trains again
    assert opt.step_count == steps + 1 and opt.skipped_steps == 1
    assert any(not torch.equal(before[k], v) for k, v in snapshot(nlp).items())


def test_gradient_accumulation_scales_each_backward_and_unscales_once(tiny_bert_dir, monkeypatch):
    nlp = make_nlp(tiny_bert_dir, grad_scaler_config={"init_scale": 2048.0})
    egs, _ = warm(nlp)
    before = snapshot(nlp)
    deltas = []
    for fp16 in (False, True):
        force_fp16(monkeypatch, fp16)
        restore(nlp, before)
        opt = sgd(nlp)
        steps = train_while_improving(
            nlp, opt, [(0, egs)], lambda: (0.0, {}), dropout=0.0, eval_frequency=100,
            accumulate_gradient=3, patience=0, max_steps=0, exclude=[], annotating_components=[])
        for _ in steps:
            pass
        assert len(opt.loss_scales) == int(fp16) and opt.step_count == 1
        after = snapshot(nlp)
        deltas.append({k: after[k] - before[k] for k in before})
    assert any(d.abs().max() > 0 for k, d in deltas[0].items() if k.startswith("transformer."))
    for key in before:
        torch.testing.assert_close(deltas[1][key], deltas[0][key], rtol=1e-4, atol=1e-8)


def test_unknown_grad_scaler_key_is_a_coded_error(tiny_bert_dir):
    # Checked on every machine (here: no float16 at all), so a typo never waits for a V100.
    nlp = make_nlp(tiny_bert_dir, grad_scaler_config={"init_scal": 1024.0})
    egs = examples(nlp)
    opt = nlp.initialize(lambda: egs)
    with pytest.raises(HeronValueError, match=r"E855.*components\.transformer\.model\.grad_scaler_config\.init_scal\b"):
        nlp.update(egs, sgd=opt)


@pytest.mark.parametrize("key,value", [("growth_factor", 0.5), ("backoff_factor", 1.5),
                                       ("growth_interval", 0), ("enabled", "yes"), ("init_scale", -1)])
def test_invalid_grad_scaler_value_is_a_coded_error(tiny_bert_dir, monkeypatch, key, value):
    force_fp16(monkeypatch)
    nlp = make_nlp(tiny_bert_dir, grad_scaler_config={key: value})
    egs = examples(nlp)
    opt = nlp.initialize(lambda: egs)
    with pytest.raises(HeronValueError, match=rf"E856.*grad_scaler_config\.{key}\b"):
        nlp.update(egs, sgd=opt)


def test_disabled_scaler_trains_like_no_scaler(tiny_bert_dir, monkeypatch):
    force_fp16(monkeypatch)
    nlp = make_nlp(tiny_bert_dir, grad_scaler_config={"enabled": False})
    egs, opt = warm(nlp)
    nlp.update(egs, sgd=False)
    first = grads(nlp, "transformer")
    opt.zero_grad()
    force_fp16(monkeypatch, False)
    attach_grad_scalers(nlp, opt)
    nlp.update(egs, sgd=False)
    for a, b in zip(first, grads(nlp, "transformer")):
        torch.testing.assert_close(a, b)


def test_bf16_and_fp32_training_create_no_scaler(tiny_bert_dir):
    # Unpatched on CPU: mixed_precision has no autocast here, like fp32 (and bf16) on GPU.
    nlp = make_nlp(tiny_bert_dir, grad_scaler_config={"init_scale": 8.0})
    egs, opt = warm(nlp)
    assert trf(nlp).grad_scaling is None and opt.loss_scales == []
    assert "grad_scalers" in opt.state_dict() and opt.state_dict()["grad_scalers"] == []


def test_the_decision_follows_the_autocast_dtype(monkeypatch):
    cuda, cpu = torch.device("cuda"), torch.device("cpu")
    for bf16, dtype in ((True, torch.bfloat16), (False, torch.float16)):
        monkeypatch.setattr(torch.cuda, "is_bf16_supported", lambda *a, **k: bf16)
        assert trf_model.autocast_dtype(cuda) == dtype and trf_model.autocast_dtype(cpu) is None
        for mixed in (True, False):
            fake = SimpleNamespace(mixed_precision=mixed, device=cuda)
            assert trf_model.needs_grad_scaler(fake) == (mixed and not bf16)
            assert not trf_model.needs_grad_scaler(SimpleNamespace(mixed_precision=mixed, device=cpu))


def test_a_torch_optimizer_gets_no_scaling_and_a_warning(tiny_bert_dir, monkeypatch):
    force_fp16(monkeypatch)
    nlp = make_nlp(tiny_bert_dir)
    egs, _ = warm(nlp)
    assert trf(nlp).grad_scaling is not None
    plain = torch.optim.SGD([p for g in trainable_parameter_groups(nlp) for p in g["params"]], lr=0.0)
    with pytest.warns(HeronWarning, match=r"W850.*components\.transformer\.model\.grad_scaler_config"):
        nlp.update(egs, sgd=plain)
    assert trf(nlp).grad_scaling is None  # never left scaled without an unscale


def test_scaler_state_is_never_saved_or_copied(tiny_bert_dir, monkeypatch, tmp_path):
    force_fp16(monkeypatch)
    nlp = make_nlp(tiny_bert_dir)
    egs, _ = warm(nlp)
    model = trf(nlp)
    assert model.grad_scaling is not None
    assert not any("scal" in key for key in model.state_dict())
    assert copy.deepcopy(model).grad_scaling is None
    nlp.to_disk(tmp_path / "pipeline")
    assert not [p for p in (tmp_path / "pipeline").rglob("*") if "scal" in p.name]
    loaded = heron.load(tmp_path / "pipeline")
    assert trf(loaded).grad_scaling is None
    assert [t.tag_ for t in loaded(TAGGED[0][0])] == [t.tag_ for t in nlp(TAGGED[0][0])]
