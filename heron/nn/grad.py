"""Gradient scaling: how much of a head's gradient reaches a shared trunk.

A listener passes the trunk's output through `scale_grad(X, grad_factor)`: the forward
pass is the identity, the backward pass multiplies the gradient by `grad_factor`.
1.0 trains the trunk fully for that head, 0.5 halves its say, 0.0 freezes the trunk
for that head (the head itself still learns).

`GradFactor` is the one object every grad-factor user holds (the CNN listener, the
transformer listener and a head's inline transformer): a float or a schedule
`f(step)`, read at the ONE global training step that `nlp.update(step=...)` carries
(so `accumulate_gradient = k` sub-batches of a step all see the same factor), and
refused when negative (E388 when built, E389 when a schedule returns one).
"""
from __future__ import annotations

import math
from typing import Any, Callable, Optional, Union

import torch
from torch import nn

from ..errors import Errors, HeronValueError

# What a config may give as grad_factor: a number or a schedule f(step) -> number.
GradFactorValue = Union[float, Callable[[int], float]]


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


class GradFactor:
    """A listener's grad_factor: `at(step)` the factor, `apply(X, step)` scales X's gradient.

    value (float | schedule | GradFactor): a number >= 0 (1.0 = full, 0 = detached),
        or a schedule `f(step) -> number >= 0` read at each training step (e.g. 0 for
        the first N steps, then 1.0). A negative number is refused here (E388); a
        schedule's value is checked when read (E389).
    """

    def __init__(self, value: Union[GradFactorValue, "GradFactor"]):
        if isinstance(value, GradFactor):
            value = value.value
        if not callable(value):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not _valid(value):
                raise HeronValueError(Errors.E388.format(value=value))
            value = float(value)
        self.value: GradFactorValue = value

    @property
    def is_schedule(self) -> bool:
        return callable(self.value)

    def at(self, step: Optional[int], *, owner: str = "") -> float:
        """The factor at training `step` (a float is the same at every step).

        owner (str): the listener's place ("tagger.model.tok2vec"), named in E389.
        """
        if not callable(self.value):
            return float(self.value)
        factor = self.value(0 if step is None else int(step))
        if isinstance(factor, bool) or not isinstance(factor, (int, float)) or not _valid(factor):
            raise HeronValueError(Errors.E389.format(
                value=factor, step=step, where=f" of {owner}" if owner else ""))
        return float(factor)

    def apply(self, X: torch.Tensor, step: Optional[int], *, owner: str = "") -> torch.Tensor:
        """X unchanged forward; its gradient times `at(step)` backward (0 detaches)."""
        return scale_grad(X, self.at(step, owner=owner))

    def __eq__(self, other: Any) -> bool:
        other_value = other.value if isinstance(other, GradFactor) else other
        return bool(self.value == other_value)

    __hash__ = None  # type: ignore[assignment]  # mutable-ish: compared by value

    def __repr__(self) -> str:
        return repr(self.value)


def _valid(number: Any) -> bool:
    return not math.isnan(number) and number >= 0


def grad_factor_attribute() -> Any:
    """A `grad_factor` property for a listener-like module: assignments are wrapped in a
    GradFactor (validated: E388) and kept out of nn.Module's registries."""
    def get(self: Any) -> GradFactor:
        return self.__dict__["_grad_factor"]

    def set_(self: Any, value: Any) -> None:
        self.__dict__["_grad_factor"] = GradFactor(value)

    return property(get, set_)


def set_grad_step(model: nn.Module, step: Optional[int]) -> None:
    """Tell every grad-factor user inside `model` (a module class with
    `reads_grad_step = True` and a GradFactor `grad_factor`) the global training step:
    it reads its schedule at `module.step`. Called by nlp.update before the forward
    passes, so every listener kind and inline transformer sees the same step."""
    for module in model.modules():
        if getattr(type(module), "reads_grad_step", False):  # class attribute: no __getattr__
            setattr(module, "step", step)


__all__ = ["scale_grad", "GradFactor", "GradFactorValue", "set_grad_step", "grad_factor_attribute"]
