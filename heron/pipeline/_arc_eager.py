"""The arc-eager transition system of the `parser` component (spaCy's ArcEager).

A parse state has a stack S, a buffer B (the unread tokens, preceded by any tokens put
back by REDUCE, see below) and the arcs built so far. Actions:

    SHIFT     push B0 onto the stack
    REDUCE    pop S0; if S0 has no head and S1 exists, put S0 back at the front of the
              buffer instead ("unshift", marking it unshiftable until it gets a child)
    LEFT-L    arc B0 -> S0 with label L (replacing S0's head if it had one), pop S0
    RIGHT-L   arc S0 -> B0 with label L, push B0
    BREAK     B1 starts a new sentence

This is the non-monotonic arc-eager system of Honnibal, Goldberg & Johnson (2013) with
Nivre & Fernandez-Gonzalez's (2014) unshift, as in spaCy; validity (spaCy's
preconditions):

    SHIFT   stack empty (and a buffer), or: >= 2 buffer tokens, B0 not a sentence start,
            B0 not unshiftable
    REDUCE  stack not empty, and: buffer empty, or not (one stack token and the left
            edge of B0's subtree must not start a sentence: popping the last stack
            token starts the next sentence there)
    LEFT/RIGHT  stack and buffer not empty, B0 not a sentence start
    BREAK   >= 2 buffer tokens, B1 = B0 + 1, B1 neither a sentence start nor forbidden to
            be one

A state is final when stack and buffer are empty. A sentence is closed only with an
empty stack, and REDUCE unshifts a headless S0 instead of popping it (unless it is the
only stack token), so every sentence ends with exactly one root: the trees are always
well-formed (one head per token, no cycles, one root per sentence). Preset sentence
starts of the input Doc (SENT_START 1 / -1, e.g. from a senter) are respected.

Action ids: 0 SHIFT, 1 REDUCE, 2 BREAK, then the labelled LEFT/RIGHT actions in the
order they were added ("L-nsubj", "R-obj", ...), so adding a label never moves an
existing id. "L-dep" and "R-dep" always exist: gold labels without an action of their
direction (rare ones dropped by min_action_freq) back off to "dep", as in spaCy. Sentence
roots get the label "ROOT" (spaCy's), whatever the treebank calls them.

`ParseStates` holds R states as tensors and advances them together: every step is a
fixed number of tensor ops whatever R, and O(1) work per state (gathers and scatters at
a few positions), so a long Doc costs linear time. Token positions use T (the padded
length) for "no token"; column T of every per-token tensor holds the neutral value and
column T+1 absorbs the writes of states that don't act. The training oracle is in
`_arc_eager_oracle.py`.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..errors import Errors, HeronValueError

SHIFT, REDUCE, LEFT, RIGHT, BREAK = range(5)
MOVE_NAMES = ("S", "D", "L", "R", "B")
N_FIXED = 3  # SHIFT, REDUCE, BREAK: the unlabelled actions, ids 0-2
BACKOFF = "dep"
ROOT = "ROOT"
_NOOP = 5  # the "move" of a state that doesn't act this step


class ArcEagerMoves:
    """Action ids, names and labels (see the module docstring)."""

    def __init__(self, labelled: Iterable[str] = ()):
        self.names: List[str] = ["S", "D", "B"]
        self._ids: Dict[str, int] = {name: i for i, name in enumerate(self.names)}
        self._tables: Dict[str, torch.Tensor] = {}
        for name in labelled:
            move, _, label = name.partition("-")
            self.add(move, label)
        self.add("L", BACKOFF)
        self.add("R", BACKOFF)

    @property
    def n_moves(self) -> int:
        return len(self.names)

    @property
    def labelled(self) -> List[str]:
        """The labelled actions' names in id order (what cfg.json stores)."""
        return self.names[N_FIXED:]

    @property
    def labels(self) -> List[str]:
        """The labels of the labelled actions, sorted (decorated ones included)."""
        return sorted({name[2:] for name in self.labelled})

    def add(self, move: str, label: str) -> bool:
        """Add the action `move`-`label` (move "L" or "R"); False if known already."""
        if move not in ("L", "R") or not isinstance(label, str) or not label or label.isspace():
            raise HeronValueError(Errors.E392.format(label=repr(f"{move}-{label}")))
        name = f"{move}-{label}"
        if name in self._ids:
            return False
        self._ids[name] = len(self.names)
        self.names.append(name)
        self._tables = {}
        return True

    def action_id(self, move: str, label: str) -> int:
        """The id of `move`-`label`, or of `move`-dep when that action doesn't exist."""
        return self._ids.get(f"{move}-{label}", self._ids[f"{move}-{BACKOFF}"])

    def label_of(self, action: int) -> str:
        """The dependency label an arc built by `action` gets."""
        return self.names[action][2:] if action >= N_FIXED else ROOT

    def move_table(self, device: Any = "cpu") -> torch.Tensor:
        """(nO,) long: the move type of every action id (cached per device)."""
        table = self._tables.get(str(device))
        if table is None:
            table = torch.tensor([SHIFT, REDUCE, BREAK] + [LEFT if n[0] == "L" else RIGHT
                                                           for n in self.labelled], dtype=torch.long)
            table = self._tables[str(device)] = table.to(device)
        return table


