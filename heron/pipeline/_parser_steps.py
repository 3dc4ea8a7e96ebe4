"""The parser's step loops: greedy decoding (with long Docs cut into segments) and the
training exploration under the dynamic oracle. Tensors only (positions, actions); the
component (parser.py) turns Docs into tensors and back.

Decoding: all states of a chunk advance together, one action per state per step. A Doc
decodes in about 2 steps per token, so one long Doc alone would take 20,000 lockstep
steps for 10,000 tokens while a chunk of short Docs shares its steps. Long Docs are
therefore parsed as SEGMENTS that run in parallel: segment k starts at token
k * width with an empty stack, as if the Doc began there. A state with an empty stack,
nothing put back and no left child of B0 depends on nothing before B0, so when segment
k (which started right) and segment k+1 (which started at a guess) both reach such a
state at the same position p, with the same sentence-start mark on p+1, they are the
same state: everything from p on can be taken from segment k+1, everything before p
from segment k. Each segment runs until it met its successor, and stops once every
segment before it in its Doc has too, so the stitched parse is EXACTLY the one a single
state would produce (a segment that never meets its successor just parses on to the
end of the Doc). Cost: each token is parsed by about 1.5 segments instead of 1, in
width + about a sentence of steps instead of 2 per token.
"""
from __future__ import annotations

import random
import warnings
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..errors import Warnings
from ._arc_eager import ArcEagerMoves, ParseStates, _at, final_heads
from ._arc_eager_oracle import GoldBatch, oracle_actions, oracle_costs, zero_cost

SEGMENT_TOKENS = 64  # width of a segment of a long Doc (more Docs than this in a chunk: no gain)
MIN_SEGMENTED = 2 * SEGMENT_TOKENS  # shorter Docs are parsed whole
MAX_SEGMENTS = 256  # per Doc: wider segments beyond MAX_SEGMENTS * SEGMENT_TOKENS tokens


def max_steps(T: int) -> int:
    """A bound on the transitions of a Doc of T tokens (each token is pushed from the
    unread buffer once, popped or put back, pushed again at most once per put-back, and
    each LEFT that makes a put-back token shiftable again pops another); only a bug
    would reach it, and then the remaining tokens become roots (W304)."""
    return 6 * T + 8


