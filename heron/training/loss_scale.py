"""float16 loss scaling for models trained under torch.autocast (spacy-transformers'
`grad_scaler_config`).

    [components.transformer.model]
    mixed_precision = true
    grad_scaler_config = {"init_scale": 1024, "growth_interval": 1000}

float16 has 5 exponent bits: gradients below ~6e-8 become zero. A model that autocasts
to float16 (a transformer with mixed_precision on a GPU without bfloat16: V100, T4)
therefore trains with a dynamic scale S (torch.amp.GradScaler):

1. `attach_grad_scalers(nlp, optimizer)` (called by nlp.update and the training loop)
   gives each such model a `LossScale` and registers it with heron's `Optimizer`;
2. the model passes its float32 output through `LossScale.scale_grad`: the gradient
   flowing back into the float16 region is multiplied by S, exactly as if the loss had
   been (thinc's PyTorchShim does the same for spacy-transformers); the float32 heads
   get true gradients. Gradient accumulation: every sub-batch's backward uses the same S;
3. `Optimizer.step` unscales the model's gradients (GradScaler.unscale_) before
   clipping, skips the whole step if any is inf/nan (GradScaler.step), then
   GradScaler.update backs the scale off (x backoff_factor) or grows it after
   growth_interval clean steps.

bfloat16 and float32 training never create a scaler. The scaler is training state: it
lives on the model object only while training and is never saved or copied.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, Iterator, List

import torch

from ..errors import Errors, HeronValueError, Warnings, warn
from .optim import Optimizer

GRAD_SCALER_KEYS = ("init_scale", "growth_factor", "backoff_factor", "growth_interval", "enabled")


class _ScaleByScaler(torch.autograd.Function):
    @staticmethod
    def forward(ctx: Any, X: torch.Tensor, scaling: "LossScale") -> torch.Tensor:
        ctx.scaling = scaling
        return X.view_as(X)

    @staticmethod
    def backward(ctx: Any, dY: torch.Tensor) -> Any:
        ctx.scaling.pending = True
        return ctx.scaling.scaler.scale(dY), None


class LossScale:
    """Loss scaling for one module that trains under float16 autocast.

    The module passes its float32 output through `scale_grad(X)`: identity forward; in
    backward the gradient is multiplied by the scaler's scale (default 2**16), which has
    the effect of scaling the loss for everything inside the module, where float16 would
    flush small gradients to zero. The heads outside stay float32 and unscaled. For
    torch.amp.GradScaler this object is the "optimizer" of the module's parameters
    (`param_groups`, `step`), so unscale_/step/update are torch's own.
    """

    def __init__(self, module: torch.nn.Module, scaler: torch.amp.GradScaler):
        self.module = module
        self.scaler = scaler
        self.pending = False  # a backward went through scale_grad since the last step
        self.param_groups: List[Dict[str, Any]] = []

    def scale_grad(self, X: torch.Tensor) -> torch.Tensor:
        return _ScaleByScaler.apply(X, self)

    def unscale_(self) -> bool:
        """Divide the module's gradients by the scale (recording inf/nan); False if
        nothing was scaled since the last step."""
        params = [p for p in self.module.parameters() if p.grad is not None]
        if not self.pending or not params:
            return False
        self.param_groups = [{"params": params}]
        self.scaler.unscale_(self)
        return True

    def step(self) -> bool:
        return True  # GradScaler.step calls this only when the gradients are finite

    def __deepcopy__(self, memo: Dict[int, Any]) -> None:
        return None  # training state: a copied model (replace_listeners) gets its own

    def __repr__(self) -> str:
        return f"<LossScale scale={self.scaler.get_scale()} module={type(self.module).__name__}>"


def make_grad_scaler(config: Dict[str, Any], *, device: Any, key: str) -> torch.amp.GradScaler:
    """torch.amp.GradScaler(device type, **config), after E855/E856 checks naming `key`
    (the config path of the grad_scaler_config block)."""
    check_grad_scaler_config(config, key=key)
    return torch.amp.GradScaler(torch.device(device).type, **config)


def check_grad_scaler_config(config: Dict[str, Any], *, key: str) -> None:
    for name, value in (config or {}).items():
        if name not in GRAD_SCALER_KEYS:
            raise HeronValueError(Errors.E855.format(key=f"{key}.{name}", known=", ".join(GRAD_SCALER_KEYS)))
        number = isinstance(value, (int, float)) and not isinstance(value, bool)
        ok = {"init_scale": number and value > 0, "growth_factor": number and value > 1,
              "backoff_factor": number and 0 < value < 1, "enabled": isinstance(value, bool),
              "growth_interval": number and float(value).is_integer() and value >= 1}[name]
        if not ok:
            raise HeronValueError(Errors.E856.format(key=f"{key}.{name}", detail=f"{name} = {value!r}"))


def attach_grad_scalers(nlp: Any, optimizer: Any, *, exclude: Iterable[str] = ()) -> List[LossScale]:
    """Arm loss scaling for every model of nlp's trained components that needs it
    (`module.needs_grad_scaler()`: float16 autocast) and register it with `optimizer`;
    disarm the others. Every `grad_scaler_config` is checked (E855/E856), needed or not.
    A non-heron optimizer can't unscale: scaling stays off (W850 if a model needs it).
    """
    armed: List[LossScale] = []
    unscaled: List[str] = []
    for key, module in _scalable_modules(nlp, set(exclude)):
        check_grad_scaler_config(module.grad_scaler_config, key=key)
        needed = module.needs_grad_scaler()
        if not needed or not isinstance(optimizer, Optimizer):
            if needed and optimizer is not None:
                unscaled.append(key)
            module.grad_scaling = None
            continue
        scaling = module.grad_scaling
        if scaling is None or scaling.module is not module:
            device = getattr(module, "device", None) or next(module.parameters()).device
            scaling = LossScale(module, make_grad_scaler(module.grad_scaler_config, device=device, key=key))
        # Armed only if this optimizer unscales it (it trains some of the module's weights).
        module.grad_scaling = scaling if optimizer.add_loss_scale(scaling) else None
        if module.grad_scaling is not None:
            armed.append(scaling)
    if unscaled:
        warn(Warnings.W850.format(keys=", ".join(unscaled), optimizer=type(optimizer).__name__))
    return armed


def _scalable_modules(nlp: Any, exclude: set) -> Iterator[tuple]:
    """(config key of grad_scaler_config, module) for each module with one, once each."""
    seen: set = set()
    for name, proc in getattr(nlp, "components", ()):  # duck-typed nlp: nothing to scale
        model = getattr(proc, "model", None)
        if name in exclude or not isinstance(model, torch.nn.Module):
            continue
        for path, module in model.named_modules():
            if id(module) in seen or not callable(getattr(module, "needs_grad_scaler", None)):
                continue
            seen.add(id(module))
            yield ".".join(["components", name, "model"] + ([path] if path else []) + ["grad_scaler_config"]), module


__all__ = ["LossScale", "attach_grad_scalers", "make_grad_scaler", "check_grad_scaler_config",
           "GRAD_SCALER_KEYS"]
