"""The BILUO transition system of the `ner` component.

The entity recognizer reads a Doc left to right and takes exactly one action per
token, so for every Doc step t processes token t and all Docs of a batch advance in
lockstep (decoding is a loop over positions, vectorised across Docs). Actions:

    O        the token is outside any entity
    B-L      the token begins an entity of label L (which continues)
    I-L      the token is inside the open entity of label L
    L-L      the token is the last token of the open entity of label L
    U-L      the token is a single-token entity of label L

Action ids: 0 = O, then four per label in label order: B=1+4k, I=2+4k, L=3+4k,
U=4+4k. Adding a label appends four actions, so the ids of existing actions (and the
rows of a trained output layer) never move.

The state before token t is "outside" (state 0) or "inside an entity of label k"
(state 1+k), plus E0, the first token of the open entity. Validity:

- outside: O, B-X, U-X for every label X;
- inside label k: only I-k and L-k;
- at the last token of a Doc, B-X and I-X are invalid (an entity must close).

Gold oracle (`gold_oracle`) for teacher forcing: the gold action of token t is its
aligned BILUO tag; the gold state before t follows from that tag alone (I-k/L-k mean
"inside k", O/B/U mean "outside"), so every token's state is known without replaying
the sequence and the loss is one batched tensor expression. "O" is a real negative.
Tokens whose tag is missing (None, "-", ""), whose label the model does not know, or
whose tag is inconsistent with its known neighbours (an I-PER right after an O, a B-X
on the last token, ...) have no gold action. Missing never means "O": such a token
is trained only to keep the NEXT token's known tag possible (after L-PER and before
O, any of O/U-X is fine and only B-X is penalised); its state comes from the previous
tag. In a run of two or more missing tokens none is trained (the first one's next
tag and the others' states are unknown).
With partial annotation E0 is a best guess: the nearest B-k before the token if only
I-k or missing tags lie between; if a missing token lies between the token and the
last definite boundary (O, L-, U-), E0 is the first token after that boundary.

Out of scope for now (spaCy has them): preset entities (tokens already labelled on the
input Doc constrain the actions) and blocked tokens (`doc.set_ents(blocked=...)`).
Predictions replace `doc.ents` entirely, as spaCy's `ner` does.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch

from ..errors import Errors, HeronValueError

MOVE_PREFIXES = ("B", "I", "L", "U")
_MISSING = (None, "", "-")
# Kind of an action id >= 1: (id - 1) % 4.
BEGIN, IN, LAST, UNIT = 0, 1, 2, 3


@dataclass
class TransitionTables:
    """The transition system as tensors, for batched decoding in `heron.nn.transition`.

    valid (2, S, nO) bool: valid[is_last, state, action]; S = 1 + number of labels.
    next_state (nO,) long: state after taking each action.
    opens (nO,) bool: the action starts an entity (E0 becomes the current token).
    keeps (nO,) bool: the action continues the open entity (E0 unchanged).
    reaches (S, nO) bool: reaches[s, a] is True when action a leads to state s.
    """

    valid: torch.Tensor
    next_state: torch.Tensor
    opens: torch.Tensor
    keeps: torch.Tensor
    reaches: torch.Tensor


class BiluoMoves:
    """Action ids, names and validity for a list of entity labels (see module doc)."""

    def __init__(self, labels: Iterable[str] = ()):
        self.labels: List[str] = []
        self._tag_ids: Dict[str, int] = {"O": 0}
        self._tables: Optional[TransitionTables] = None
        for label in labels:
            self.add_label(label)

    @property
    def n_moves(self) -> int:
        return 1 + 4 * len(self.labels)

    @property
    def move_names(self) -> List[str]:
        """Action names by id: ["O", "B-PER", "I-PER", "L-PER", "U-PER", ...]."""
        return ["O"] + [f"{p}-{label}" for label in self.labels for p in MOVE_PREFIXES]

    def add_label(self, label: str) -> bool:
        """Add `label` (four new actions at the end); False if it was known already."""
        if not isinstance(label, str) or not label or label in _MISSING or label == "O":
            raise HeronValueError(Errors.E385.format(label=repr(label)))
        if label in self.labels:
            return False
        k = len(self.labels)
        self.labels.append(label)
        for j, prefix in enumerate(MOVE_PREFIXES):
            self._tag_ids[f"{prefix}-{label}"] = 1 + 4 * k + j
        self._tables = None
        return True

    def action_ids(self, tags: Sequence[Optional[str]]) -> np.ndarray:
        """Action id per BILUO tag; -1 for missing tags and labels the moves don't know."""
        get = self._tag_ids.get
        return np.fromiter((get(t, -1) if t is not None else -1 for t in tags),
                           dtype=np.int64, count=len(tags))

    def tables(self) -> TransitionTables:
        """Validity and transition tables (cached until the next add_label)."""
        if self._tables is None:
            self._tables = _make_tables(len(self.labels))
        return self._tables


