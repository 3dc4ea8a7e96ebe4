"""The embed layers' inference path (heron/nn/folded_embed.py): the mixing Maxout folded
into the tables must give the training path's output, follow weight changes, and stay
out of training."""
import copy

import pytest
import torch

from heron.errors import HeronValueError
from heron.nn import folded_embed
from heron.nn.char_embed import CharacterEmbed
from heron.nn.embed import MultiHashEmbed

N_TOKENS = 50


def _char_embed(static: bool) -> CharacterEmbed:
    layer = CharacterEmbed(16, 40, 4, 6, include_static_vectors=static)
    with torch.no_grad():
        layer.char_table.normal_()  # zero-initialised: random rows make the check meaningful
    if static:
        layer.static_proj.set_vectors_dim(5)
    return layer


def _multi_embed(static: bool) -> MultiHashEmbed:
    layer = MultiHashEmbed(16, ["NORM", "PREFIX", "SUFFIX"], [30, 20, 10], include_static_vectors=static)
    if static:
        layer.static_proj.set_vectors_dim(5)
    return layer


def _inputs(layer, static: bool, seed: int = 0, n_tokens: int = N_TOKENS):
    gen = torch.Generator().manual_seed(seed)
    vectors = torch.randn(n_tokens, 5, generator=gen) if static else None
    if isinstance(layer, CharacterEmbed):
        ids = torch.randint(0, 2**62, (n_tokens,), generator=gen)
        chars = torch.randint(0, 256, (n_tokens, layer.nC), generator=gen, dtype=torch.uint8)
        return (ids, chars, vectors)
    return (torch.randint(0, 2**62, (n_tokens, len(layer.attrs)), generator=gen), vectors)


def _train_path(layer, args) -> torch.Tensor:
    layer.train()
    with torch.enable_grad():
        out = layer.forward_packed(*args)
    assert out.requires_grad  # the unfolded path: autograd through the tables
    return out.detach()


def _inference(layer, args, mode=torch.no_grad) -> torch.Tensor:
    layer.eval()
    with mode():
        return layer.forward_packed(*args)


LAYERS = [pytest.param(make, static, id=f"{make.__name__[1:]}-{'static' if static else 'plain'}")
          for make in (_char_embed, _multi_embed) for static in (False, True)]


@pytest.mark.parametrize("make,static", LAYERS)
def test_folded_output_is_the_training_paths(make, static, monkeypatch):
    layer = make(static)
    args = _inputs(layer, static)
    calls = []
    original = folded_embed.fold_blocks

    def counted(*args):
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(folded_embed, "fold_blocks", counted)
    expected = _train_path(layer, args)
    got = _inference(layer, args)
    assert calls == [1]  # the inference call took the folded path
    torch.testing.assert_close(got, expected, atol=1e-5, rtol=1e-5)
    # Cached: a second call folds nothing, and inference_mode then no_grad both work.
    torch.testing.assert_close(_inference(layer, args, torch.inference_mode), expected, atol=1e-5, rtol=1e-5)
    assert calls == [1]


@pytest.mark.parametrize("make,static", LAYERS)
def test_no_tokens_no_rows(make, static):
    layer = make(static)
    args = _inputs(layer, static, n_tokens=0)
    assert _inference(layer, args).shape == (0, 16) == _train_path(layer, args).shape


@pytest.mark.parametrize("make,static", LAYERS)
def test_folded_tables_follow_weight_changes(make, static):
    layer = make(static)
    args = _inputs(layer, static)
    before = _inference(layer, args)
    with torch.no_grad():  # what an optimizer step does: in-place updates
        for param in layer.parameters():
            param.add_(0.5 * torch.randn_like(param))
    after = _inference(layer, args)
    assert not torch.allclose(before, after)
    torch.testing.assert_close(after, _train_path(layer, args), atol=1e-5, rtol=1e-5)
    # load_state_dict (in-place copies) back to other weights is followed too.
    other = make(static)
    layer.load_state_dict(other.state_dict())
    torch.testing.assert_close(_inference(layer, args), _inference(other, args), atol=1e-6, rtol=1e-6)


def _grads_in_eval_mode(layer, args) -> None:
    """Gradients without a train-mode forward (which drops the folded tables by itself)."""
    layer.eval()
    with torch.enable_grad():
        layer.forward_packed(*args).square().sum().backward()


