"""TransitionBasedParser: the model of the transition-based `ner` component.

(`state_type = "parser"` builds the dependency parser's model instead:
`heron.nn.parser_model.ParserModel`, on the same lower/upper layers, `TransitionModel`.)

Pure torch (never imports heron.tokens): it sees token vectors (B, T, W) and a
(B, T) mask, and the transition system only as tensors (`tables`, see
`heron.pipeline._biluo.TransitionTables`).

A state is described by F context tokens ("feature slots"). With state_type "ner":

    slot 0  B0    the current token (the one the next action consumes)
    slot 1  E0    the first token of the open entity (none when outside)
    slot 2  B0-1  the previous token (none at the first token)
    extra_state_tokens adds:
    slot 3  B1    the next token         slot 4  B2    the token after that
    slot 5  E0-1  the token before the open entity

spaCy uses B0-1 only inside an entity and E0+1 instead of B2; here B0-1 is always
the previous token and B1/B2 look ahead, which costs nothing extra because slots that
depend only on the position (B0, B0-1, B1, B2) are summed once per token before
decoding; only the E0 slots depend on the state. "None" (and positions outside the
Doc: padding never leaks into a Doc's features) is a learned pad vector per slot.

The lower layer is precomputed ONCE per batch: token vectors are projected to
hidden_width, then one matmul gives, for every token t and slot f, W_f . x_t as
(B, T, F, H*P). A state's hidden layer is the sum of its F slots' rows + bias,
maxout over the P pieces; then a linear upper layer gives the action scores
(use_upper=False: the lower layer outputs the nO action scores directly).

Because the position-only slots are summed per token in advance, a decoding step
costs one add, the maxout, the upper layer and an argmax for the whole batch: the
E0 part of each Doc's hidden layer is carried from step to step (set when an entity
opens, kept while it continues, reset to the pad rows when it closes), with no
gathers. Training computes all tokens' states at once from the gold E0 (one gather).
"""
from __future__ import annotations

from typing import Any, Optional, Tuple

import numpy as np
import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..registry import registry

# Slots that depend only on the position, and their offset from the current token t.
STATIC_SLOTS = {3: (0, 2), 6: (0, 2, 3, 4)}
_OFFSETS = {0: 0, 2: -1, 3: 1, 4: 2}
E0_SLOT, E0_PREV_SLOT = 1, 5


