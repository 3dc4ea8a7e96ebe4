"""The inference path of the embed layers: the mixing Maxout's linear map folded into the
tables (MultiHashEmbed, CharacterEmbed).

An embed layer concatenates table rows (hash embeddings, character slots) and projected
static vectors, then maps them with ONE linear layer. A linear map of a concatenation is
the sum of its blocks' products, W [e_1; ...; e_k; P v] = sum_j W_j e_j + (W_s P) v, and
each W_j e_j depends on nothing but one table row. So for inference the products are
computed once per row: the layer becomes one embedding_bag (sum) over these "folded" rows,
of width pieces * width, plus one small matmul for the static vectors. For the default
English CNN trunk (8 character slots of 64 + a 7,000-row LOWER table + 24-dim lexeme
vectors, width 128) that replaces a (768 -> 384) matmul per token by a sum of 12 rows:
the embed runs about 7x faster, the whole tok2vec + tagger + morphologizer + parser +
trainable_lemmatizer + ner pipeline about 12% faster on EWT test, with the same
annotations (only float rounding differs: sums in another order).

Training never takes this path: it needs autograd through the tables and dropout on the
concatenation. The folded tables are cached per layer and rebuilt when a weight changes
(an optimizer step or load_state_dict bumps the parameters' version counters; .to(device)
gives them new storage), so evaluation during training sees the current weights. torch's
fused Adam (heron's default on CPU) updates weights WITHOUT bumping their version
counters, so the cache is also dropped by every forward in train mode (any training step),
and heron's Optimizer bumps the counters of the weights it stepped.
"""
from __future__ import annotations

from typing import Any, Callable, Optional, Sequence, Tuple

import torch
from torch import nn

from .layers import Maxout, _max_pieces

# Folded rows are pieces (3) times wider than the tables' rows; a layer whose folded
# tables would exceed this many floats (256 MB) keeps the unfolded path.
MAX_FOLDED_FLOATS = 64 * 1024 * 1024


def use_folded(layer: nn.Module, table_rows: int) -> bool:
    """Whether `layer` (its Maxout in `layer.mix`) may take the folded path now: inference
    (no autograd, eval mode: no dropout) and folded tables of a sensible size."""
    mix: Maxout = layer.mix  # type: ignore[assignment]
    if layer.training:
        # A training forward means weights are about to change, possibly by an optimizer
        # that leaves version counters alone (fused Adam): fold again at the next inference.
        folded: FoldedTables = layer._folded  # type: ignore[assignment]
        folded.clear()
        return False
    return (not torch.is_grad_enabled()
            and table_rows * mix.linear.out_features <= MAX_FOLDED_FLOATS)


class FoldedTables:
    """One layer's folded tables (see the module docstring), rebuilt when its weights change.

    Not a buffer: never saved, and a copied layer (different storage) rebuilds its own.
    """

    def __init__(self) -> None:
        self._key: Optional[Tuple] = None
        self._value: Optional[Tuple[torch.Tensor, Optional[torch.Tensor]]] = None

    def clear(self) -> None:
        self._key, self._value = None, None

    def get(self, params: Sequence[torch.Tensor],
            build: Callable[[], Tuple[torch.Tensor, Optional[torch.Tensor]]]
            ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
        key = tuple((p.data_ptr(), p._version, p.dtype, p.device) for p in params)
        if key != self._key or self._value is None:
            # Plain tensors even when called under inference_mode (an inference tensor kept
            # across calls could not be used outside it), and no autograd history.
            with torch.inference_mode(False), torch.no_grad():
                self._value = build()
            self._key = key
        return self._value

    def __getstate__(self) -> dict:  # copies and pickles (n_process) rebuild on first use
        return {"_key": None, "_value": None}


def fold_blocks(mix: Maxout, tables: Sequence[torch.Tensor], static_weight: Optional[torch.Tensor]
                ) -> Tuple[torch.Tensor, Optional[torch.Tensor]]:
    """`tables` (each (rows_j, width_j), in the order of the mix's input blocks, then the
    static projection's (W, nM) weight if any) -> (all folded rows stacked (sum rows_j, P*O),
    the static vectors' folded (P*O, nM) weight or None)."""
    weight = mix.linear.weight  # (P*O, n_in)
    folded, start = [], 0
    for table in tables:
        width = table.shape[1]
        folded.append(table @ weight[:, start:start + width].t())
        start += width
    static = None
    if static_weight is not None:
        static = weight[:, start:start + static_weight.shape[0]] @ static_weight
    return torch.cat(folded, 0).contiguous(), static


def forward_folded(layer: nn.Module, tables: Sequence[torch.Tensor], rows: torch.Tensor,
                   vectors: Optional[torch.Tensor], no_vectors: Exception) -> torch.Tensor:
    """An embed layer's output on the folded path: `tables` are its tables in the order of
    its mix's input blocks, `rows` (N, k) indices into their stacked rows, `vectors` the
    batch's static vectors (`no_vectors` is raised when the layer needs them and has none)."""
    mix: Maxout = layer.mix  # type: ignore[assignment]
    projection: Any = getattr(layer, "static_proj", None)  # StaticVectors or None
    X = None
    if projection is not None:
        if vectors is None:
            raise no_vectors
        X = projection.checked_input(vectors)  # sizes an unsized projection first
    static_weight = None if projection is None else projection.weight
    params = [*tables, mix.linear.weight] + ([] if static_weight is None else [static_weight])
    folded: FoldedTables = layer._folded  # type: ignore[assignment]
    table, static = folded.get(params, lambda: fold_blocks(mix, tables, static_weight))
    return mix_folded(mix, rows, table, static, X)


def mix_folded(mix: Maxout, rows: torch.Tensor, table: torch.Tensor, static: Optional[torch.Tensor],
               vectors: Optional[torch.Tensor]) -> torch.Tensor:
    """The mix's output from folded rows: (N, k) row indices into `table` summed, plus the
    static vectors' folded product, the bias, maxout and LayerNorm (no dropout: eval)."""
    Y = torch.nn.functional.embedding_bag(rows, table, mode="sum")  # (N, P*O)
    if static is not None and vectors is not None:
        Y = torch.addmm(Y, vectors, static.t())
    Y += mix.linear.bias
    Z = Y if mix.n_pieces == 1 else _max_pieces(Y, mix.n_pieces, mix.n_out)
    return mix.norm(Z)


__all__ = ["use_folded", "FoldedTables", "fold_blocks", "forward_folded", "mix_folded", "MAX_FOLDED_FLOATS"]
