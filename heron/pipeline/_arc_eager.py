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
the last column absorbs the writes of states that don't act. Per-op overhead, not
arithmetic, is what a step costs, so a step is a few dozen ops: three gathers read what
it needs into one matrix, validity and the effect of an action are looked up in small
tables built once from the rules (indexed by a code of a few clamped numbers), and one
scatter writes. The training oracle is in `_arc_eager_oracle.py`.
"""
from __future__ import annotations

from typing import Any, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..errors import Errors, HeronValueError
from ._arc_eager_layout import (
    _FILL,
    _V_LEDGE_B0,
    _V_S0,
    _V_S2,
    _WRITES,
    ACTION,
    BP,
    BREAK,
    BUF,
    DEPTH,
    DONE,
    HEAD,
    LEDGE,
    LEFT,
    LEN,
    LKID,
    N_FIELDS,
    N_REGS,
    PREV_L,
    PREV_R,
    RDEPTH,
    REDUCE,
    RIGHT,
    RKID,
    SHIFT,
    STACK,
    START,
    UNSHIFT,
    _consts,
    state_width,
)

MOVE_NAMES = ("S", "D", "L", "R", "B")
N_FIXED = 3  # SHIFT, REDUCE, BREAK: the unlabelled actions, ids 0-2
BACKOFF = "dep"
ROOT = "ROOT"


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

    def apply_base(self, device: Any = "cpu") -> torch.Tensor:
        """(nO,) long: each action's first row in the states' apply table (move * 24)."""
        key = f"apply {device}"
        if key not in self._tables:
            self._tables[key] = self.move_table(device) * 24
        return self._tables[key]

    def valid_table(self, valid_moves: torch.Tensor) -> torch.Tensor:
        """(n codes, nO) bool: the states' validity table of move types per action."""
        key = f"valid {valid_moves.device}"
        if key not in self._tables:
            self._tables[key] = valid_moves.index_select(1, self.move_table(valid_moves.device))
        return self._tables[key]


def _at(values: torch.Tensor, index: torch.Tensor) -> torch.Tensor:
    """values (R, C) at one position per row: index (R,) -> (R,)."""
    return values.gather(1, index.unsqueeze(1)).squeeze(1)


class StepView:
    """What a step reads of every state: `vw` (R, 15) long, the stack and buffer tokens
    and a few of their fields (_V_* columns; T where a token is absent). Valid until the
    states change."""

    __slots__ = ("vw", "_valid_code")

    def __init__(self, states: "ParseStates"):
        c = states._c
        top = states.flat.gather(1, states.reg.index_select(1, c.top_src) + c.top_base)   # B0 B1 S0 S1 S2
        fields = states.flat.gather(1, top.index_select(1, c.field_src) + c.field_base)
        self.vw = torch.cat([top, fields], 1)
        self._valid_code: Optional[torch.Tensor] = None

    def __getattr__(self, name: str) -> torch.Tensor:  # v.s0, v.lkid_b0, ... (column views)
        col = _VIEW_NAMES.get(name)
        if col is None:
            raise AttributeError(name)
        return self.vw[:, col]


_VIEW_NAMES = {name: i for i, name in enumerate(
    ("b0", "b1", "s0", "s1", "s2", "lkid_b0", "lkid_s0", "rkid_s0", "start_b0", "start_b1", "unshift_b0",
     "head_s0", "prev_r_s0", "ledge_b0", "ledge_s0"))}