def _at(values: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """values (R, C) at one position per row: index (R,) -> (R,)."""
    return values.gather(1, index.unsqueeze(1)).squeeze(1)


# Per-token fields of a state, packed in one (R, N_FIELDS, T + 2) tensor so a step reads
# them with one gather and writes them with one scatter. STACK and REBUF are lists
# (index 0 holds "no token", items 1..depth), the others are indexed by token position.
# LEDGE is the left edge of a token's subtree (T: the token itself, no left child yet).
HEAD, ACTION, LKID, RKID, PREV_L, PREV_R, START, UNSHIFT, STACK, REBUF, LEDGE = range(11)
N_FIELDS = 11
_FILL = (None, -1, None, None, None, None, 0, 0, None, None, None)  # None: T ("no token")


class StepView:
    """What a step reads of every state: stack and buffer tokens and a few of their
    fields (T where a token is absent). Valid until the states change."""

    __slots__ = ("s0", "s1", "s2", "b0", "b1", "lkid_b0", "lkid_s0", "rkid_s0", "start_b0", "start_b1",
                 "unshift_b0", "head_s0", "prev_r_s0", "ledge_b0", "ledge_s0", "buflen")

    def __init__(self, states: "ParseStates"):
        T, d, rd = states.T, states.depth, states.rdepth
        lists = (torch.stack([d, d, d, rd, rd], 1) - states._list_shift).clamp(min=0)
        s0, s1, s2, r0, r1 = states.flat.gather(1, lists + states._list_base).unbind(1)
        b_i, n = states.b_i, states.n
        unread0 = torch.where(b_i < n, b_i, T)
        unread1 = torch.where(b_i + 1 < n, b_i + 1, T)
        b0 = torch.where(rd > 0, r0, unread0)
        b1 = torch.where(rd > 1, r1, torch.where(rd == 1, unread0, unread1))
        at = torch.stack([b0, s0, s0, b0, b1, b0, s0, s0, b0, s0], 1) + states._field_base  # (R, 10)
        (self.lkid_b0, self.lkid_s0, self.rkid_s0, self.start_b0, self.start_b1, self.unshift_b0,
         self.head_s0, self.prev_r_s0, ledge_b0, ledge_s0) = states.flat.gather(1, at).unbind(1)
        self.ledge_b0 = torch.where(ledge_b0 == T, b0, ledge_b0)
        self.ledge_s0 = torch.where(ledge_s0 == T, s0, ledge_s0)
        self.s0, self.s1, self.s2, self.b0, self.b1 = s0, s1, s2, b0, b1
        self.buflen = (n - b_i).clamp(min=0) + rd


class ParseStates:
    """R arc-eager states advancing in lockstep (see the module docstring).

    lengths (R,): each state's Doc length. T: padded length. starts (R, <=T) int8 or
    None: preset sentence starts (1 must start, -1 must not, 0 free). offsets (R,) or
    None: the first token of each state (segments of a long Doc start mid-Doc).
    `fields` (R, N_FIELDS, T + 2) holds the per-token fields (HEAD, ACTION, ...).
    """

    def __init__(self, lengths: torch.Tensor, T: int, *, starts: Optional[torch.Tensor] = None,
                 offsets: Optional[torch.Tensor] = None):
        dev = lengths.device
        R = len(lengths)
        fill = torch.tensor([T if v is None else v for v in _FILL], dtype=torch.long, device=dev)
        self.fields = fill.reshape(1, N_FIELDS, 1).repeat(R, 1, T + 2)
        if starts is not None:
            self.fields[:, START, :starts.shape[1]] = starts.long()
        self.n = lengths.long()
        self.depth = torch.zeros(R, dtype=torch.long, device=dev)
        self.rdepth = torch.zeros(R, dtype=torch.long, device=dev)
        self.b_i = torch.zeros(R, dtype=torch.long, device=dev) if offsets is None else offsets.long().clone()
        self._setup(T, dev)
        self.done = self.is_final()

    def _setup(self, T: int, dev: Any) -> None:
        self.T, self.C = T, T + 2
        self.none, self.dump = T, T + 1
        self.flat = self.fields.view(len(self.fields), -1)                                 # (R, F*C)
        C = self.C
        self._list_shift = torch.tensor([0, 1, 2, 0, 1], device=dev)
        self._list_base = torch.tensor([STACK * C] * 3 + [REBUF * C] * 2, device=dev)
        self._field_base = torch.tensor([LKID, LKID, RKID, START, START, UNSHIFT, HEAD, PREV_R, LEDGE, LEDGE],
                                        device=dev) * C
        self._write_base = torch.tensor([RKID, HEAD, ACTION, PREV_L, LKID, PREV_R, RKID, UNSHIFT, START,
                                         REBUF, STACK, LEDGE], device=dev) * C
        self._view: Optional[StepView] = None

    # ---- reading the state -------------------------------------------------------
    @property
    def heads(self) -> torch.Tensor:
        return self.fields[:, HEAD]

    @property
    def actions(self) -> torch.Tensor:
        return self.fields[:, ACTION]

    @property
    def lkid(self) -> torch.Tensor:
        return self.fields[:, LKID]

    @property
    def sent_starts(self) -> torch.Tensor:
        return self.fields[:, START]

    @property
    def unshiftable(self) -> torch.Tensor:
        return self.fields[:, UNSHIFT] != 0

    @property
    def stack(self) -> torch.Tensor:
        return self.fields[:, STACK]

    @property
    def rebuf(self) -> torch.Tensor:
        return self.fields[:, REBUF]

    def view(self) -> StepView:
        if self._view is None:
            self._view = StepView(self)
        return self._view

    def is_final(self) -> torch.Tensor:
        return (self.depth == 0) & (self.buffer_length() == 0)

    def buffer_length(self) -> torch.Tensor:
        return (self.n - self.b_i).clamp(min=0) + self.rdepth

    def stack_tokens(self) -> torch.Tensor:
        """(R, 3): S0, S1, S2 (T where absent)."""
        v = self.view()
        return torch.stack([v.s0, v.s1, v.s2], 1)

    def buffer_tokens(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """B0, B1 (T where absent): the put-back tokens first, then the unread ones."""
        v = self.view()
        return v.b0, v.b1

    def context(self, n_slots: int) -> torch.Tensor:
        """(R, n_slots) context token positions (see heron.nn.parser_model)."""
        v = self.view()
        if n_slots == 8:
            return torch.stack([v.b0, v.b1, v.s0, v.s1, v.s2, v.lkid_b0, v.lkid_s0, v.rkid_s0], 1)
        C = self.C
        s1_kids = self.flat.gather(1, torch.stack([LKID * C + v.s1, RKID * C + v.s1], 1))
        second = self.flat.gather(1, torch.stack([PREV_L * C + s1_kids[:, 0], PREV_R * C + v.rkid_s0,
                                                  PREV_R * C + s1_kids[:, 1]], 1))
        return torch.stack([v.b0, v.b1, v.s0, v.s1, v.s2, v.lkid_s0, v.rkid_s0, v.lkid_b0, second[:, 1],
                            s1_kids[:, 0], second[:, 0], s1_kids[:, 1], second[:, 2]], 1)

    def valid_moves(self) -> torch.Tensor:
        """(R, 5) bool: which move types are valid, per state (none for done states)."""
        v = self.view()
        buflen, depth = v.buflen, self.depth
        start0 = v.start_b0 == 1
        has_stack = depth > 0
        shift = torch.where(has_stack, (buflen >= 2) & ~start0 & (v.unshift_b0 == 0), buflen > 0)
        # spaCy's rule: popping the last stack token makes B0's subtree, from its left
        # edge, the next sentence, so that edge must be allowed to start one.
        start_edge = _at(self.sent_starts, v.ledge_b0)
        reduce = has_stack & ((buflen == 0) | (depth != 1) | (start_edge != -1))
        arc = has_stack & (buflen > 0) & ~start0
        brk = (buflen >= 2) & (v.b1 == v.b0 + 1) & (v.start_b1 == 0)
        return torch.stack([shift, reduce, arc, arc, brk], 1) & ~self.done.unsqueeze(1)

    def valid_actions(self, moves: ArcEagerMoves) -> torch.Tensor:
        """(R, nO) bool from the move types."""
        return self.valid_moves().index_select(1, moves.move_table(self.depth.device))

    # ---- changing the state ------------------------------------------------------
    def apply(self, actions: torch.Tensor, moves: ArcEagerMoves) -> None:
        """Take one action per state (ignored for done states); then mark final ones."""
        v = self.view()
        m = torch.where(self.done, _NOOP, moves.move_table(actions.device).index_select(0, actions.clamp(min=0)))
        d, rd, s0, b0 = self.depth, self.rdepth, v.s0, v.b0
        is_left, is_right = m == LEFT, m == RIGHT
        has_head = v.head_s0 != self.none
        pop = is_left | ((m == REDUCE) & (has_head | (d == 1)))
        unshift = (m == REDUCE) & ~pop
        push = (m == SHIFT) | is_right
        is_arc = is_left | is_right
        child = torch.where(is_left, s0, b0)
        # One write per row and field (T+1 = no write). A LEFT that replaces S0's head
        # (set by a RIGHT from S1, so S0 is S1's latest right child) gives S1 back its
        # previous right child; unshift marks S0 unshiftable, a LEFT makes B0 shiftable.
        # A LEFT child is left of B0's earlier ones, so its left edge becomes B0's.
        where = torch.stack([is_left & has_head, is_arc, is_arc, is_left, is_left, is_right, is_right,
                             unshift | is_left, m == BREAK, unshift, push, is_left], 1)
        pos = torch.stack([v.head_s0, child, child, s0, b0, b0, s0, torch.where(unshift, s0, b0), v.b1,
                           rd + 1, d + 1, b0], 1)
        value = torch.stack([v.prev_r_s0, torch.where(is_left, b0, s0), actions, v.lkid_b0, s0, v.rkid_s0,
                             b0, unshift.long(), torch.ones_like(b0), s0, b0, v.ledge_s0], 1)
        self.flat.scatter_(1, torch.where(where, pos, self.dump) + self._write_base, value)
        from_rebuf = push & (rd > 0)
        self.rdepth = rd + unshift.long() - from_rebuf.long()
        self.b_i = self.b_i + (push & ~from_rebuf).long()
        self.depth = d + push.long() - pop.long() - unshift.long()
        self._view = None
        self.done = self.done | self.is_final()

    def force_final(self, rows: torch.Tensor) -> None:
        """Stop `rows` (bool (R,)) where they are: their headless tokens become roots."""
        self.done = self.done | rows

    # ---- copies (training starts explored from states along the oracle's path) ----
    _ROW_FIELDS = ("fields", "n", "depth", "rdepth", "b_i", "done")

    def take(self, rows: torch.Tensor) -> "ParseStates":
        """A copy of the states `rows` (long (k,))."""
        return self._new({name: getattr(self, name).index_select(0, rows) for name in self._ROW_FIELDS})

    @staticmethod
    def concat(parts: Sequence["ParseStates"]) -> "ParseStates":
        return parts[0]._new({name: torch.cat([getattr(p, name) for p in parts], 0)
                              for name in ParseStates._ROW_FIELDS})

    def _new(self, values: Dict[str, torch.Tensor]) -> "ParseStates":
        new = ParseStates.__new__(ParseStates)
        for name, value in values.items():
            setattr(new, name, value.contiguous())
        new._setup(self.T, self.depth.device)
        return new

    def __len__(self) -> int:
        return len(self.n)


def final_heads(states: ParseStates, rows: Sequence[int], lengths: Sequence[int]
                ) -> List[Tuple[np.ndarray, np.ndarray]]:
    """(heads, arc actions) per state as numpy: absolute heads (a headless token is a
    root: its own head) and the action that built each token's arc (-1 for roots)."""
    heads = states.heads.to("cpu").numpy()
    actions = states.actions.to("cpu").numpy()
    out = []
    for row, n in zip(rows, lengths):
        h = heads[row, :n].copy()
        roots = h >= states.T
        h[roots] = np.flatnonzero(roots)
        a = actions[row, :n].copy()
        a[roots] = -1
        out.append((h, a))
    return out


__all__ = ["ArcEagerMoves", "ParseStates", "SHIFT", "REDUCE", "LEFT", "RIGHT", "BREAK", "MOVE_NAMES",
           "N_FIXED", "BACKOFF", "ROOT", "final_heads"]
