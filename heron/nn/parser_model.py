"""ParserModel: the model of the `parser` component (heron.TransitionBasedParser.v1 with
state_type = "parser").

Pure torch: it sees token vectors (B, T, W) and, for every parse state, the positions of
its context tokens; the arc-eager transition system that moves the states lives in
`heron.pipeline._arc_eager`. The layers are ner's (`TransitionModel`): tok2vec ->
`proj` -> a lower layer over F context tokens with maxout -> `upper` -> action scores.

Context tokens ("feature slots"), spaCy's parser's, as positions in the Doc:

    F = 8  (default): B0, B1, S0, S1, S2, B0L1, S0L1, S0R1
    F = 13 (extra_state_tokens): B0, B1, S0, S1, S2, S0L1, S0R1, B0L1, S0R2,
                                 S1L1, S1L2, S1R1, S1R2

B = buffer, S = stack; xL1 / xR1 = the leftmost / rightmost child of x so far (spaCy's
"most recently attached" left / right child, which is the same token in arc-eager),
xL2 / xR2 the next one in. spaCy's 13-token list overwrites S0L2 with S0R1; heron keeps
that list. An absent token (empty stack, no child) reads a learned pad row of its slot.

Unlike ner's, every slot depends on the state, so nothing is summed ahead per token.
What is computed once per batch is the projection of every token through every slot:
`precompute(X)` -> table ((B*T + 1) * F, D) with D = P * n_out (row t*F + f = token t
seen through slot f; the last F rows are the pad rows). A parse step is then ONE
embedding_bag (gather and sum of F rows per state, without materialising the (N, F, D)
rows: 5-8x faster than index_select + sum on CPU), maxout and the upper layer
(`state_scores`).
"""
from __future__ import annotations

from typing import Optional, Tuple

import torch

from ..errors import Errors, HeronValueError
from .transition import TransitionModel

PARSER_SLOTS = {
    8: ("B0", "B1", "S0", "S1", "S2", "B0L1", "S0L1", "S0R1"),
    13: ("B0", "B1", "S0", "S1", "S2", "S0L1", "S0R1", "B0L1", "S0R2", "S1L1", "S1L2", "S1R1", "S1R2"),
}


def parser_slots(extra_state_tokens: bool, nr_feature_tokens: Optional[int]) -> int:
    """The number of context tokens: 8, or 13 with extra_state_tokens (E390 if the older
    setting nr_feature_tokens contradicts it)."""
    n_slots = 13 if extra_state_tokens else 8
    if nr_feature_tokens is not None:
        if nr_feature_tokens not in PARSER_SLOTS or (nr_feature_tokens == 8 and extra_state_tokens):
            raise HeronValueError(Errors.E390.format(nr=nr_feature_tokens, extra=extra_state_tokens))
        n_slots = nr_feature_tokens
    return n_slots


class ParserModel(TransitionModel):
    """The parser's model; see the module docstring. `nO` may be None until the
    component knows its actions (`resize_output`)."""

    state_type = "parser"

    @property
    def slot_names(self) -> Tuple[str, ...]:
        return PARSER_SLOTS[self.n_slots]

    def precompute(self, X: torch.Tensor) -> torch.Tensor:
        """X (B, T, W) -> the lower layer of every token through every slot, computed
        once per batch: ((B*T + 1) * F, D); row (b*T + t)*F + f is token t of doc b in
        slot f. Rows B*T*F + f (an absent token) hold slot f's pad row: they are written
        into the zero row's products in place (a cat would copy the whole table)."""
        self._check_ready()
        B, T, _ = X.shape
        F, D = self.lower_W.shape[0], self.maxout_pieces * self.lower_W.shape[-1]
        x = self.dropout(self.proj(X)).reshape(B * T, -1)                     # (B*T, nI)
        x = torch.cat([x, x.new_zeros(1, x.shape[1])], dim=0)                 # (B*T+1, nI)
        W = self.lower_W.permute(1, 0, 2, 3).reshape(-1, F * D)               # (nI, F*D)
        table = (x @ W).reshape(-1, D)                                        # ((B*T+1)*F, D)
        # (mm's backward needs its inputs, not its output, so the in-place write is safe.)
        table[-F:] = self.lower_pad.reshape(F, D)
        return table

    def state_scores(self, table: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        """Action scores (N, nO) of N states from their context tokens (N, F): indices
        into the batch's flattened tokens (b*T + t), B*T for an absent token."""
        F = tokens.shape[1]
        idx = tokens * F + torch.arange(F, device=tokens.device)              # (N, F)
        hidden = torch.nn.functional.embedding_bag(idx, table, mode="sum")    # (N, D)
        return self.scores(hidden + self.lower_b.reshape(-1))                 # (N, nO)

    def forward(self, X: torch.Tensor, tokens: torch.Tensor) -> torch.Tensor:
        """Scores (N, nO) of states given as context tokens (N, F) over X (B, T, W)."""
        return self.state_scores(self.precompute(X), tokens)

    def _check_ready(self) -> None:
        if self.nO is None:
            raise HeronValueError(Errors.E391.format(name="parser", action="predict or train"))


__all__ = ["ParserModel", "PARSER_SLOTS", "parser_slots"]
