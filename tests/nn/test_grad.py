"""scale_grad: identity forward, gradient times factor backward."""
import pytest
import torch

from heron.nn import scale_grad


@pytest.mark.parametrize("factor", [0.0, 0.5, 1.0, 2.0])
def test_scale_grad_factors(factor):
    x = torch.tensor([1.0, -2.0, 3.0], requires_grad=True)
    y = scale_grad(x, factor)
    assert torch.equal(y, x)
    if factor == 0.0:
        assert not y.requires_grad  # detached: no gradient at all, not even zeros
        return
    (y * torch.tensor([1.0, 2.0, 3.0])).sum().backward()
    assert torch.allclose(x.grad, factor * torch.tensor([1.0, 2.0, 3.0]))


def test_scale_grad_only_scales_its_own_path():
    trunk = torch.tensor([2.0], requires_grad=True)
    head_a = (scale_grad(trunk, 0.5) * 3.0).sum()
    head_b = (scale_grad(trunk, 0.0) * 5.0).sum()
    head_c = (trunk * 7.0).sum()
    (head_a + head_b + head_c).backward()
    assert torch.allclose(trunk.grad, torch.tensor([0.5 * 3.0 + 7.0]))


def test_scale_grad_without_grad_is_passthrough():
    x = torch.ones(2)
    assert scale_grad(x, 0.3) is x
