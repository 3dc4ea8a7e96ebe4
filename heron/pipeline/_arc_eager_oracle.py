"""Training the arc-eager parser: gold trees per predicted token and the dynamic oracle.

Gold (`gold_tree`): the reference Doc's tree is made projective (`_nonproj`), then
carried onto the predicted tokens through the Example's alignment: a token gets a gold
head when it and its gold head each align one-to-one to a reference token; otherwise
its head is missing. A reference token whose DEP is unset has a missing head too
(spaCy's convention), so partially annotated Docs train: missing is never wrong.
Gold sentence starts come from the trees when every head is known; with missing heads
only "no boundary here" is known, between two tokens that a known arc spans.

Dynamic oracle (Goldberg & Nivre 2012, spaCy's arc_eager costs): the cost of an action
in a state is the number of gold arcs (and gold sentence boundaries) it makes
unreachable. Training follows the MODEL's choices and, in every state it reaches,
treats each valid action of minimal cost as correct (cost 0 when the state can still
reach the gold tree). Costs are computed for all states of a batch at once with
(R, T) tensor ops per step: O(T) per state and step, so O(T^2) per Doc in training
(spaCy's oracle is too); training Docs are sentences or paragraphs, and decoding never
calls the oracle.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..errors import Errors, HeronValueError
from ._arc_eager import BREAK, LEFT, RIGHT, ArcEagerMoves, ParseStates, _at, state_width
from ._nonproj import CycleError, projectivize

UNKNOWN = -1  # a gold sentence start that is not known


@dataclass
class GoldTree:
    """One Doc's gold, per predicted token: heads (n,) int64 (absolute, -1 = missing,
    own index = root), labels (str, None = missing; decorated when lifted), sent_starts
    (n,) int8 (1 starts a sentence, 0 doesn't, -1 unknown)."""

    heads: np.ndarray
    labels: List[Optional[str]]
    sent_starts: np.ndarray

    @property
    def has_gold(self) -> bool:
        return bool((self.heads >= 0).any())


def reference_tree(doc: Any, cache: Optional[Dict[bytes, Any]] = None
                   ) -> Tuple[List[Optional[int]], List[Optional[str]], np.ndarray]:
    """The projectivized tree of a reference Doc: (heads, labels, sent_starts) per
    reference token (see GoldTree). `cache` (bytes of HEAD/DEP -> result) saves the
    projectivization when the same Docs come back every epoch."""
    n = len(doc)
    cols = doc.to_array(["HEAD", "DEP"]) if n else np.zeros((0, 2), dtype=np.uint64)
    key = cols.tobytes()
    if cache is not None and key in cache:
        return cache[key]
    rel, deps = cols[:, 0].view(np.int64), cols[:, 1]
    known = deps != 0
    strings = doc.vocab.strings
    names = {int(h): strings[int(h)] for h in np.unique(deps[known]).tolist()}
    heads: List[Optional[int]] = [i + int(r) if k else None for i, (r, k) in enumerate(zip(rel.tolist(), known))]
    labels: List[Optional[str]] = [names[int(h)] if h else None for h in deps.tolist()]
    try:
        heads, labels = projectivize(heads, labels)
    except CycleError as e:
        raise HeronValueError(Errors.E394.format(doc=doc.text[:60], i=e.token,
                                                 heads=[h for h in heads][:30])) from None
    starts = _gold_sent_starts(doc, heads, known)
    result = (heads, labels, starts)
    if cache is not None:
        cache[key] = result
    return result


def _gold_sent_starts(doc: Any, heads: Sequence[Optional[int]], known: np.ndarray) -> np.ndarray:
    n = len(heads)
    if n and known.all():
        return (doc.to_array(["SENT_START"])[:, 0].view(np.int64) == 1).astype(np.int8)
    # Partial trees: only the gaps a known arc spans are known not to be boundaries.
    spanned = np.zeros(n + 1, dtype=np.int64)
    for child, head in enumerate(heads):
        if head is not None and head != child:
            spanned[min(head, child) + 1] += 1
            spanned[max(head, child) + 1] -= 1
    out = np.where(np.cumsum(spanned)[:n] > 0, 0, UNKNOWN).astype(np.int8)
    if n:
        out[0] = 1
    return out


def gold_tree(eg: Any, cache: Optional[Dict[bytes, Any]] = None) -> GoldTree:
    """The gold tree of Example `eg` per predicted token (see the module docstring)."""
    heads_y, labels_y, starts_y = reference_tree(eg.reference, cache)
    nx, ny = len(eg.predicted), len(eg.reference)
    heads = np.full(nx, -1, dtype=np.int64)
    starts = np.full(nx, UNKNOWN, dtype=np.int8)
    labels: List[Optional[str]] = [None] * nx
    if not nx or not ny:
        return GoldTree(heads, labels, starts)
    x2y, y2x = eg.alignment.x2y, eg.alignment.y2x
    y_of_x = np.full(nx, -1, dtype=np.int64)
    one = x2y.lengths == 1
    y_of_x[one] = x2y.data[x2y.starts[:-1][one]]
    x_of_y = np.full(ny, -1, dtype=np.int64)
    one = y2x.lengths == 1
    x_of_y[one] = y2x.data[y2x.starts[:-1][one]]
    gold_heads = np.array([-1 if h is None else h for h in heads_y], dtype=np.int64)
    for x in np.flatnonzero(y_of_x >= 0).tolist():
        y = int(y_of_x[x])
        if x_of_y[y] != x:  # x covers part of a gold token, or the token splits
            continue
        starts[x] = starts_y[y]
        if gold_heads[y] >= 0 and x_of_y[gold_heads[y]] >= 0:
            heads[x] = x_of_y[gold_heads[y]]
            labels[x] = labels_y[y]
    starts[0] = 1
    return GoldTree(heads, labels, starts)


@dataclass
class GoldBatch:
    """Gold trees of a batch as tensors (B, C) in ParseStates' layout: heads (T =
    missing; own index = root), arc (bool: a known non-root arc into the token), left /
    right (the LEFT / RIGHT action id of the gold label, -1 = any label), sent_starts
    (int8, 1 / 0 / -1 unknown)."""

    heads: torch.Tensor
    arc: torch.Tensor
    left: torch.Tensor
    right: torch.Tensor
    sent_starts: torch.Tensor

    @classmethod
    def build(cls, trees: Sequence[GoldTree], moves: ArcEagerMoves, T: int, device: Any) -> "GoldBatch":
        B, C = len(trees), state_width(T)
        heads = np.full((B, C), T, dtype=np.int64)
        left = np.full((B, C), -1, dtype=np.int64)
        right = np.full((B, C), -1, dtype=np.int64)
        starts = np.full((B, C), UNKNOWN, dtype=np.int8)
        for b, tree in enumerate(trees):
            n = len(tree.heads)
            heads[b, :n] = np.where(tree.heads >= 0, tree.heads, T)
            starts[b, :n] = tree.sent_starts
            for i, (head, label) in enumerate(zip(tree.heads.tolist(), tree.labels)):
                if label is None or head < 0 or head == i:
                    continue
                if head > i:
                    left[b, i] = moves.action_id("L", label)
                else:
                    right[b, i] = moves.action_id("R", label)
        pos = np.arange(C)
        arc = (heads != T) & (heads != pos)
        return cls(*(torch.from_numpy(a).to(device) for a in (heads, arc, left, right, starts)))

    def take(self, rows: torch.Tensor) -> "GoldBatch":
        return GoldBatch(*(t.index_select(0, rows) for t in (self.heads, self.arc, self.left, self.right,
                                                              self.sent_starts)))


def oracle_costs(states: ParseStates, gold: GoldBatch, moves: ArcEagerMoves
                 ) -> Tuple[torch.Tensor, torch.Tensor]:
    """(valid (R, nO) bool, cost (R, nO) long) of every action in every state: spaCy's
    arc-eager costs (see the module docstring), computed for all states at once."""
    R, C = states.heads.shape
    T = states.T
    dev = states.heads.device
    pos = torch.arange(C, device=dev)
    S = states.stack_tokens()
    s0, s1 = S[:, 0], S[:, 1]
    b0, b1 = states.buffer_tokens()
    in_stack = states.stack_members()
    in_rebuf = states.putback_members()
    # The buffer the oracle sees ends before the next sentence start (spaCy's).
    b_i = states.b_i.unsqueeze(1)
    ahead = (states.sent_starts == 1) & (pos >= b_i)
    end = torch.where(ahead, pos, states.n.unsqueeze(1)).amin(1, keepdim=True)
    in_buf = ((pos >= b_i) & (pos < end)) | in_rebuf
    gh, arc = gold.heads, gold.arc
    head_in_stack = arc & in_stack.gather(1, gh)                              # (R, C)
    head_in_buf = arc & in_buf.gather(1, gh)
    between = (head_in_buf & in_stack) | (head_in_stack & in_buf)
    n_between = between.sum(1)                            # gold arcs between stack and buffer

    def kids(head: torch.Tensor, where: torch.Tensor) -> torch.Tensor:
        return (arc & where & (gh == head.unsqueeze(1))).sum(1)

    kids_stack_b0, kids_stack_s0, kids_buf_s0 = kids(b0, in_stack), kids(s0, in_stack), kids(s0, in_buf)
    h_stack_b0, h_stack_s0 = _at(head_in_stack, b0).long(), _at(head_in_stack, s0).long()
    h_buf_s0, h_buf_b0 = _at(head_in_buf, s0).long(), _at(head_in_buf, b0)
    valid_moves = states.valid_moves()
    gold_start_b1 = _at(gold.sent_starts, b1)
    push = h_stack_b0 + kids_stack_b0 + (valid_moves[:, BREAK] & (gold_start_b1 == 1)).long()
    pop = h_buf_s0 + kids_buf_s0
    has_head = _at(states.heads, s0) != T
    saved = h_stack_s0 + kids_stack_s0                    # arcs S0 keeps by going back
    reduce = torch.where(_at(states.sent_starts, b0) == 1, torch.zeros_like(pop),
                         pop - (~has_head).long() * saved)
    gh_s0, arc_s0, gh_b0, arc_b0 = _at(gh, s0), _at(arc, s0), _at(gh, b0), _at(arc, b0)
    left_gold = arc_s0 & (gh_s0 == b0)
    left = pop + torch.where(has_head, (arc_s0 & (gh_s0 == s1)).long(), saved) - left_gold.long()
    right_gold = arc_b0 & (gh_b0 == s0)
    right = push - right_gold.long() + (~right_gold & h_buf_b0 & ~_at(states.unshiftable, b0)).long()
    brk = n_between - _at(in_buf, b0).long() * (kids_stack_b0 + h_stack_b0) + (gold_start_b1 == 0).long()
    per_move = torch.stack([push, reduce, left, right, brk], 1)                # (R, 5)
    move_of = moves.move_table(dev)
    valid = valid_moves.index_select(1, move_of)
    cost = per_move.index_select(1, move_of)
    # A wrong label on the gold arc costs 1 (when the gold label is known).
    actions = torch.arange(len(move_of), device=dev)
    gold_left, gold_right = _at(gold.left, s0), _at(gold.right, b0)
    wrong_left = left_gold & (gold_left >= 0)
    wrong_right = right_gold & (gold_right >= 0)
    cost = cost + ((move_of == LEFT) & wrong_left.unsqueeze(1) & (actions != gold_left.unsqueeze(1))).long()
    cost = cost + ((move_of == RIGHT) & wrong_right.unsqueeze(1) & (actions != gold_right.unsqueeze(1))).long()
    return valid, cost


def zero_cost(valid: torch.Tensor, cost: torch.Tensor) -> torch.Tensor:
    """(R, nO) bool: the valid actions of minimal cost (the oracle's correct actions)."""
    big = torch.iinfo(cost.dtype).max
    best = torch.where(valid, cost, big).amin(1, keepdim=True)
    return valid & (cost <= best)


def oracle_actions(valid: torch.Tensor, cost: torch.Tensor, moves: ArcEagerMoves) -> torch.Tensor:
    """One zero-cost action per state, the first in spaCy's action order (by move type
    SHIFT, REDUCE, LEFT, RIGHT, BREAK, which are 0-4 here too, then by id), so the
    oracle's path is spaCy's."""
    move_of = moves.move_table(valid.device)
    n = len(move_of)
    rank = move_of * n + torch.arange(n, device=valid.device)
    return torch.where(zero_cost(valid, cost), rank, n * n).argmin(1)


__all__ = ["GoldTree", "GoldBatch", "gold_tree", "reference_tree", "oracle_costs", "zero_cost",
           "oracle_actions"]
