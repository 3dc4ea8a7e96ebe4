"""The memory layout of `ParseStates` (heron/pipeline/_arc_eager.py) and the tables a
step looks up: which move types are valid, and what an action writes, per state case.
Built once per width and device from the transition rules written out below, so the
rules stay readable while a step costs a few dozen tensor ops."""
from __future__ import annotations

import math
from typing import Any, Dict, List, Sequence, Tuple

import torch

SHIFT, REDUCE, LEFT, RIGHT, BREAK = range(5)
_NOOP = 5  # the "move" of a state that doesn't act this step

# Per-token fields of a state, packed in one (R, N_FIELDS, C) tensor, C = T + 4, so a step
# reads them with three gathers and writes them with one scatter. Columns: the tokens
# 0..T-1, T = "no token" (neutral values), T+1 and T+2 neutral padding that B1 and S2
# reads reach near the ends, C-1 absorbs the writes of states that don't act.
# STACK is a list, item k (1..depth) at column k + 2: S0, S1, S2 are columns depth + 2,
# depth + 1, depth, so an absent one reads "no token" without clamping. BUF is the buffer
# behind a pointer bp: B0 = BUF[bp], B1 = BUF[bp + 1], BUF[i] = i for unread tokens and T
# from the Doc's end on; REDUCE puts S0 back at BUF[bp - 1]. LEDGE is the left edge of a
# token's subtree (the token itself until it gets a left child).
HEAD, ACTION, LKID, RKID, PREV_L, PREV_R, START, UNSHIFT, STACK, BUF, LEDGE = range(11)
N_FIELDS = 11
_FILL = (None, -1, None, None, None, None, 0, 0, None, "pos", "pos")  # None: T; "pos": own index
# Per-row registers (R, 5): stack depth, put-back tokens, buffer pointer, length, done.
DEPTH, RDEPTH, BP, LEN, DONE = range(5)
N_REGS = 5


def state_width(T: int) -> int:
    """C: the columns of a per-token field (see above)."""
    return T + 4


# A step works on one (R, K) long matrix of everything it read: the view (_V_*), the
# registers, constants, and one more column (start of B0's left edge, or the action).
(_V_B0, _V_B1, _V_S0, _V_S1, _V_S2, _V_LKID_B0, _V_LKID_S0, _V_RKID_S0, _V_START_B0, _V_START_B1,
 _V_UNSHIFT_B0, _V_HEAD_S0, _V_PREV_R_S0, _V_LEDGE_B0, _V_LEDGE_S0) = range(15)
_N_VIEW = 15
_R0 = _N_VIEW                    # registers
_K0 = _R0 + N_REGS               # constants: 1, 0, -1, T, C-1, C-4, C (see _Consts)
_ONE, _ZERO, _MINUS1, _NONE, _DUMP, _DUMP_STACK, _DUMP_BUF = range(_K0, _K0 + 7)
_EXTRA = _K0 + 7                 # start of B0's left edge (validity) or the action (apply)
# (field, S0/S1/S2/B0/B1 source) of the view's field reads, in _V_ order after B0..S2.
_FIELD_READS = ((LKID, _V_B0), (LKID, _V_S0), (RKID, _V_S0), (START, _V_B0), (START, _V_B1),
                (UNSHIFT, _V_B0), (HEAD, _V_S0), (PREV_R, _V_S0), (LEDGE, _V_B0), (LEDGE, _V_S0))
# Validity depends on 8 small numbers (clamped): depth, buffer length, B0's start mark,
# B0 unshiftable, the start mark of B0's left edge, B1 - B0, B1's start mark, done.
_VALID_PLUS = (_R0 + DEPTH, _R0 + LEN, _V_START_B0, _V_UNSHIFT_B0, _EXTRA, _V_B1, _V_START_B1, _R0 + DONE)
_VALID_MINUS = (_ZERO, _R0 + BP, _MINUS1, _ZERO, _MINUS1, _V_B0, _MINUS1, _ZERO)
_VALID_HI = (2, 2, 2, 1, 2, 2, 2, 1)
# What an action does depends on its move, S0 having a head, depth (0, 1, more), a
# put-back B0 and done: _APPLY_* give (T - head of S0, depth, put-back count, done).
_APPLY_PLUS = (_NONE, _R0 + DEPTH, _R0 + RDEPTH, _R0 + DONE)
_APPLY_MINUS = (_V_HEAD_S0, _ZERO, _ZERO, _ZERO)
_APPLY_HI = (1, 2, 1, 1)
# The scatter's fields in order; STACK writes at depth + 3, BUF at bp - 1 (see _apply_table).
_WRITES = (RKID, HEAD, ACTION, PREV_L, LKID, PREV_R, RKID, UNSHIFT, START, BUF, STACK, LEDGE)
_WRITE_SHIFT = {9: -1, 10: 3}


def _radix(hi: Sequence[int]) -> List[int]:
    weights, w = [], 1
    for h in hi:
        weights.append(w)
        w *= h + 1
    return weights