def _make_tables(n_labels: int) -> TransitionTables:
    n_moves, n_states = 1 + 4 * n_labels, 1 + n_labels
    ids = torch.arange(1, n_moves)
    kind, label = (ids - 1) % 4, (ids - 1) // 4
    valid = torch.zeros(2, n_states, n_moves, dtype=torch.bool)
    valid[:, 0, 0] = True                                      # O from outside
    valid[0, 0, ids[kind == BEGIN]] = True                     # B only before the last token
    valid[:, 0, ids[kind == UNIT]] = True
    for k in range(n_labels):                                  # inside k: I-k (not last), L-k
        valid[0, 1 + k, 2 + 4 * k] = True
        valid[:, 1 + k, 3 + 4 * k] = True
    next_state = torch.zeros(n_moves, dtype=torch.long)
    continues = (kind == BEGIN) | (kind == IN)
    next_state[ids[continues]] = 1 + label[continues]
    opens = torch.zeros(n_moves, dtype=torch.bool)
    opens[ids[kind == BEGIN]] = True
    keeps = torch.zeros(n_moves, dtype=torch.bool)
    keeps[ids[kind == IN]] = True
    reaches = next_state.unsqueeze(0) == torch.arange(n_states).unsqueeze(1)
    return TransitionTables(valid, next_state, opens, keeps, reaches)


def gold_oracle(actions: np.ndarray) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Teacher-forcing targets for one Doc from its gold action ids (-1 = missing).

    Returns (gold, states, e0, need), each (n,) int64:
    gold: the gold action per token; -1 where it is missing or inconsistent with
        the known tags around it (then the token is not trained on its own tag).
    states: the gold state before each token (0 outside, 1+k inside label k).
    e0: the first token of the open entity in that state; -1 when outside.
    need: for a token without gold, the state its action must lead to so that the
        next token's known tag stays possible (0 = outside, 1+k = inside k), or -1
        when nothing is known (next tag missing, or this token's state unknown).
    Vectorised with numpy; see the module doc for the best guesses under missing
    annotation.
    """
    a = np.asarray(actions, dtype=np.int64).copy()
    n = len(a)
    if not n:
        empty = np.zeros(0, dtype=np.int64)
        return a, empty, empty.copy(), empty.copy()
    idx = np.arange(n)
    kind = np.where(a > 0, (a - 1) % 4, -1)
    label = np.where(a > 0, (a - 1) // 4, -1)
    inside = (kind == IN) | (kind == LAST)
    # Last definite boundary strictly before each token: O, B, L or U.
    boundary = np.where((a == 0) | (kind == BEGIN) | (kind == LAST) | (kind == UNIT), idx, -1)
    prev = np.concatenate([[-1], np.maximum.accumulate(boundary)[:-1]])
    prev_is_b = (prev >= 0) & (kind[np.maximum(prev, 0)] == BEGIN)
    e0 = np.where(prev_is_b, prev, prev + 1)
    # An I/L is consistent only if the entity can start before it with the same label.
    wrong_label = prev_is_b & (label[np.maximum(prev, 0)] != label)
    bad = inside & ((e0 > idx - 1) | wrong_label)
    bad[-1] |= kind[-1] in (BEGIN, IN)  # an entity must close at the last token
    a[bad], kind[bad], label[bad] = -1, -1, -1
    inside &= ~bad
    states = np.where(inside, label + 1, 0)
    e0 = np.where(inside, e0, -1)
    return (a,) + _missing_states(a, kind, label, states, e0)


def _missing_states(a, kind, label, states, e0) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """States of tokens without gold (from the previous tag) and what they must lead to."""
    n = len(a)
    missing = a < 0
    # State before a missing token: the doc start and O/L/U -> outside; B-k/I-k -> inside k.
    pk = np.concatenate([[-1], kind[:-1]])
    pl = np.concatenate([[-1], label[:-1]])
    p_e0 = np.concatenate([[-1], e0[:-1]])
    opens = (pk == BEGIN) | (pk == IN)
    known_prev = np.concatenate([[True], a[:-1] >= 0])
    m_state = np.where(opens, pl + 1, 0)
    m_e0 = np.where(pk == BEGIN, np.arange(n) - 1, np.where(pk == IN, p_e0, -1))
    states = np.where(missing & known_prev, m_state, states)
    e0 = np.where(missing & known_prev, m_e0, e0)
    # What the next token's known tag needs: I-k/L-k -> inside k; O/B/U or the end -> outside.
    nk = np.concatenate([kind[1:], [UNIT]])
    nl = np.concatenate([label[1:], [-1]])
    known_next = np.concatenate([a[1:] >= 0, [True]])
    need = np.where((nk == IN) | (nk == LAST), nl + 1, 0)
    need = np.where(missing & known_prev & known_next, need, -1)
    return states.astype(np.int64), e0.astype(np.int64), need.astype(np.int64)


def actions_to_spans(actions: np.ndarray, labels: Sequence[str]) -> List[Tuple[str, int, int]]:
    """(label, start, end) entity spans of one Doc from a valid action sequence."""
    a = np.asarray(actions, dtype=np.int64)
    kind = np.where(a > 0, (a - 1) % 4, -1)
    starts = np.flatnonzero((kind == BEGIN) | (kind == UNIT))
    ends = np.flatnonzero((kind == LAST) | (kind == UNIT)) + 1
    # Valid sequences alternate start/end; zip pairs them in order.
    return [(labels[(int(a[s]) - 1) // 4], int(s), int(e)) for s, e in zip(starts, ends)]


__all__ = ["BiluoMoves", "TransitionTables", "gold_oracle", "actions_to_spans"]
