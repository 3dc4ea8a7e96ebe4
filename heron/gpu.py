"""Choosing the device: `heron.require_gpu(id)`, `heron.prefer_gpu(id=0)`, `heron.require_cpu()`.

    import heron
    heron.prefer_gpu()                 # True on a CUDA machine, False (CPU) elsewhere
    nlp = heron.load("model-best")     # loaded onto the chosen device

As in spaCy, call these BEFORE loading or creating a pipeline: `heron.load` moves the
pipeline it loads to the chosen device. A pipeline that exists already stays where it
is; move it with `heron.gpu.to_current_device(nlp)`. `heron train --gpu-id N` goes
through `require_gpu(N)` too. Mixed precision is a setting of the transformer model
(`mixed_precision = true`), not of the device.

torch keeps the default device for new tensors on the CPU: heron places models
explicitly, so code that builds CPU tensors (featurizing, alignment) is unaffected.
"""
from __future__ import annotations

from typing import Any, Optional

from .errors import Errors, HeronValueError

_current: Optional[Any] = None  # torch.device chosen by require_gpu/require_cpu; None = CPU


def _check_cuda(gpu_id: int, func: str) -> None:
    """E853 unless `gpu_id` names a CUDA device torch can use."""
    import torch

    if not isinstance(gpu_id, int) or isinstance(gpu_id, bool) or gpu_id < 0:
        raise HeronValueError(Errors.E853.format(func=func, gpu_id=gpu_id,
                                                 reason="the id must be an int >= 0"))
    if not torch.cuda.is_available():
        raise HeronValueError(Errors.E853.format(
            func=func, gpu_id=gpu_id, reason=f"CUDA is not available to torch {torch.__version__}"))
    count = torch.cuda.device_count()
    if gpu_id >= count:
        raise HeronValueError(Errors.E853.format(func=func, gpu_id=gpu_id,
                                                 reason=f"only {count} GPU(s) are visible"))


def require_gpu(gpu_id: int = 0) -> bool:
    """Use CUDA device `gpu_id` from now on; returns True.

    Raises E853 (saying why) when torch has no CUDA or the id is not visible: use
    `prefer_gpu` for code that should also run on a CPU-only machine.
    """
    import torch

    global _current
    _check_cuda(gpu_id, "require_gpu")
    torch.cuda.set_device(gpu_id)
    _current = torch.device("cuda", gpu_id)
    return True


def prefer_gpu(gpu_id: int = 0) -> bool:
    """Use CUDA device `gpu_id` if torch can; returns whether it does (else the CPU)."""
    try:
        return require_gpu(gpu_id)
    except HeronValueError:
        return False


def require_cpu() -> bool:
    """Go back to the CPU for pipelines loaded from now on; returns True."""
    global _current
    _current = None
    return True


def current_device() -> Any:
    """The torch.device chosen by require_gpu/prefer_gpu (the CPU if none)."""
    import torch

    return _current if _current is not None else torch.device("cpu")


def to_current_device(nlp: Any) -> Any:
    """Move every torch model of `nlp`'s components to `current_device()`; returns nlp.

    A no-op (nothing imported, nothing moved) while no GPU was chosen.
    """
    if _current is None:
        return nlp
    import torch

    for _, proc in nlp.components:
        model = getattr(proc, "model", None)
        if isinstance(model, torch.nn.Module):
            model.to(_current)
    return nlp


__all__ = ["require_gpu", "prefer_gpu", "require_cpu", "current_device", "to_current_device"]
