"""Window CNN encoders: residual blocks that mix each token with its neighbours.

Each block concatenates every token's vector with those of the `window_size` tokens on
either side, maps the (2 * window_size + 1) * width window back to width (Maxout or
Mish, then LayerNorm) and adds the result to its input (residual). After `depth`
blocks a token sees depth * window_size neighbours on each side.

Batches are laid out flat: the docs' tokens one after another, separated (and
surrounded) by `window_size` zero rows:

    [0] a1 a2 a3 [0] b1 b2 [0]          (window_size = 1)

so a window never reaches into another doc and padding never enters the computation
(no wasted work on the padding of short docs). The separator rows are re-zeroed after
every block, so each doc's output is exactly what it would be alone in its batch.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn

from ..registry import registry
from .layers import Maxout, MishLayer, check_positive


@dataclass
class FlatLayout:
    """Where each real token sits in the flat, separator-padded layout.

    pos: (N,) int64 flat row of each real token, in row-major order of the mask.
    keep: (L, 1) float, 1.0 on token rows and 0.0 on separator rows.
    """

    pos: torch.Tensor
    keep: torch.Tensor

    @property
    def length(self) -> int:
        return int(self.keep.shape[0])


def flat_layout(mask: torch.Tensor, gap: int) -> FlatLayout:
    """The layout for a (B, T) token mask with `gap` zero rows between and around docs."""
    lengths = mask.sum(dim=1)  # (B,)
    n_docs = int(mask.shape[0])
    # Start row of each doc: all earlier docs plus one gap per doc boundary so far.
    starts = torch.cumsum(lengths, 0) - lengths + gap * torch.arange(1, n_docs + 1, device=mask.device)
    rank = torch.cumsum(mask, dim=1) - 1  # (B, T): index of each token within its doc
    rows = torch.arange(n_docs, device=mask.device).unsqueeze(1).expand_as(mask)
    pos = (starts[rows] + rank)[mask]  # (N,)
    length = int(lengths.sum()) + gap * (n_docs + 1)
    keep = torch.zeros(length, 1, device=mask.device)
    keep[pos] = 1.0
    return FlatLayout(pos=pos, keep=keep)


class WindowEncoder(nn.Module):
    """`depth` residual window blocks; `make_block(n_in, width)` builds each block's map.

    forward(X (B, T, W), mask (B, T)) -> (B, T, W), zero on padding.
    """

    def __init__(self, width: int, window_size: int, depth: int,
                 make_block: Callable[[int, int], nn.Module]):
        super().__init__()
        check_positive(type(self).__name__, "width", width, recommended="64-300")
        check_positive(type(self).__name__, "window_size", window_size, minimum=0, recommended="1")
        check_positive(type(self).__name__, "depth", depth, minimum=0, recommended="2-8, usually 4")
        self.width, self.window_size, self.depth = width, window_size, depth
        n_in = width * (2 * window_size + 1)
        self.blocks = nn.ModuleList(make_block(n_in, width) for _ in range(depth))

    def forward(self, X: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        layout = flat_layout(mask, self.window_size)
        flat = X.new_zeros(layout.length, self.width)  # (L, W)
        flat[layout.pos] = X[mask]
        flat = self.forward_flat(flat, layout)
        out = X.new_zeros(*mask.shape, self.width)  # (B, T, W)
        out[mask] = flat[layout.pos]
        return out

    def forward_flat(self, X: torch.Tensor, layout: FlatLayout) -> torch.Tensor:
        """(L, W) flat layout with zero separators -> (L, W), separators still zero.

        X is updated in place (the residual add): autograd tracks it, as nothing
        saved for backward reads X itself. Pass a tensor you don't need afterwards.
        """
        w = self.window_size
        inner = X.shape[0] - 2 * w  # rows w..L-w-1; the w rows at each end are separators
        keep = layout.keep[w: w + inner].to(X.dtype)  # (L - 2w, 1)
        for block in self.blocks:
            # Window of row i: rows i-w..i+w side by side. No padding needed: the layout
            # starts and ends with w separator rows, whose outputs would be zeroed anyway.
            window = torch.cat([X[k: k + inner] for k in range(2 * w + 1)], dim=1) if w else X
            H = block(window).mul_(keep)  # (L - 2w, W); separators back to 0
            X[w: w + inner] += H  # residual
        return X


class MaxoutWindowEncoder(WindowEncoder):
    """Residual window CNN with Maxout + LayerNorm blocks (spaCy's default encoder).

    width (int): input and output width (equal, for the residual). Recommended 64-300.
    window_size (int): neighbours on each side per block. Recommended 1; the receptive
        field is 2 * depth * window_size + 1 tokens.
    maxout_pieces (int): Maxout candidates per unit. Recommended 2-3.
    depth (int): number of blocks. Recommended 4 (2-8).
    """

    def __init__(self, width: int, window_size: int, maxout_pieces: int, depth: int):
        check_positive("MaxoutWindowEncoder", "maxout_pieces", maxout_pieces, recommended="2-3")
        super().__init__(width, window_size, depth,
                         lambda n_in, n_out: Maxout(n_in, n_out, maxout_pieces, normalize=True))
        self.maxout_pieces = maxout_pieces


class MishWindowEncoder(WindowEncoder):
    """Residual window CNN with Mish + LayerNorm blocks.

    width (int): input and output width. Recommended 64-300.
    window_size (int): neighbours on each side per block. Recommended 1.
    depth (int): number of blocks. Recommended 4 (2-8).
    """

    def __init__(self, width: int, window_size: int, depth: int):
        super().__init__(width, window_size, depth,
                         lambda n_in, n_out: MishLayer(n_in, n_out, normalize=True))


@registry.architectures("heron.MaxoutWindowEncoder.v1")
def build_maxout_window_encoder(*, width: int, window_size: int, maxout_pieces: int,
                                depth: int) -> MaxoutWindowEncoder:
    """Encode context with residual Maxout + LayerNorm window blocks.

    width (int): input and output width. Recommended 64-300.
    window_size (int): tokens on each side concatenated per block. Recommended 1.
    maxout_pieces (int): Maxout pieces. Recommended 2-3.
    depth (int): number of blocks. Recommended 4; the receptive field is
        2 * depth * window_size + 1 tokens (9 for depth 4, window 1).
    """
    return MaxoutWindowEncoder(width, window_size, maxout_pieces, depth)


@registry.architectures("heron.MishWindowEncoder.v1")
def build_mish_window_encoder(*, width: int, window_size: int, depth: int) -> MishWindowEncoder:
    """Encode context with residual Mish + LayerNorm window blocks.

    width (int): input and output width. Recommended 64-300.
    window_size (int): tokens on each side concatenated per block. Recommended 1.
    depth (int): number of blocks. Recommended 4.
    """
    return MishWindowEncoder(width, window_size, depth)


__all__ = ["WindowEncoder", "MaxoutWindowEncoder", "MishWindowEncoder", "FlatLayout", "flat_layout"]