@registry.architectures("heron.TransitionBasedParser.v1")
def transition_based_parser(*, tok2vec: Any, state_type: str = "ner",
                            extra_state_tokens: bool = False, hidden_width: int = 64,
                            maxout_pieces: int = 2, use_upper: bool = True,
                            nO: Optional[int] = None,
                            nr_feature_tokens: Optional[int] = None) -> "TransitionModel":
    """Greedy transition-based model (spaCy's argument names and meanings).

    tok2vec (Module): token vectors; usually heron.Tok2VecListener.v1 (shared trunk)
        or an inline Tok2Vec. Must have a `width`.
    state_type (str): "ner" (BILUO entity recognizer) or "parser" (arc-eager
        dependency parser, heron.nn.parser_model.ParserModel).
    extra_state_tokens (bool): more context tokens per state: ner 6 instead of 3 (B1,
        B2 and the token before the entity), parser 13 instead of 8 (more children of
        S0 and S1); a little more accurate, a little slower.
    hidden_width (int): width of the hidden layer; recommended 64-256.
    maxout_pieces (int): maxout pieces of the hidden layer; 1-3 (1 = ReLU instead of
        maxout, as in spaCy).
    use_upper (bool): an upper linear layer maps hidden to actions; False makes the
        lower layer output action scores (faster, usually less accurate).
    nO (int | None): number of actions; leave null, it is set from the labels.
    nr_feature_tokens (int | None): older name of the context size: ner 3 or 6, parser
        8 or 13; must agree with extra_state_tokens (the larger one switches it on when
        left at false).
    """
    if state_type not in ("ner", "parser"):
        raise HeronValueError(Errors.E381.format(value=state_type))
    for name, value in (("hidden_width", hidden_width), ("maxout_pieces", maxout_pieces)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise HeronValueError(Errors.E384.format(name=name, value=value))
    if state_type == "parser":
        from .parser_model import ParserModel, parser_slots

        n_slots = parser_slots(extra_state_tokens, nr_feature_tokens)
        return ParserModel(tok2vec, n_slots=n_slots, hidden_width=hidden_width,
                           maxout_pieces=maxout_pieces, use_upper=use_upper, nO=nO)
    n_slots = 6 if extra_state_tokens else 3
    if nr_feature_tokens is not None:
        if nr_feature_tokens not in (3, 6) or (nr_feature_tokens == 3 and extra_state_tokens):
            raise HeronValueError(Errors.E382.format(nr=nr_feature_tokens, extra=extra_state_tokens))
        n_slots = nr_feature_tokens
    return TransitionBasedParser(tok2vec, n_slots=n_slots, hidden_width=hidden_width,
                                 maxout_pieces=maxout_pieces, use_upper=use_upper, nO=nO)


class TransitionModel(nn.Module):
    """The layers every transition-based model shares (ner's and the parser's).

    tok2vec -> `proj` (width -> hidden_width) -> a lower layer over `n_slots` context
    tokens (lower_W (F, hidden_width, P, n_out), a learned pad row per slot for absent
    tokens, bias (P, n_out)), maxout over P pieces -> `upper` (hidden_width -> nO; None
    with use_upper=False, then the lower layer outputs the nO action scores).
    `nO` may be None until `resize_output(nO)`.
    """

    def __init__(self, tok2vec: nn.Module, *, n_slots: int = 3, hidden_width: int = 64,
                 maxout_pieces: int = 2, use_upper: bool = True, nO: Optional[int] = None):
        super().__init__()
        width = getattr(tok2vec, "width", None)
        if not isinstance(width, int):
            raise HeronValueError(Errors.E383.format(obj=type(tok2vec).__name__))
        self.tok2vec = tok2vec
        self.n_slots = n_slots
        self.hidden_width = hidden_width
        self.maxout_pieces = maxout_pieces
        self.use_upper = use_upper
        self.nO: Optional[int] = None
        self.proj = nn.Linear(width, hidden_width)
        # Rate set per update by set_dropout (Language.update(drop=...)); off in eval.
        self.dropout = nn.Dropout(0.0)
        self.upper: Optional[nn.Linear] = None
        if use_upper:
            self._make_lower(hidden_width)
        if nO is not None:
            self.resize_output(nO)

    # ---- parameters -------------------------------------------------------------
    def _make_lower(self, n_out: int) -> None:
        # Piece-major layout (.., P, n_out): maxout is then an elementwise max of slices.
        F, P, nI = self.n_slots, self.maxout_pieces, self.hidden_width
        self.lower_W = nn.Parameter(torch.randn(F, nI, P, n_out) * (1.0 / (F * nI)) ** 0.5)
        self.lower_pad = nn.Parameter(torch.randn(F, P, n_out) * 0.01)
        self.lower_b = nn.Parameter(torch.zeros(P, n_out))

    def resize_output(self, nO: int) -> None:
        """Set/grow the number of actions; rows of existing actions are kept.

        New rows start at zero (upper layer) so a trained model's scores for old
        actions are unchanged. Parameters are replaced: create the optimizer after it.
        """
        if self.nO == nO:
            return
        old, self.nO = self.nO, nO
        device = self.proj.weight.device
        if not self.use_upper:
            kept = (self.lower_W.data, self.lower_pad.data, self.lower_b.data) if old else None
            self._make_lower(nO)
            self.to(device)
            if kept is not None and old is not None:
                n = min(old, nO)
                with torch.no_grad():
                    self.lower_W[..., :n] = kept[0][..., :n]
                    self.lower_pad[..., :n] = kept[1][..., :n]
                    self.lower_b[..., :n] = kept[2][..., :n]
            return
        upper = nn.Linear(self.hidden_width, nO).to(device)
        with torch.no_grad():
            upper.weight.zero_()
            upper.bias.zero_()
            if self.upper is not None and old:
                n = min(old, nO)
                upper.weight[:n] = self.upper.weight[:n]
                upper.bias[:n] = self.upper.bias[:n]
        self.upper = upper

    def reset_output(self) -> None:
        """Forget the output layer (nO = None), e.g. when the label order changed."""
        self.nO = None
        self.upper = None
        if not self.use_upper:
            for name in ("lower_W", "lower_pad", "lower_b"):
                if hasattr(self, name):
                    delattr(self, name)

    def scores(self, hidden: torch.Tensor) -> torch.Tensor:
        """(..., P*n_out) summed lower pre-activations -> (..., nO) action scores."""
        if self.maxout_pieces == 1:
            h = torch.relu(hidden)
        else:
            h = hidden.reshape(*hidden.shape[:-1], self.maxout_pieces, -1).amax(dim=-2)
        if self.upper is None:
            return h
        return self.upper(h)


class TransitionBasedParser(TransitionModel):
    """The ner model (state_type "ner"); see the module docstring."""

    # ---- forward pieces ---------------------------------------------------------
    def precompute(self, X: torch.Tensor, lengths: torch.Tensor
                   ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """The lower layer for every token and slot, computed once per batch.

        X (B, T, W) token vectors, lengths (B,). Returns, with D = P * n_out:
        static (B, T, D): bias + the position-only slots (B0, B0-1, B1, B2) per token;
        opened (B, T, D): the E0-dependent slots of a state whose entity starts at t;
        none (D,): the E0-dependent slots when no entity is open (pad vectors).
        """
        B, T, _ = X.shape
        F, P, n_out = self.lower_W.shape[0], self.maxout_pieces, self.lower_W.shape[-1]
        D = P * n_out
        x = self.dropout(self.proj(X)).reshape(B * T, -1)                     # (B*T, nI)
        W = self.lower_W.permute(1, 0, 2, 3).reshape(-1, F * D)               # (nI, F*D)
        rows = (x @ W).reshape(B, T, F, D).unbind(dim=2)                      # F x (B, T, D)
        pad = self.lower_pad.reshape(F, 1, 1, D)
        pos = torch.arange(T, device=X.device).reshape(1, T, 1)
        inside = lengths.reshape(B, 1, 1)
        static = self.lower_b.reshape(1, 1, -1) + rows[0]
        for slot in STATIC_SLOTS[F][1:]:
            static = static + _shift(rows[slot], _OFFSETS[slot], pos, inside, pad[slot])
        opened = rows[E0_SLOT]
        none = pad[E0_SLOT].reshape(-1)
        if F == 6:  # E0-1: the token before the entity start
            opened = opened + _shift(rows[E0_PREV_SLOT], -1, pos, inside, pad[E0_PREV_SLOT])
            none = none + pad[E0_PREV_SLOT].reshape(-1)
        return static, opened, none

    def forward(self, X: torch.Tensor, lengths: torch.Tensor, e0: torch.Tensor) -> torch.Tensor:
        """Teacher-forced scores (B, T, nO) given each token's state E0 (B, T) (-1 none)."""
        self._check_ready()
        static, opened, none = self.precompute(X, lengths)
        D = static.shape[-1]
        index = e0.clamp(min=0).unsqueeze(-1).expand(-1, -1, D)               # (B, T, D)
        state = torch.where((e0 >= 0).unsqueeze(-1), torch.gather(opened, 1, index), none)
        return self.scores(static + state)

    @torch.no_grad()
    def greedy_decode(self, X: torch.Tensor, lengths: torch.Tensor, tables: Any) -> torch.Tensor:
        """Greedy actions (B, T) (-1 on padding), all Docs stepping in lockstep.

        tables: `TransitionTables` (valid (2, S, nO), next_state, opens, keeps). The
        E0 part of each Doc's hidden layer is carried along: set to `opened[t]` when an
        entity starts at t, kept while it continues, reset to `none` when it closes.
        """
        self._check_ready()
        static, opened, none = self.precompute(X, lengths)
        static = static.transpose(0, 1).contiguous()                          # (T, B, D)
        opened = opened.transpose(0, 1).contiguous()                          # (T, B, D)
        if static.device.type == "cpu" and not self.decode_with_tensors:
            return self._greedy_decode_cpu(static, opened, none, lengths, tables)
        T, B, D = static.shape
        dev = static.device
        # 0 for valid actions, -inf for invalid ones: [is_last, state, action].
        # Rows [is_last * S + state]; one index_select per step (cheaper than fancy indexing).
        penalty = torch.zeros(tables.valid.shape, device=dev).masked_fill(
            ~tables.valid.to(dev), float("-inf")).reshape(-1, tables.valid.shape[-1])
        n_states = tables.valid.shape[1]
        # Per action: (next state, opens an entity, keeps the open one).
        moves = torch.stack([tables.next_state, tables.opens.long(), tables.keeps.long()], 1).to(dev)
        pos = torch.arange(T, device=dev)
        is_last = (pos.unsqueeze(1) == (lengths - 1).unsqueeze(0)).long() * n_states   # (T, B)
        state = torch.zeros(B, dtype=torch.long, device=dev)
        part = none.expand(B, D)
        actions = torch.empty((T, B), dtype=torch.long, device=dev)
        for t in range(T):
            scores = self.scores(static[t] + part)                            # (B, nO)
            a = (scores + penalty.index_select(0, is_last[t] + state)).argmax(dim=-1)
            move = moves.index_select(0, a)                                   # (B, 3)
            part = torch.where(move[:, 1:2].bool(), opened[t],
                               torch.where(move[:, 2:3].bool(), part, none))
            state = move[:, 0]
            actions[t] = a
        return actions.t().masked_fill(pos.unsqueeze(0) >= lengths.unsqueeze(1), -1)

    # The tensor loop above also runs on the CPU when this is set (tests compare the two).
    decode_with_tensors = False

    def _greedy_decode_cpu(self, static: torch.Tensor, opened: torch.Tensor, none: torch.Tensor,
                           lengths: torch.Tensor, tables: Any) -> torch.Tensor:
        """greedy_decode on the CPU: the same decisions, with the step loop in numpy.

        A state without an open entity scores static[t] + none, which doesn't depend on
        earlier decisions, so those scores are computed for every (t, Doc) in one batch up
        front; a step only runs the model for the Docs inside an entity (a tenth of the
        tokens or so). A long Doc decodes one token per step, so this per-step saving is
        what keeps a 10,000-token Doc from costing 10,000 rounds of tensor ops (5x here)."""
        T, B, D = static.shape
        closed = self.scores(static + none).numpy()                          # (T, B, nO)
        valid = tables.valid.numpy()
        n_states = valid.shape[1]
        penalty = np.where(valid, np.float32(0.0), np.float32(-np.inf)).reshape(-1, valid.shape[-1])
        next_state = tables.next_state.numpy()
        opens, keeps = tables.opens.numpy().astype(bool), tables.keeps.numpy().astype(bool)
        n = lengths.to("cpu").numpy()
        pos = np.arange(T)
        is_last = (pos[:, None] == (n - 1)[None, :]).astype(np.int64) * n_states   # (T, B)
        state = np.zeros(B, dtype=np.int64)
        start = np.full(B, -1, dtype=np.int64)  # where each Doc's open entity starts (-1: none)
        actions = np.empty((T, B), dtype=np.int64)
        for t in range(T):
            scores = closed[t]
            inside = np.flatnonzero(start >= 0)
            if len(inside):
                scores = scores.copy()
                rows = torch.from_numpy(inside)
                hidden = static[t].index_select(0, rows) + opened[torch.from_numpy(start[inside]), rows]
                scores[inside] = self.scores(hidden).numpy()
            a = (scores + penalty[is_last[t] + state]).argmax(axis=1)
            start = np.where(opens[a], t, np.where(keeps[a], start, -1))
            state = next_state[a]
            actions[t] = a
        out = actions.T.copy()
        out[pos[None, :] >= n[:, None]] = -1
        return torch.from_numpy(out)

    def _check_ready(self) -> None:
        if self.nO is None:
            raise HeronValueError(Errors.E386.format(name="ner", action="predict or train"))


def _shift(rows: torch.Tensor, offset: int, pos: torch.Tensor, lengths: torch.Tensor,
           pad: torch.Tensor) -> torch.Tensor:
    """rows (B, T, D) moved so that position t holds row t+offset; pad outside the Doc."""
    B, T, D = rows.shape
    k = min(abs(offset), T)
    fill = pad.reshape(1, 1, D).expand(B, k, D)
    if offset < 0:
        return torch.cat([fill, rows[:, :T - k]], dim=1)
    shifted = torch.cat([rows[:, k:], fill], dim=1)
    return torch.where(pos + offset < lengths, shifted, pad.reshape(1, 1, D))


__all__ = ["TransitionModel", "TransitionBasedParser", "transition_based_parser"]
