"""Window encoders: shapes, masking, batch invariance, receptive field, gradients."""
import pytest
import torch

from heron.errors import HeronValueError
from heron.nn import MaxoutWindowEncoder, MishWindowEncoder
from heron.nn.encode import flat_layout

ENCODERS = {
    "maxout_w1": lambda: MaxoutWindowEncoder(8, 1, 3, 3),
    "maxout_w2": lambda: MaxoutWindowEncoder(8, 2, 2, 2),
    "maxout_w0": lambda: MaxoutWindowEncoder(8, 0, 2, 2),
    "mish_w1": lambda: MishWindowEncoder(8, 1, 3),
}
LENGTHS = [7, 3, 0, 1, 5]


def _inputs(lengths=LENGTHS, T=None, width=8, dtype=torch.float32, seed=0):
    gen = torch.Generator().manual_seed(seed)
    T = T or max(max(lengths), 1)
    mask = torch.arange(T)[None] < torch.tensor(lengths)[:, None]
    X = torch.randn(len(lengths), T, width, generator=gen, dtype=dtype)
    return X, mask


@pytest.fixture(params=sorted(ENCODERS))
def encoder(request):
    torch.manual_seed(0)
    return ENCODERS[request.param]().eval()


def test_shapes_and_zero_padding(encoder):
    X, mask = _inputs()
    Y = encoder(X, mask)
    assert Y.shape == X.shape and Y.dtype == X.dtype
    assert not Y[~mask].any()


def test_padding_content_is_ignored(encoder):
    X, mask = _inputs()
    noisy = X.clone()
    noisy[~mask] = 1e3  # garbage in the padding must not reach any real token
    assert torch.equal(encoder(X, mask)[mask], encoder(noisy, mask)[mask])


@pytest.mark.parametrize("dtype,atol", [(torch.float32, 1e-6), (torch.float64, 1e-12)])
def test_batch_invariance(encoder, dtype, atol):
    """A doc's output is the same alone, with neighbours, or with extra padding."""
    encoder = encoder.to(dtype)
    X, mask = _inputs(dtype=dtype)
    together = encoder(X, mask)
    for b, n in enumerate(LENGTHS):
        alone = encoder(X[b: b + 1, :n], mask[b: b + 1, :n])
        padded = encoder(torch.nn.functional.pad(X[b: b + 1], (0, 0, 0, 6)),
                         torch.nn.functional.pad(mask[b: b + 1], (0, 6)))
        # float32 GEMM kernels may round a row differently for different row counts
        # (~1 ulp per layer), hence rtol; float64 shows there is no leak at all.
        assert torch.allclose(alone[0], together[b, :n], atol=atol, rtol=1e-5)
        assert torch.allclose(padded[0, :n], together[b, :n], atol=atol, rtol=1e-5)
    shuffled = encoder(X.flip(0), mask.flip(0)).flip(0)
    assert torch.allclose(shuffled, together, atol=atol, rtol=1e-5)


def test_receptive_field():
    torch.manual_seed(0)
    enc = MaxoutWindowEncoder(8, 1, 2, 2).double().eval()  # sees 2 tokens each side
    X, mask = _inputs(lengths=[9], dtype=torch.float64)
    base = enc(X, mask)
    changed = X.clone()
    changed[0, 4] += 1.0
    diff = (enc(changed, mask) - base)[0].abs().amax(-1)
    assert (diff[2:7] > 0).all() and (diff[:2] == 0).all() and (diff[7:] == 0).all()


def test_gradients_flow_and_match_numeric():
    torch.manual_seed(0)
    enc = MaxoutWindowEncoder(4, 1, 2, 2).double()
    X, mask = _inputs(lengths=[3, 5, 1], width=4, dtype=torch.float64)
    X.requires_grad_(True)
    assert torch.autograd.gradcheck(lambda x: enc(x, mask), (X,))
    enc(X, mask).pow(2).sum().backward()
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in enc.parameters())
    assert not X.grad[~mask].any()  # padding gets no gradient


def test_flat_layout_separates_docs():
    mask = torch.tensor([[1, 1, 0], [0, 0, 0], [1, 1, 1]], dtype=torch.bool)
    layout = flat_layout(mask, 2)
    # [0 0] a a [0 0] [0 0] b b b [0 0]: each boundary gets 2 separator rows
    assert layout.pos.tolist() == [2, 3, 8, 9, 10]
    assert layout.length == 13
    assert layout.keep.squeeze(1).tolist() == [0, 0, 1, 1, 0, 0, 0, 0, 1, 1, 1, 0, 0]


@pytest.mark.parametrize("kwargs,arg", [
    (dict(width=0, window_size=1, maxout_pieces=3, depth=4), "width"),
    (dict(width=8, window_size=-1, maxout_pieces=3, depth=4), "window_size"),
    (dict(width=8, window_size=1, maxout_pieces=0, depth=4), "maxout_pieces"),
    (dict(width=8, window_size=1, maxout_pieces=3, depth=-1), "depth"),
])
def test_invalid_arguments_name_the_setting(kwargs, arg):
    with pytest.raises(HeronValueError, match=f"E152.*`{arg}`"):
        MaxoutWindowEncoder(**kwargs)


def test_depth_zero_is_identity_on_tokens():
    X, mask = _inputs()
    Y = MishWindowEncoder(8, 1, 0)(X, mask)
    assert torch.equal(Y[mask], X[mask])
