"""Pooling layers: wordpiece vectors -> one vector per heron token.

    [components.tagger.model.tok2vec.pooling]
    @layers = "heron.reduce_mean.v1"

A token owns the wordpieces its characters overlap (see `heron.transformer.data.Ragged`):
usually one or a few, sometimes none (a whitespace token, or characters the
transformer's tokenizer drops). Pooling is one vectorised call over a whole batch:
`index` lists, token after token, the rows of `pieces` each token owns and `lengths`
says how many; segment sums use `index_add`, maxima `scatter_reduce`. A token with no
pieces gets a zero vector (and no gradient) whatever the reduction.

Pure torch: never imports heron.tokens or transformers.
"""
from __future__ import annotations

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..registry import registry

REDUCTIONS = ("mean", "max", "first", "last", "sum")


class Pooling(nn.Module):
    """forward(pieces (N, W), index (total,) int64, lengths (n_tokens,) int64) -> (n_tokens, W).

    reduction (str): "mean" (spaCy's default; stable for tokens cut into many pieces),
        "sum", "max", "first" (the BERT paper's choice for tagging) or "last".
    """

    def __init__(self, reduction: str):
        super().__init__()
        if reduction not in REDUCTIONS:
            raise HeronValueError(Errors.E760.format(value=reduction, allowed=", ".join(REDUCTIONS)))
        self.reduction = reduction

    def forward(self, pieces: torch.Tensor, index: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        n_tokens, width = int(lengths.shape[0]), int(pieces.shape[-1])
        out = pieces.new_zeros((n_tokens, width))  # (n_tokens, W)
        if index.numel() == 0:
            return out
        lengths = lengths.to(device=pieces.device, dtype=torch.long)
        index = index.to(device=pieces.device, dtype=torch.long)
        if self.reduction in ("first", "last"):
            return self._pick(pieces, index, lengths, out)
        token_of = torch.repeat_interleave(torch.arange(n_tokens, device=pieces.device), lengths)
        rows = pieces.index_select(0, index)  # (total, W)
        if self.reduction == "max":
            target = token_of.unsqueeze(1).expand(-1, width)
            return out.scatter_reduce(0, target, rows, reduce="amax", include_self=False)
        summed = out.index_add(0, token_of, rows)  # (n_tokens, W)
        if self.reduction == "sum":
            return summed
        return summed / lengths.clamp(min=1).unsqueeze(1).to(summed.dtype)

    def _pick(self, pieces: torch.Tensor, index: torch.Tensor, lengths: torch.Tensor,
              out: torch.Tensor) -> torch.Tensor:
        starts = torch.cumsum(lengths, 0) - lengths  # (n_tokens,) offset of each run in index
        has = lengths > 0
        at = starts if self.reduction == "first" else starts + lengths - 1
        tokens = torch.nonzero(has, as_tuple=True)[0]
        rows = pieces.index_select(0, index.index_select(0, at[has]))  # (n_with_pieces, W)
        return out.index_copy(0, tokens, rows)

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


@registry.layers("heron.reduce_mean.v1")
def reduce_mean() -> Pooling:
    """Average the wordpiece vectors of each token (spaCy's default pooling)."""
    return Pooling("mean")


@registry.layers("heron.reduce_max.v1")
def reduce_max() -> Pooling:
    """Element-wise maximum over each token's wordpiece vectors."""
    return Pooling("max")


@registry.layers("heron.reduce_first.v1")
def reduce_first() -> Pooling:
    """The vector of each token's first wordpiece (BERT's tagging recipe)."""
    return Pooling("first")


@registry.layers("heron.reduce_last.v1")
def reduce_last() -> Pooling:
    """The vector of each token's last wordpiece."""
    return Pooling("last")


@registry.layers("heron.reduce_sum.v1")
def reduce_sum() -> Pooling:
    """Sum of each token's wordpiece vectors (grows with the number of pieces)."""
    return Pooling("sum")


__all__ = ["Pooling", "REDUCTIONS", "reduce_mean", "reduce_max", "reduce_first", "reduce_last",
           "reduce_sum"]
