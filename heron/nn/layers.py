"""Small building blocks shared by the embedding and encoding layers.

`Maxout` and `MishLayer` are thinc's `Maxout(normalize=True)` / `Mish(normalize=True)`
in torch: a linear map, the non-linearity, LayerNorm, then dropout. Dropout starts at
0 and is switched on for training by `set_dropout_rate(model, rate)` (the trainer
calls it with `[training] dropout`), like thinc's `model.set_dropout_rate`.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import Errors, HeronValueError


class _MaxoutFn(torch.autograd.Function):
    """max over P slices of width O: (N, P * O) -> (N, O), with a lean backward.

    Autograd through a chain of torch.maximum costs ~3x the forward in mask ops; here
    backward routes dZ to the first piece that attained the max (argmax semantics).
    """

    @staticmethod
    def forward(ctx, Y: torch.Tensor, n_pieces: int, n_out: int) -> torch.Tensor:
        Z = _max_pieces(Y, n_pieces, n_out)
        ctx.save_for_backward(Y, Z)
        ctx.shape = (n_pieces, n_out)
        return Z

    @staticmethod
    def backward(ctx, dZ: torch.Tensor):
        Y, Z = ctx.saved_tensors
        n_pieces, n_out = ctx.shape
        pieces = Y.view(*Y.shape[:-1], n_pieces, n_out)  # (..., P, O)
        hits = pieces == Z.unsqueeze(-2)
        if int(hits.sum()) != Z.numel():  # ties (rare): keep only the first piece at the max
            hits &= hits.cumsum(dim=-2) == 1
        return (hits * dZ.unsqueeze(-2)).view(Y.shape), None, None


def _max_pieces(Y: torch.Tensor, n_pieces: int, n_out: int) -> torch.Tensor:
    # Elementwise maximum of the pieces' slices: ~2x faster than amax over a view on CPU.
    Z = Y[..., :n_out]
    for p in range(1, n_pieces):
        Z = torch.maximum(Z, Y[..., p * n_out: (p + 1) * n_out])
    return Z


class Dropout(nn.Dropout):
    """nn.Dropout drawing 16 random bits per element: ~1.6x faster on CPU, same semantics.

    torch's CPU dropout draws one 32-bit (or wider) number per element; four 16-bit
    draws from one int64 cost a quarter of the generator work. The rate is applied
    with 1/65536 resolution. Still an `nn.Dropout`, so `set_dropout_rate` finds it.
    """

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0.0:
            return X
        if X.device.type != "cpu" or X.numel() % 4:
            return super().forward(X)
        bits = torch.randint(-(1 << 63), (1 << 63) - 1, (X.numel() // 4,), dtype=torch.int64)
        keep = bits.view(torch.int16).view(X.shape) >= round(self.p * 65536) - 32768
        return X * keep * (1.0 / (1.0 - self.p))


class Maxout(nn.Module):
    """Linear map to `n_pieces` candidates per output unit, keep the max, LayerNorm.

    n_in (int): input width.
    n_out (int): output width.
    n_pieces (int): candidates per unit. 2-3 is the usual range; each piece adds
        n_in * n_out weights and the same share of compute. 1 = linear + LayerNorm.
    normalize (bool): apply LayerNorm after the maxout (spaCy always does).
    """

    def __init__(self, n_in: int, n_out: int, n_pieces: int, *, normalize: bool = True):
        super().__init__()
        self.n_in, self.n_out, self.n_pieces = n_in, n_out, n_pieces
        # Pieces-major output layout (p * n_out + o): the max then reduces over a
        # non-contiguous middle axis, which is ~2.5x faster on CPU than over the last.
        self.linear = nn.Linear(n_in, n_pieces * n_out)
        nn.init.xavier_uniform_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)
        self.norm = nn.LayerNorm(n_out) if normalize else nn.Identity()
        self.dropout = Dropout(0.0)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        Y = self.linear(X)  # (..., P * O)
        if self.n_pieces == 1:
            Z = Y
        elif torch.is_grad_enabled() and Y.requires_grad:
            Z = _MaxoutFn.apply(Y, self.n_pieces, self.n_out)  # (..., O)
        else:
            Z = _max_pieces(Y, self.n_pieces, self.n_out)  # (..., O)
        return self.dropout(self.norm(Z))


class MishLayer(nn.Module):
    """Linear map, Mish activation (x * tanh(softplus(x))), LayerNorm, dropout.

    n_in (int): input width. n_out (int): output width.
    """

    def __init__(self, n_in: int, n_out: int, *, normalize: bool = True):
        super().__init__()
        self.n_in, self.n_out = n_in, n_out
        self.linear = nn.Linear(n_in, n_out)
        nn.init.xavier_uniform_(self.linear.weight)
        nn.init.zeros_(self.linear.bias)
        self.norm = nn.LayerNorm(n_out) if normalize else nn.Identity()
        self.dropout = Dropout(0.0)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        return self.dropout(self.norm(F.mish(self.linear(X))))


def set_dropout_rate(model: nn.Module, rate: float) -> None:
    """Set the probability of every `nn.Dropout` inside `model` (thinc's set_dropout_rate).

    rate (float): 0.0-1.0; spaCy's default `[training] dropout` is 0.1, 0.1-0.3 is the
        useful range. Dropout only acts in train mode (`model.train()`).
    """
    if not 0.0 <= rate < 1.0:
        raise HeronValueError(Errors.E152.format(layer="set_dropout_rate", arg="rate", value=rate,
                                                 expected="a probability in [0, 1)",
                                                 recommended="0.1-0.3 for training, 0 otherwise"))
    for module in model.modules():
        if isinstance(module, nn.Dropout):
            module.p = float(rate)


def check_positive(layer: str, arg: str, value: int, *, minimum: int = 1, recommended: str) -> None:
    """Raise E152 naming `arg` unless `value` is an int >= `minimum`."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise HeronValueError(Errors.E152.format(layer=layer, arg=arg, value=value,
                                                 expected=f"an int >= {minimum}", recommended=recommended))


__all__ = ["Maxout", "MishLayer", "Dropout", "set_dropout_rate", "check_positive"]
