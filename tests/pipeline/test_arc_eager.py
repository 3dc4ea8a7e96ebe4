"""The arc-eager transition system (heron/pipeline/_arc_eager.py) on its own: any sequence
of valid actions ends in a well-formed forest of projective trees, a state that isn't
final always has a valid action, preset sentence starts are kept, and the step count is
bounded by max_steps (linear in the length)."""
from __future__ import annotations

from typing import List, Optional

import numpy as np
import pytest
import torch
from hypothesis import example, given, settings
from hypothesis import strategies as st

from heron.errors import HeronValueError
from heron.pipeline._arc_eager import ArcEagerMoves, ParseStates, final_heads
from heron.pipeline._nonproj import is_nonproj_tree
from heron.pipeline._parser_steps import max_steps

MOVES = ArcEagerMoves(["L-nsubj", "R-obj", "R-punct", "L-det"])


def test_action_ids_names_and_backoff():
    assert MOVES.names[:3] == ["S", "D", "B"]
    assert MOVES.labelled == ["L-nsubj", "R-obj", "R-punct", "L-det", "L-dep", "R-dep"]
    assert MOVES.action_id("L", "nsubj") == 3
    # A label without an action of that direction backs off to "dep".
    assert MOVES.action_id("R", "nsubj") == MOVES.names.index("R-dep")
    assert MOVES.label_of(MOVES.action_id("R", "obj")) == "obj"
    assert MOVES.label_of(-1) == "ROOT"
    moves = ArcEagerMoves(MOVES.labelled)
    assert moves.add("R", "amod") and not moves.add("R", "amod")
    assert moves.names[:-1] == MOVES.names  # adding a label never moves an existing id
    for bad in (("X", "nsubj"), ("L", ""), ("R", " ")):
        with pytest.raises(HeronValueError, match="E392"):
            moves.add(*bad)


def random_parse(lengths: List[int], presets: Optional[np.ndarray], seed: int):
    """Parse with uniformly random valid actions; returns (states, steps taken)."""
    gen = torch.Generator().manual_seed(seed)
    T = max(lengths)
    starts = None if presets is None else torch.from_numpy(presets)
    states = ParseStates(torch.tensor(lengths), T, starts=starts)
    steps = 0
    while not bool(states.done.all()):
        valid = states.valid_actions(MOVES)
        stuck = ~states.done & ~valid.any(1)
        assert not bool(stuck.any()), "a state that isn't final has no valid action"
        scores = torch.rand(valid.shape, generator=gen).masked_fill(~valid, -1.0)
        states.apply(scores.argmax(1), MOVES)
        steps += 1
        assert steps <= max_steps(T)
    return states, steps


def check_forest(heads: np.ndarray, preset: Optional[np.ndarray]) -> None:
    """Roots' subtrees are contiguous spans covering the tokens (the sentences), with no
    cycles, projective arcs, and preset starts (1 / -1) kept."""
    n = len(heads)
    root_of = []
    for i in range(n):
        node, steps = i, 0
        while heads[node] != node:
            node, steps = int(heads[node]), steps + 1
            assert steps <= n, ("cycle", heads.tolist())
        root_of.append(node)
    starts = [i for i in range(n) if i == 0 or root_of[i] != root_of[i - 1]]
    assert len(starts) == len(set(root_of)), ("a sentence is split", heads.tolist())
    assert not is_nonproj_tree([int(h) for h in heads])
    if preset is not None:
        for i in range(1, n):
            if preset[i] == 1:
                assert i in starts, (i, heads.tolist())
            if preset[i] == -1:
                assert i not in starts, (i, heads.tolist())


docs_strategy = st.lists(st.integers(1, 40), min_size=1, max_size=5)


@settings(max_examples=40, deadline=None)
@example(lengths=[1, 1, 36], seed=1013, preset_rate=0.1)  # found the REDUCE bug below
@given(lengths=docs_strategy, seed=st.integers(0, 2**31 - 1), preset_rate=st.sampled_from([0.0, 0.1, 0.4]))
def test_random_valid_actions_build_well_formed_trees(lengths, seed, preset_rate):
    rng = np.random.default_rng(seed)
    T = max(lengths)
    presets = None
    if preset_rate:
        presets = np.where(rng.random((len(lengths), T)) < preset_rate,
                           rng.choice([-1, 1], size=(len(lengths), T)), 0).astype(np.int8)
        presets[:, 0] = 0
    states, steps = random_parse(lengths, presets, seed)
    assert steps <= max_steps(T)
    for b, (heads, actions) in enumerate(final_heads(states, range(len(lengths)), lengths)):
        assert len(heads) == lengths[b]
        assert ((actions >= 0) == (heads != np.arange(lengths[b]))).all()
        check_forest(heads, None if presets is None else presets[b, :lengths[b]])


def test_reduce_keeps_a_preset_non_start_at_the_left_edge_of_b0():
    """Popping the last stack token starts a sentence at the LEFT EDGE of B0's subtree
    (spaCy's rule), so REDUCE is invalid when that edge must not start one. It used to
    check B0 itself: S, R(0->1), L(2->1, replacing 1's head) left stack [0] and B0 = 2
    whose subtree starts at 1, preset "not a start", and REDUCE then split 0 | 1 2."""
    names = MOVES.names
    states = ParseStates(torch.tensor([4]), 4, starts=torch.tensor([[0, -1, 0, 0]], dtype=torch.int8))
    for name in ("S", "R-obj", "L-nsubj"):
        assert bool(states.valid_actions(MOVES)[0, names.index(name)]), name
        states.apply(torch.tensor([names.index(name)]), MOVES)
    assert states.stack_tokens()[0, 0] == 0 and states.buffer_tokens()[0][0] == 2
    valid = states.valid_actions(MOVES)[0]
    assert not bool(valid[names.index("D")])
    assert bool(valid[names.index("L-nsubj")]) and bool(valid[names.index("R-obj")])


def test_steps_are_linear_in_length():
    """The transitions of a state are bounded by max_steps = 6n + 8, whatever it chooses."""
    for n in (10, 100, 400):
        _, steps = random_parse([n], None, seed=n)
        assert steps <= max_steps(n) == 6 * n + 8


def test_take_and_concat_copy_states():
    states, _ = random_parse([5, 7], None, seed=1)
    both = ParseStates.concat([states.take(torch.tensor([1])), states.take(torch.tensor([0]))])
    assert torch.equal(both.heads[0], states.heads[1]) and torch.equal(both.heads[1], states.heads[0])
    assert len(both) == 2 and bool(both.done.all())
