"""ConcatTok2Vec: a head reads several token-vector sources side by side.

    [components.trainable_lemmatizer.model.tok2vec]
    @architectures = "heron.ConcatTok2Vec.v1"

    [components.trainable_lemmatizer.model.tok2vec.*.transformer]
    @architectures = "heron.TransformerListener.v1"
    upstream = "transformer"

    [components.trainable_lemmatizer.model.tok2vec.*.characters]
    @architectures = "heron.Tok2VecListener.v1"
    upstream = "tok2vec"
    width = ${components.tok2vec.model.encode.width}

Each part is anything a head's `tok2vec` may be (a listener, an inline CNN, an inline
transformer), and the head sees their outputs concatenated per token: width = the sum of
the parts' widths. Why: a transformer's wordpieces may lose what a head needs. Uncased
models (all-MiniLM-L6-v2, bert-base-uncased) never see capitals, so a lemmatizer on one
alone can't tell "Apple" -> "Apple" from "Laughter" -> "laughter"; a CNN over the
characters beside it restores that, at a small fraction of the transformer's cost.

The parts are submodules, so listeners inside are bound as usual (their gradients reach
their trunks in the one backward) and inline parts' weights are saved with the head.
"""
from __future__ import annotations

from typing import Any, Sequence, Tuple

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..registry import registry
from .listener import embed_docs


class ConcatTok2Vec(nn.Module):
    """Concatenation of token-vector sources: Docs -> (X (B, T, sum of widths), mask (B, T))."""

    reads_docs = True  # embed_docs passes the Docs; each part is then embedded its own way

    def __init__(self, parts: Sequence[nn.Module]):
        super().__init__()
        if not parts:
            raise HeronValueError(Errors.E159.format(detail="it has no parts"))
        widths = []
        for i, part in enumerate(parts):
            width = getattr(part, "width", None)
            if not isinstance(part, nn.Module) or not isinstance(width, int) or width <= 0:
                raise HeronValueError(Errors.E159.format(
                    detail=f"part {i} ({type(part).__name__}) is not a token-to-vector model with a width"))
            widths.append(width)
        self.parts = nn.ModuleList(parts)
        self.widths: Tuple[int, ...] = tuple(widths)
        self.width: int = sum(widths)

    def forward(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        outputs = [embed_docs(part, docs) for part in self.parts]
        mask = outputs[0][1]
        for i, (X, part_mask) in enumerate(outputs):
            if part_mask.shape != mask.shape or X.shape[-1] != self.widths[i]:
                raise HeronValueError(Errors.E159.format(
                    detail=f"part {i} returned shape {tuple(X.shape)} for a batch whose part 0 has mask "
                           f"{tuple(mask.shape)} and declared width {self.widths[i]}"))
        return torch.cat([X for X, _ in outputs], dim=-1), mask

    @property
    def attrs(self) -> Tuple[str, ...]:
        return ()  # never featurized as a whole: each inline part featurizes itself

    def extra_repr(self) -> str:
        return f"widths={list(self.widths)}"


@registry.architectures("heron.ConcatTok2Vec.v1")
def build_concat_tok2vec(*parts: nn.Module) -> ConcatTok2Vec:
    """Concatenate the token vectors of `parts` (listeners or inline trunks), given as
    named sub-blocks `[...tok2vec.*.NAME]`."""
    return ConcatTok2Vec(parts)
