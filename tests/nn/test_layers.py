"""Maxout (custom backward) and the fast Dropout against torch references."""
import pytest
import torch

from heron.nn.layers import Dropout, Maxout, MishLayer


@pytest.mark.parametrize("n_pieces", [1, 2, 3, 5])
def test_maxout_matches_reference_forward_and_backward(n_pieces):
    torch.manual_seed(0)
    layer = Maxout(6, 4, n_pieces, normalize=False).double()
    X = torch.randn(7, 6, dtype=torch.float64, requires_grad=True)
    out = layer(X)
    Y = layer.linear(X).view(7, n_pieces, 4)  # pieces-major layout
    ref = Y.amax(dim=1)
    assert torch.allclose(out, ref)
    g = torch.randn(7, 4, dtype=torch.float64)
    dX, = torch.autograd.grad(out, X, g)
    dX_ref, = torch.autograd.grad(ref, X, g)
    assert torch.allclose(dX, dX_ref)
    assert torch.autograd.gradcheck(layer, (X,))
    with torch.no_grad():
        assert torch.allclose(layer(X), ref)  # inference path


def test_maxout_ties_send_gradient_to_one_piece():
    layer = Maxout(2, 3, 3, normalize=False)
    torch.nn.init.zeros_(layer.linear.weight)  # every piece equal: all tie
    X = torch.randn(4, 2)
    Y = layer.linear(X)
    Y.retain_grad()
    from heron.nn.layers import _MaxoutFn

    _MaxoutFn.apply(Y, 3, 3).sum().backward()
    assert torch.equal(Y.grad, torch.tensor([[1.0] * 3 + [0.0] * 6] * 4))


def test_dropout_rate_scale_and_modes():
    torch.manual_seed(0)
    drop = Dropout(0.25)
    X = torch.ones(400, 500, requires_grad=True)
    out = drop(X)
    dropped = (out == 0).float().mean().item()
    assert abs(dropped - 0.25) < 0.01
    assert torch.allclose(out[out != 0], torch.tensor(1 / 0.75))
    out.sum().backward()
    assert torch.equal(X.grad, (out != 0).float() / 0.75)
    drop.eval()
    assert drop(X) is X
    drop.train()
    drop.p = 0.0
    assert drop(X) is X
    assert Dropout(0.5)(torch.ones(3, 5)).shape == (3, 5)  # odd sizes fall back to torch


def test_mish_layer_shapes():
    layer = MishLayer(6, 4)
    assert layer(torch.randn(2, 3, 6)).shape == (2, 3, 4)