def _valid_table() -> torch.Tensor:
    """(n codes, 5) bool: the valid move types of every validity code (spaCy's rules,
    see the module docstring), from the clamped numbers of _VALID_PLUS."""
    codes = torch.arange(math.prod(h + 1 for h in _VALID_HI))
    d, buflen, start_b0, unshift_b0, start_edge, b1_b0, start_b1, done = [
        codes // w % (h + 1) for w, h in zip(_radix(_VALID_HI), _VALID_HI)]
    start_b0, start_edge, start_b1 = start_b0 - 1, start_edge - 1, start_b1 - 1
    start0 = start_b0 == 1
    has_stack = d > 0
    shift = torch.where(has_stack, (buflen >= 2) & ~start0 & (unshift_b0 == 0), buflen > 0)
    # spaCy's rule: popping the last stack token makes B0's subtree, from its left
    # edge, the next sentence, so that edge must be allowed to start one.
    reduce = has_stack & ((buflen == 0) | (d != 1) | (start_edge != -1))
    arc = has_stack & (buflen > 0) & ~start0
    brk = (buflen >= 2) & (b1_b0 == 1) & (start_b1 == 0)
    return torch.stack([shift, reduce, arc, arc, brk], 1) & (done == 0).unsqueeze(1)


def _apply_table() -> torch.Tensor:
    """(6 moves * 24 cases, 27) long: per move (SHIFT..BREAK, then "don't act") and case
    (_APPLY_PLUS numbers), the step matrix columns holding each write's position and
    value, and the changes of depth, put-back count and buffer pointer."""
    rows = []
    for move in range(6):
        for code in range(24):
            has_head, d, rd, done = code % 2, code // 2 % 3, code // 6 % 2, code // 12
            m = _NOOP if done else move
            left, right, reduce = m == LEFT, m == RIGHT, m == REDUCE
            pop = left or (reduce and (has_head or d == 1))
            unshift = reduce and not pop
            push = m in (SHIFT, RIGHT)
            arc = left or right
            child, parent = (_V_S0, _V_B0) if left else (_V_B0, _V_S0)
            writes = [  # (enabled, position column, value column) per _WRITES entry
                (left and has_head, _V_HEAD_S0, _V_PREV_R_S0), (arc, child, parent), (arc, child, _EXTRA),
                (left, _V_S0, _V_LKID_B0), (left, _V_B0, _V_S0), (right, _V_B0, _V_RKID_S0),
                (right, _V_S0, _V_B0), (unshift or left, _V_S0 if unshift else _V_B0, _ONE if unshift else _ZERO),
                (m == BREAK, _V_B1, _ONE), (unshift, _R0 + BP, _V_S0), (push, _R0 + DEPTH, _V_B0),
                (left, _V_B0, _V_LEDGE_S0)]
            dumps = {9: _DUMP_BUF, 10: _DUMP_STACK}
            pos = [p if on else dumps.get(k, _DUMP) for k, (on, p, _) in enumerate(writes)]
            val = [v if on else _ZERO for on, _, v in writes]
            from_rebuf = push and rd > 0
            delta = [int(push) - int(pop) - int(unshift), int(unshift) - int(from_rebuf), int(push) - int(unshift)]
            rows.append(pos + val + delta)
    return torch.tensor(rows, dtype=torch.long)


_TABLES: Dict[Tuple[str, int], Any] = {}


class _Consts:
    """Index tensors of one width C on one device (built once, shared by all states)."""

    def __init__(self, C: int, dev: Any):
        T = C - 4
        t = lambda values: torch.tensor(values, dtype=torch.long, device=dev)  # noqa: E731
        self.top_src = t([BP, BP, DEPTH, DEPTH, DEPTH])
        self.top_base = t([BUF * C, BUF * C + 1, STACK * C + 2, STACK * C + 1, STACK * C])
        self.field_src = t([src for _, src in _FIELD_READS])
        self.field_base = t([field * C for field, _ in _FIELD_READS])
        self.start_base = START * C
        self.row = t([[1, 0, -1, T, C - 1, C - 4, C]])
        self.valid_plus, self.valid_minus = t(_VALID_PLUS), t(_VALID_MINUS)
        self.valid_hi, self.valid_w = t(_VALID_HI), t(_radix(_VALID_HI))
        self.apply_plus, self.apply_minus = t(_APPLY_PLUS), t(_APPLY_MINUS)
        self.apply_hi, self.apply_w = t(_APPLY_HI), t(_radix(_APPLY_HI))
        self.write_base = t([field * C + _WRITE_SHIFT.get(k, 0) for k, field in enumerate(_WRITES)])
        self.final_w = t([1, 0, -1, 1, 0])  # depth + length - bp: 0 when final
        self.valid_moves = _valid_table().to(dev)
        self.apply = _apply_table().to(dev)
        self.lo = torch.zeros(1, dtype=torch.long, device=dev)


def _consts(C: int, dev: Any) -> _Consts:
    key = (str(dev), C)
    if key not in _TABLES:
        if len(_TABLES) > 64:  # widths vary per batch: keep the cache small
            _TABLES.clear()
        _TABLES[key] = _Consts(C, dev)
    return _TABLES[key]