@pytest.mark.parametrize("make,static", LAYERS)
def test_heron_optimizer_steps_with_fused_adam_are_followed(make, static):
    # torch's fused Adam leaves version counters alone; heron's Optimizer bumps them.
    from heron.training.optim import AdamW

    layer = make(static)
    args = _inputs(layer, static)
    before = _inference(layer, args)
    optimizer = AdamW(learn_rate=0.1)(layer.parameters())
    assert optimizer.torch_optimizer.defaults.get("fused")  # the case this test is about
    _grads_in_eval_mode(layer, args)
    optimizer.step()
    after = _inference(layer, args)
    assert not torch.allclose(before, after)
    torch.testing.assert_close(after, _train_path(layer, args), atol=1e-5, rtol=1e-5)


@pytest.mark.parametrize("make,static", LAYERS)
def test_a_training_forward_drops_the_folded_tables(make, static):
    # Any optimizer, even one that bumps no version counter: training runs a train-mode
    # forward before its step, and that forward drops the cached tables.
    layer = make(static)
    args = _inputs(layer, static)
    before = _inference(layer, args)
    optimizer = torch.optim.AdamW(layer.parameters(), lr=0.1, fused=True)
    versions = [p._version for p in layer.parameters()]
    _train_path(layer, args)
    _grads_in_eval_mode(layer, args)
    optimizer.step()
    assert [p._version for p in layer.parameters()] == versions  # fused: no bump
    after = _inference(layer, args)
    assert not torch.allclose(before, after)
    torch.testing.assert_close(after, _train_path(layer, args), atol=1e-5, rtol=1e-5)


def test_a_copy_folds_its_own_weights():
    layer = _char_embed(True)
    args = _inputs(layer, True)
    original = _inference(layer, args)
    twin = copy.deepcopy(layer)
    with torch.no_grad():
        twin.mix.linear.weight.mul_(2.0)
    assert not torch.allclose(_inference(twin, args), original)
    torch.testing.assert_close(_inference(layer, args), original)


@pytest.mark.parametrize("make,static", LAYERS)
def test_over_the_size_limit_the_layer_keeps_the_unfolded_path(make, static, monkeypatch):
    layer = make(static)
    args = _inputs(layer, static)
    monkeypatch.setattr(folded_embed, "MAX_FOLDED_FLOATS", 0)
    monkeypatch.setattr(folded_embed, "fold_blocks", lambda *a: pytest.fail("folded over the limit"))
    torch.testing.assert_close(_inference(layer, args), _train_path(layer, args))


def test_dropout_in_train_mode_never_takes_the_folded_path():
    layer = _multi_embed(False)
    args = _inputs(layer, False)
    layer.embed_dropout.p = 0.5
    layer.train()
    with torch.no_grad():  # no autograd, but train mode: dropout must act
        outputs = {tuple(layer.forward_packed(*args).flatten().tolist()) for _ in range(3)}
    assert len(outputs) > 1


@pytest.mark.parametrize("make", [_char_embed, _multi_embed])
def test_folded_path_still_needs_the_vectors(make):
    layer = make(True)
    args = list(_inputs(layer, True))
    args[-1] = None
    with pytest.raises(HeronValueError, match="E650|E151"):
        _inference(layer, args)


def test_a_pipeline_annotating_between_training_steps_uses_its_current_weights():
    # The trainer's dev evaluation between steps: heron's default optimizer (fused AdamW
    # on CPU) must not leave the trunk's embed on tables folded from earlier weights.
    import numpy as np

    from fakes import make_nlp, tagged_examples

    torch.manual_seed(0)
    nlp = make_nlp(["tagger"])
    examples = tagged_examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    assert optimizer.torch_optimizer.defaults.get("fused")
    texts = [eg.reference.text for eg in examples]
    first = [doc.tensor.copy() for doc in nlp.pipe(texts)]  # folds the tables
    for _ in range(3):
        nlp.update(examples, sgd=optimizer, drop=0.0)
        during = [doc.tensor.copy() for doc in nlp.pipe(texts)]
    reloaded = make_nlp(["tagger"])
    reloaded.initialize(lambda: examples)
    reloaded.from_bytes(nlp.to_bytes())
    after_reload = [doc.tensor for doc in reloaded.pipe(texts)]
    assert not all(np.allclose(a, b) for a, b in zip(first, during))
    for got, want in zip(during, after_reload):
        np.testing.assert_allclose(got, want, atol=1e-5, rtol=1e-5)
