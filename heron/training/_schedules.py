"""Schedules for `[training]`: values that change with the training step.

Schedules are plain callables `f(step: int) -> float` (registry.schedules), usable for
learning rates, batch sizes, dropout and listeners' grad_factor:

    [training.optimizer.learn_rate]
    @schedules = "heron.warmup_linear.v1"
    initial_rate = 0.001
    warmup_steps = 250
    total_steps = 20000

Kept out of optim.py, which holds the optimizers that read them; optim.py imports this
module (so importing it registers the schedules) and re-exports every name.
"""
from __future__ import annotations

from typing import Any, Callable, Union

from ..registry import registry

FloatOrSchedule = Union[float, Callable[[int], float]]


class Schedule:
    """A named schedule: `schedule(step) -> float`; `repr` shows its settings."""

    def __init__(self, name: str, func: Callable[[int], float], **settings: Any):
        self.name = name
        self.func = func
        self.settings = settings

    def __call__(self, step: int) -> float:
        return float(self.func(int(step)))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.settings.items())
        return f"{self.name}({args})"


def as_schedule(value: FloatOrSchedule) -> Callable[[int], float]:
    """A float becomes a constant schedule; a callable is returned as is."""
    if callable(value):
        return value
    rate = float(value)
    return Schedule("constant", lambda step: rate, rate=rate)


@registry.schedules("heron.constant.v1")
def constant(*, rate: float) -> Schedule:
    """The same value at every step."""
    return Schedule("constant", lambda step: rate, rate=rate)


@registry.schedules("heron.compounding.v1")
def compounding(*, start: float, stop: float, compound: float, t: float = 0.0) -> Schedule:
    """start * compound**step, capped at stop (never passes it in either direction).

    Batch sizes usually grow like this, e.g. start=100, stop=1000, compound=1.001
    reaches 1000 words per batch after ~2300 steps.
    """
    # start == stop must stay constant: a cap of max() would let it compound past stop.
    clip = max if start > stop else min

    def func(step: int) -> float:
        try:
            return clip(start * compound ** (step + t), stop)
        except OverflowError:  # far past the cap
            return stop

    return Schedule("compounding", func, start=start, stop=stop, compound=compound, t=t)


@registry.schedules("heron.decaying.v1")
def decaying(*, base_rate: float, decay: float, t: float = 0.0) -> Schedule:
    """base_rate / (1 + decay * step): inverse-time decay."""
    return Schedule("decaying", lambda step: base_rate / (1.0 + decay * (step + t)),
                    base_rate=base_rate, decay=decay, t=t)


@registry.schedules("heron.warmup_linear.v1")
def warmup_linear(*, initial_rate: float, warmup_steps: int, total_steps: int) -> Schedule:
    """Linear warm-up from 0 to initial_rate over warmup_steps, then linear decay to 0
    at total_steps. Warm-up avoids large early updates that derail Adam (and
    transformers); total_steps is usually [training] max_steps."""

    def func(step: int) -> float:
        if step < warmup_steps:
            return initial_rate * step / max(1, warmup_steps)
        return initial_rate * max(0.0, (total_steps - step) / max(1.0, total_steps - warmup_steps))

    return Schedule("warmup_linear", func, initial_rate=initial_rate, warmup_steps=warmup_steps,
                    total_steps=total_steps)


@registry.schedules("heron.slanted_triangular.v1")
def slanted_triangular(*, max_rate: float, num_steps: int, cut_frac: float = 0.1, ratio: int = 32,
                       t: float = 0.0) -> Schedule:
    """ULMFiT's schedule: a short linear rise (cut_frac of num_steps) to max_rate, then a
    long linear fall to max_rate / ratio."""
    cut = max(1, int(num_steps * cut_frac))

    def func(step: int) -> float:
        s = step + t + 1
        p = s / cut if s < cut else max(0.0, 1 - (s - cut) / (cut * (1 / cut_frac - 1)))
        return max_rate * (1 + p * (ratio - 1)) / ratio

    return Schedule("slanted_triangular", func, max_rate=max_rate, num_steps=num_steps,
                    cut_frac=cut_frac, ratio=ratio, t=t)


@registry.schedules("heron.cyclic_triangular.v1")
def cyclic_triangular(*, min_lr: float, max_lr: float, period: int) -> Schedule:
    """Triangular cycles between min_lr and max_lr, `period` steps per half cycle."""

    def func(step: int) -> float:
        cycle = 1 + step // (2 * period)
        x = abs(step / period - 2 * cycle + 1)
        return min_lr + (max_lr - min_lr) * max(0.0, 1 - x)

    return Schedule("cyclic_triangular", func, min_lr=min_lr, max_lr=max_lr, period=period)