def segment_offsets(n: int) -> List[int]:
    if n <= MIN_SEGMENTED:
        return [0]
    width = max(SEGMENT_TOKENS, -(-n // MAX_SEGMENTS))
    return list(range(0, n - width // 2, width))


class Segments:
    """Meeting points of the segments (rows) of long Docs; see the module docstring.

    rec[r, p]: 1 + sentence-start mark of p+1 when row r was in a "clean" state at
    position p (0 = never). end[r]: where row r hands over to row r+1 (-1 = not yet).
    Row R (one past the last) is a dummy that never matches.
    """

    def __init__(self, row_doc: torch.Tensor, T: int):
        R = len(row_doc)
        dev = row_doc.device
        self.R, self.C = R, T + 2
        self.rec = torch.zeros((R + 1, T + 2), dtype=torch.int8, device=dev)
        self.end = torch.full((R + 1,), -1, dtype=torch.long, device=dev)
        idx = torch.arange(R, device=dev)
        first = torch.ones(R, dtype=torch.bool, device=dev)
        first[1:] = row_doc[1:] != row_doc[:-1]
        last = torch.ones(R, dtype=torch.bool, device=dev)
        last[:-1] = row_doc[1:] != row_doc[:-1]
        self.prev = torch.where(first, R, idx - 1)
        self.next = torch.where(last, R, idx + 1)
        # The first row of each row's Doc, for within-Doc prefix counts.
        self.first_of = torch.cummax(torch.where(first, idx, 0), 0).values
        self.skip_unchanged, self.n_done = dev.type == "cpu", -1
        self.segmented = (self.prev < R) | (self.next < R)  # rows of Docs parsed in segments

    def update(self, states: ParseStates) -> None:
        """Record clean states, pair segments that met, stop the rows that are settled."""
        R, C, T = self.R, self.C, states.T
        p = states.b_i.clamp(max=T)
        clean = (~states.done & (states.depth == 0) & (states.rdepth == 0) & (states.b_i < states.n)
                 & (_at(states.lkid, p) == T))
        code = (1 + (_at(states.sent_starts, p + 1) == 1).long()).to(torch.int8)
        self.rec[:R].scatter_(1, torch.where(clean, p, T + 1).unsqueeze(1), code.unsqueeze(1))
        flat = self.rec.view(-1)
        end = self.end[:R]
        met_next = clean & (flat.index_select(0, self.next * C + p) == code) & (end < 0)
        met_prev = clean & (flat.index_select(0, self.prev * C + p) == code)
        met_prev &= self.end.index_select(0, self.prev) < 0
        if self.skip_unchanged:
            # Nothing met and no segment finished since the last call: the rows to stop
            # are the ones stopped then. (A branch on a value is free on CPU, a sync on GPU.)
            n_done = int((states.done & self.segmented).sum())
            if n_done == self.n_done and not bool((met_next | met_prev).any()):
                return
        self.end[:R] = torch.where(met_next, p, end)
        self.end.scatter_(0, torch.where(met_prev, self.prev, R), p)
        self.end[R] = -1
        end = self.end[:R]
        settled = (end >= 0) | states.done
        dead = states.done & (end < 0)  # parsed to the end of its Doc: later rows are moot
        states.force_final(((end >= 0) & (self._before(~settled) == 0)) | (self._before(dead) > 0))
        if self.skip_unchanged:
            self.n_done = int((states.done & self.segmented).sum())

    def _before(self, flags: torch.Tensor) -> torch.Tensor:
        """How many rows before each row, in its Doc, have `flags`."""
        x = flags.long()
        cs = torch.cumsum(x, 0)
        return cs - x - (cs.index_select(0, self.first_of) - x.index_select(0, self.first_of))

    def stitch(self, parts: Sequence[Tuple[np.ndarray, np.ndarray]], rows: Sequence[int], n: int
               ) -> Tuple[np.ndarray, np.ndarray]:
        """One Doc's (heads, actions) from its rows' parts (see the module docstring)."""
        end = self.end.to("cpu").numpy()
        heads, actions = np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64)
        pos = 0
        for k, row in enumerate(rows):
            hands_over = k + 1 < len(rows) and end[row] >= 0
            stop = int(end[row]) if hands_over else n
            if stop > pos:  # (stop <= pos: this row and the next agree from `stop` on)
                heads[pos:stop], actions[pos:stop] = parts[k][0][pos:stop], parts[k][1][pos:stop]
                pos = stop
            if not hands_over:
                break
        return heads, actions


def parse_chunk(model: Any, moves: ArcEagerMoves, X: torch.Tensor, lengths: Sequence[int],
                presets: torch.Tensor) -> List[Tuple[np.ndarray, np.ndarray]]:
    """Greedy parses of one chunk: X (B, T, W) token vectors, presets (B, T) int8 preset
    sentence starts. Returns (heads (n,) absolute, arc actions (n,), -1 for roots) per Doc."""
    B, T = X.shape[:2]
    dev = X.device
    # The lower layer of the real tokens only (a chunk's padding is often a third of it):
    # Doc b's tokens start at row first[b] of the table.
    first = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    real = torch.from_numpy(np.concatenate([b * T + np.arange(n) for b, n in enumerate(lengths)])).to(dev)
    table = model.precompute(X.reshape(B * T, -1).index_select(0, real).unsqueeze(0))
    row_doc, offsets = [], []
    for b, n in enumerate(lengths):
        for offset in segment_offsets(int(n)):
            row_doc.append(b)
            offsets.append(offset)
    rows_t = torch.tensor(row_doc, dtype=torch.long, device=dev)
    n_rows = torch.tensor([lengths[b] for b in row_doc], dtype=torch.long, device=dev)
    states = ParseStates(n_rows, T, starts=presets.index_select(0, rows_t),
                         offsets=torch.tensor(offsets, dtype=torch.long, device=dev))
    segments = Segments(rows_t, T) if len(row_doc) > B else None
    base, pad, F = torch.from_numpy(first).to(dev).index_select(0, rows_t), len(real), model.n_slots
    for _ in range(max_steps(T)):
        if segments is not None:
            segments.update(states)
        active = torch.nonzero(~states.done).squeeze(1)
        if not len(active):
            break
        context = states.context(F).index_select(0, active)                   # (A, F)
        tokens = torch.where(context >= T, pad, base.index_select(0, active).unsqueeze(1) + context)
        scores = model.state_scores(table, tokens)                            # (A, nO)
        valid = states.valid_actions(moves).index_select(0, active)
        chosen = scores.masked_fill(~valid, float("-inf")).argmax(1)
        states.apply(torch.zeros_like(rows_t).index_copy(0, active, chosen), moves)
    else:
        warnings.warn(Warnings.W304.format(n=int((~states.done).sum()), steps=max_steps(T)))
    parts = final_heads(states, range(len(row_doc)), [int(lengths[b]) for b in row_doc])
    out, start = [], 0
    for b, n in enumerate(lengths):
        k = row_doc.count(b)
        rows = list(range(start, start + k))
        out.append(parts[start] if k == 1 or segments is None else
                   segments.stitch(parts[start:start + k], rows, int(n)))
        start += k
    return out


def oracle_starts(states: ParseStates, gold: GoldBatch, moves: ArcEagerMoves, cut: int,
                  paths: Optional[Sequence[Optional[np.ndarray]]] = None
                  ) -> Tuple[ParseStates, torch.Tensor, int, List[np.ndarray]]:
    """spaCy's update_with_oracle_cut_size: follow the oracle through every Doc and start
    an exploration every `max_moves` steps along its path (max_moves drawn from
    [cut / 2, 2 * cut] per batch). Returns (start states, their gold rows, max_moves,
    the oracle's action path of every row).

    The oracle's path is fixed by the gold tree (its first zero-cost action in spaCy's
    order), so `paths` (one action array per row, from an earlier epoch) lets the walk
    replay the actions instead of costing every action of every step again."""
    max_moves = int(random.uniform(max(cut // 2, 1), cut * 2))
    dev = states.heads.device
    everyone = torch.arange(len(states), device=dev)
    snaps, snap_rows = [states.take(everyone)], [everyone]
    walk = states.take(everyone)
    known = [p for p in paths if p is not None] if paths is not None else []
    replay = None
    if paths is not None and len(known) == len(paths):
        width = max((len(p) for p in known), default=0)
        replay = np.zeros((width, len(states)), dtype=np.int64)
        for row, path in enumerate(known):
            replay[:len(path), row] = path
        replay_t = torch.from_numpy(replay).to(dev)
    taken: List[torch.Tensor] = []
    for step in range(1, max_steps(states.T) + 1):
        if bool(walk.done.all()):
            break
        if replay is not None:
            actions = replay_t[step - 1]
        else:
            valid, cost = oracle_costs(walk, gold, moves)
            actions = torch.where(walk.done, -1, oracle_actions(valid, cost, moves))
            taken.append(actions)
        walk.apply(actions, moves)
        if step % max_moves == 0:
            alive = torch.nonzero(~walk.done).squeeze(1)
            if len(alive):
                snaps.append(walk.take(alive))
                snap_rows.append(alive)
    rows = torch.cat(snap_rows)
    if replay is not None:
        walked = known
    else:
        steps = torch.stack(taken, 1).to("cpu").numpy() if taken else np.zeros((len(states), 0), dtype=np.int64)
        walked = [row[row >= 0] for row in steps]
    return ParseStates.concat(snaps), rows, max_moves, walked


def explore(model: Any, moves: ArcEagerMoves, table: torch.Tensor, states: ParseStates,
            gold: GoldBatch, row_doc: torch.Tensor, T: int, n_steps: Optional[int] = None
            ) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Let the model parse from `states` (greedy, no gradient), recording every state it
    visits: (tokens (N, F) context tokens as table rows, valid (N, nO), correct (N, nO)
    = the zero-cost actions). The loss is computed from these afterwards in one batch."""
    pad, F = (table.shape[0] // model.n_slots) - 1, model.n_slots
    base = row_doc * T
    records: List[Tuple[torch.Tensor, torch.Tensor, torch.Tensor]] = []
    table = table.detach()
    with torch.no_grad():
        for _ in range(n_steps or max_steps(T)):
            active = torch.nonzero(~states.done).squeeze(1)
            if not len(active):
                break
            valid, cost = oracle_costs(states, gold, moves)
            context = states.context(F).index_select(0, active)
            tokens = torch.where(context >= T, pad, base.index_select(0, active).unsqueeze(1) + context)
            valid = valid.index_select(0, active)
            correct = zero_cost(valid, cost.index_select(0, active))
            scores = model.state_scores(table, tokens)
            chosen = scores.masked_fill(~valid, float("-inf")).argmax(1)
            records.append((tokens, valid, correct))
            states.apply(torch.zeros_like(row_doc).index_copy(0, active, chosen), moves)
    if not records:
        nO = moves.n_moves
        empty = torch.zeros((0, nO), dtype=torch.bool, device=table.device)
        return torch.zeros((0, F), dtype=torch.long, device=table.device), empty, empty
    return tuple(torch.cat(parts) for parts in zip(*records))  # type: ignore[return-value]


__all__ = ["parse_chunk", "explore", "oracle_starts", "segment_offsets", "Segments", "max_steps",
           "SEGMENT_TOKENS"]
