"""Gradient scaling: how much of a head's gradient reaches a shared trunk.

A listener passes the trunk's output through `scale_grad(X, grad_factor)`: the forward
pass is the identity, the backward pass multiplies the gradient by `grad_factor`.
1.0 trains the trunk fully for that head, 0.5 halves its say, 0.0 freezes the trunk
for that head (the head itself still learns).
"""
from __future__ import annotations

import torch


class _ScaleGrad(torch.autograd.Function):
    @staticmethod
    def forward(ctx, X: torch.Tensor, factor: float) -> torch.Tensor:
        ctx.factor = factor
        return X.view_as(X)

    @staticmethod
    def backward(ctx, dY: torch.Tensor):
        return dY * ctx.factor, None


def scale_grad(X: torch.Tensor, factor: float) -> torch.Tensor:
    """X unchanged in the forward pass; its gradient multiplied by `factor` in backward.

    factor (float): usually 0.0-1.0 (a listener's `grad_factor`); values above 1 amplify.
        0.0 detaches X: no gradient flows back at all (not even zeros), so an optimizer
        does not move trunk weights on this head's behalf, not even through momentum.
    """
    factor = float(factor)
    if factor == 1.0 or not X.requires_grad:
        return X
    if factor == 0.0:
        return X.detach()
    return _ScaleGrad.apply(X, factor)


__all__ = ["scale_grad"]