class ParseStates:
    """R arc-eager states advancing in lockstep (see the module docstring).

    lengths (R,): each state's Doc length. T: padded length. starts (R, <=T) int8 or
    None: preset sentence starts (1 must start, -1 must not, 0 free). offsets (R,) or
    None: the first token of each state (segments of a long Doc start mid-Doc).
    `fields` (R, N_FIELDS, C) holds the per-token fields (HEAD, ACTION, ...), `reg`
    (R, N_REGS) the registers (DEPTH, RDEPTH, BP, LEN, DONE).
    """

    def __init__(self, lengths: torch.Tensor, T: int, *, starts: Optional[torch.Tensor] = None,
                 offsets: Optional[torch.Tensor] = None):
        dev = lengths.device
        R, C = len(lengths), state_width(T)
        pos = torch.arange(C, dtype=torch.long, device=dev)
        fill = torch.tensor([T if v is None else (0 if v == "pos" else v) for v in _FILL], dtype=torch.long,
                            device=dev)
        fields = fill.reshape(1, N_FIELDS, 1).repeat(R, 1, C)
        fields[:, LEDGE] = pos.clamp(max=T)
        fields[:, BUF] = torch.where(pos < lengths.long().unsqueeze(1), pos, T)
        if starts is not None:
            fields[:, START, :starts.shape[1]] = starts.long()
        self.fields = fields
        self.reg = torch.zeros((R, N_REGS), dtype=torch.long, device=dev)
        self.reg[:, LEN] = lengths.long()
        if offsets is not None:
            self.reg[:, BP] = offsets.long()
        self._setup(T, dev)
        self.reg[:, DONE] = self.is_final().long()

    def _setup(self, T: int, dev: Any) -> None:
        self.T, self.C = T, state_width(T)
        self.none, self.dump = T, self.C - 1
        self.flat = self.fields.view(len(self.fields), -1)                                 # (R, F*C)
        self._c = _consts(self.C, dev)
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
    def depth(self) -> torch.Tensor:
        return self.reg[:, DEPTH]

    @property
    def rdepth(self) -> torch.Tensor:
        """How many tokens REDUCE put back at the front of the buffer."""
        return self.reg[:, RDEPTH]

    @property
    def n(self) -> torch.Tensor:
        return self.reg[:, LEN]

    @property
    def b_i(self) -> torch.Tensor:
        """The first unread token (the put-back ones come before it in the buffer)."""
        return self.reg[:, BP] + self.reg[:, RDEPTH]

    @property
    def done(self) -> torch.Tensor:
        return self.reg[:, DONE] != 0

    def stack_members(self) -> torch.Tensor:
        """(R, C) bool: the tokens on the stack."""
        slots = torch.arange(self.C, device=self.reg.device)
        keep = (slots >= 3) & (slots < self.depth.unsqueeze(1) + 3)
        return self._members(self.fields[:, STACK], keep)

    def putback_members(self) -> torch.Tensor:
        """(R, C) bool: the tokens REDUCE put back into the buffer."""
        slots = torch.arange(self.C, device=self.reg.device)
        bp = self.reg[:, BP].unsqueeze(1)
        return self._members(self.fields[:, BUF], (slots >= bp) & (slots < bp + self.rdepth.unsqueeze(1)))

    def _members(self, items: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
        index = torch.where(keep, items, self.dump)
        return torch.zeros_like(items, dtype=torch.bool).scatter_(1, index, True)

    def view(self) -> StepView:
        if self._view is None:
            self._view = StepView(self)
        return self._view

    def is_final(self) -> torch.Tensor:
        return (self.reg * self._c.final_w).sum(1) == 0

    def buffer_length(self) -> torch.Tensor:
        return self.reg[:, LEN] - self.reg[:, BP]

    def stack_tokens(self) -> torch.Tensor:
        """(R, 3): S0, S1, S2 (T where absent)."""
        return self.view().vw[:, _V_S0:_V_S2 + 1]

    def buffer_tokens(self) -> Tuple[torch.Tensor, torch.Tensor]:
        """B0, B1 (T where absent): the put-back tokens first, then the unread ones."""
        v = self.view()
        return v.b0, v.b1

    def context(self, n_slots: int) -> torch.Tensor:
        """(R, n_slots) context token positions (see heron.nn.parser_model)."""
        v = self.view()
        if n_slots == 8:  # B0, B1, S0, S1, S2, B0L1, S0L1, S0R1: the view's first columns
            return v.vw[:, :8]
        C = self.C
        s1_kids = self.flat.gather(1, torch.stack([LKID * C + v.s1, RKID * C + v.s1], 1))
        second = self.flat.gather(1, torch.stack([PREV_L * C + s1_kids[:, 0], PREV_R * C + v.rkid_s0,
                                                  PREV_R * C + s1_kids[:, 1]], 1))
        return torch.stack([v.b0, v.b1, v.s0, v.s1, v.s2, v.lkid_s0, v.rkid_s0, v.lkid_b0, second[:, 1],
                            s1_kids[:, 0], second[:, 0], s1_kids[:, 1], second[:, 2]], 1)

    def _valid_code(self) -> torch.Tensor:
        """(R,) the row of each state in the validity tables (see _VALID_PLUS)."""
        v, c = self.view(), self._c
        if v._valid_code is None:
            start_edge = self.flat.gather(1, v.vw[:, _V_LEDGE_B0:_V_LEDGE_B0 + 1] + c.start_base)
            X = torch.cat([v.vw, self.reg, c.row.expand(len(self.reg), -1), start_edge], 1)
            numbers = (X.index_select(1, c.valid_plus) - X.index_select(1, c.valid_minus)).clamp(c.lo, c.valid_hi)
            v._valid_code = (numbers * c.valid_w).sum(1)
        return v._valid_code

    def valid_moves(self) -> torch.Tensor:
        """(R, 5) bool: which move types are valid, per state (none for done states)."""
        return self._c.valid_moves.index_select(0, self._valid_code())

    def valid_actions(self, moves: ArcEagerMoves) -> torch.Tensor:
        """(R, nO) bool from the move types."""
        return moves.valid_table(self._c.valid_moves).index_select(0, self._valid_code())

    # ---- changing the state ------------------------------------------------------
    def apply(self, actions: torch.Tensor, moves: ArcEagerMoves) -> None:
        """Take one action per state (ignored for done states); then mark final ones.

        The action's move and the state's case pick a row of the apply table: which
        columns of the step matrix are the positions and values of the 12 writes (a
        write that doesn't happen goes to the dump column) and how the registers change.
        """
        v, c = self.view(), self._c
        X = torch.cat([v.vw, self.reg, c.row.expand(len(self.reg), -1), actions.unsqueeze(1)], 1)
        case = ((X.index_select(1, c.apply_plus) - X.index_select(1, c.apply_minus)).clamp(c.lo, c.apply_hi)
                * c.apply_w).sum(1)
        rule = c.apply.index_select(0, moves.apply_base(actions.device).index_select(0, actions.clamp(min=0)) + case)
        n_writes = len(_WRITES)
        pos = X.gather(1, rule[:, :n_writes])
        value = X.gather(1, rule[:, n_writes:2 * n_writes])
        self.flat.scatter_(1, pos + c.write_base, value)
        reg = self.reg.clone()
        reg[:, :BP + 1] += rule[:, 2 * n_writes:]
        reg[:, DONE] |= ((reg * c.final_w).sum(1) == 0).long()
        self.reg = reg
        self._view = None

    def force_final(self, rows: torch.Tensor) -> None:
        """Stop `rows` (bool (R,)) where they are: their headless tokens become roots."""
        self.reg = self.reg.clone()
        self.reg[:, DONE] |= rows.long()
        self._view = None

    # ---- copies (training starts explored from states along the oracle's path) ----
    _ROW_FIELDS = ("fields", "reg")

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
        new._setup(self.T, self.reg.device)
        return new

    def __len__(self) -> int:
        return len(self.reg)


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
