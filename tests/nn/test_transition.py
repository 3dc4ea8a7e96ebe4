"""TransitionBasedParser: precomputed lower layer, padding, decoding, resizing, config errors."""
from __future__ import annotations

import pytest
import torch
from torch import nn

from heron.errors import HeronValueError
from heron.nn.transition import TransitionBasedParser, transition_based_parser
from heron.pipeline._biluo import BiluoMoves

W = 8


class FakeTok2Vec(nn.Module):
    """Stands in for a listener: the model only needs `.width`."""

    width = W


def make(n_slots=3, use_upper=True, pieces=2, nO=9, seed=0):
    torch.manual_seed(seed)
    model = TransitionBasedParser(FakeTok2Vec(), n_slots=n_slots, hidden_width=6,
                                  maxout_pieces=pieces, use_upper=use_upper, nO=nO)
    if model.upper is not None:  # zero-initialised: randomise so scores differ
        nn.init.normal_(model.upper.weight)
        nn.init.normal_(model.upper.bias)
    return model


def naive_scores(model, X, length, e0):
    """Reference: one state at a time, concatenating slot vectors explicitly."""
    x = model.proj(X[:length])                                        # (n, H)
    F, P = model.n_slots, model.maxout_pieces
    out = []
    for t in range(length):
        e = int(e0[t])
        pos = {0: t, 1: e if e >= 0 else None, 2: t - 1 if t >= 1 else None,
               3: t + 1 if t + 1 < length else None, 4: t + 2 if t + 2 < length else None,
               5: e - 1 if e >= 1 else None}
        h = model.lower_b.clone()
        for f in range(F):
            if pos[f] is None:
                h = h + model.lower_pad[f]
            else:
                h = h + torch.einsum("ipo,i->po", model.lower_W[f], x[pos[f]])
        h = torch.relu(h[0]) if P == 1 else h.max(dim=0).values  # (P, n_out) -> (n_out,)
        out.append(model.upper(h) if model.upper is not None else h)
    return torch.stack(out)


@pytest.mark.parametrize("n_slots,use_upper,pieces", [(3, True, 2), (6, True, 3), (6, False, 2),
                                                      (3, True, 1)])
def test_precomputed_scores_equal_naive_computation(n_slots, use_upper, pieces):
    model = make(n_slots, use_upper, pieces)
    X = torch.randn(2, 5, W)
    lengths = torch.tensor([5, 3])
    e0 = torch.tensor([[-1, 0, 0, -1, 3], [-1, -1, 1, -1, -1]])
    scores = model(X, lengths, e0)
    assert scores.shape == (2, 5, 9)
    for b in range(2):
        n = int(lengths[b])
        expected = naive_scores(model, X[b], n, e0[b])
        assert torch.allclose(scores[b, :n], expected, atol=1e-5)


def test_padding_never_leaks_into_a_docs_scores():
    model = make(6)
    X = torch.randn(1, 4, W)
    e0 = torch.tensor([[-1, 0, 0, -1]])
    alone = model(X, torch.tensor([4]), e0)
    padded = torch.cat([X, torch.randn(1, 3, W) * 100], dim=1)
    with_pad = model(padded, torch.tensor([4]), torch.cat([e0, torch.tensor([[-1, 5, -1]])], 1))
    assert torch.allclose(alone, with_pad[:, :4], atol=1e-5)


def test_gradient_reaches_token_vectors_and_all_parameters():
    model = make(6)
    X = torch.randn(2, 5, W, requires_grad=True)
    scores = model(X, torch.tensor([5, 4]), torch.tensor([[-1, 0, 0, -1, 3]] * 2))
    scores.sum().backward()
    assert X.grad is not None and X.grad.abs().sum() > 0
    for name, param in model.named_parameters():
        assert param.grad is not None and param.grad.abs().sum() > 0, name


def test_greedy_decode_is_valid_and_batch_invariant():
    moves = BiluoMoves(["PER", "ORG"])
    tables = moves.tables()
    model = make(6, nO=moves.n_moves, seed=3)
    torch.manual_seed(1)
    lengths = torch.tensor([7, 1, 4, 6])
    X = torch.randn(4, 7, W) * 3
    batched = model.greedy_decode(X, lengths, tables)
    for b in range(4):
        n = int(lengths[b])
        alone = model.greedy_decode(X[b:b + 1, :n], lengths[b:b + 1], tables)
        assert torch.equal(alone[0], batched[b, :n])
        assert (batched[b, n:] == -1).all()
        state = 0
        for t in range(n):
            a = int(batched[b, t])
            assert tables.valid[int(t == n - 1), state, a]
            state = int(tables.next_state[a])
        assert state == 0  # every entity is closed at the end of the Doc


def test_decode_scores_match_teacher_forced_scores_on_its_own_path():
    """The decoder's state bookkeeping (E0) agrees with the training forward pass."""
    moves = BiluoMoves(["PER"])
    tables = moves.tables()
    model = make(6, nO=moves.n_moves, seed=5)
    X = torch.randn(1, 6, W) * 3
    lengths = torch.tensor([6])
    actions = model.greedy_decode(X, lengths, tables)[0]
    e0, open_at = [], -1
    for t, a in enumerate(actions.tolist()):
        e0.append(open_at)
        open_at = t if tables.opens[a] else (open_at if tables.keeps[a] else -1)
    scores = model(X, lengths, torch.tensor([e0]))[0]
    masked = scores.clone()
    for t in range(6):
        state = int(tables.next_state[actions[t - 1]]) if t else 0
        masked[t][~tables.valid[int(t == 5), state]] = float("-inf")
    assert torch.equal(masked.argmax(-1), actions)


@pytest.mark.parametrize("use_upper", [True, False])
def test_resize_output_keeps_existing_rows(use_upper):
    model = make(3, use_upper=use_upper, nO=5)
    X = torch.randn(1, 4, W)
    args = (X, torch.tensor([4]), torch.tensor([[-1, 0, -1, -1]]))
    before = model(*args).detach()
    model.resize_output(9)
    after = model(*args).detach()
    assert after.shape[-1] == 9
    assert torch.allclose(before, after[..., :5], atol=1e-6)


def test_registered_function_arguments_and_errors():
    tok2vec = FakeTok2Vec()
    model = transition_based_parser(tok2vec=tok2vec, nr_feature_tokens=6)
    assert model.n_slots == 6 and model.nO is None and model.tok2vec is tok2vec
    assert transition_based_parser(tok2vec=tok2vec, extra_state_tokens=True).n_slots == 6
    parser_model = transition_based_parser(tok2vec=tok2vec, state_type="parser")
    assert parser_model.state_type == "parser" and parser_model.n_slots == 8
    assert transition_based_parser(tok2vec=tok2vec, state_type="parser", extra_state_tokens=True).n_slots == 13
    with pytest.raises(HeronValueError, match="E390"):
        transition_based_parser(tok2vec=tok2vec, state_type="parser", nr_feature_tokens=6)
    with pytest.raises(HeronValueError, match="E381"):
        transition_based_parser(tok2vec=tok2vec, state_type="tagger")
    with pytest.raises(HeronValueError, match="E382"):
        transition_based_parser(tok2vec=tok2vec, nr_feature_tokens=3, extra_state_tokens=True)
    with pytest.raises(HeronValueError, match="E382"):
        transition_based_parser(tok2vec=tok2vec, nr_feature_tokens=8)
    with pytest.raises(HeronValueError, match="E384"):
        transition_based_parser(tok2vec=tok2vec, hidden_width=0)
    with pytest.raises(HeronValueError, match="E383"):
        transition_based_parser(tok2vec=nn.Identity())
    with pytest.raises(HeronValueError, match="E386"):
        model(torch.randn(1, 2, W), torch.tensor([2]), torch.tensor([[-1, -1]]))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cpu_decode_makes_the_tensor_loops_decisions(seed, monkeypatch):
    """The numpy step loop (CPU) and the tensor loop (GPU) decode the same actions."""
    moves = BiluoMoves(["PER", "ORG", "LOC"])
    tables = moves.tables()
    model = make(6, nO=moves.n_moves, seed=seed)
    torch.manual_seed(seed)
    lengths = torch.tensor([40, 3, 25, 1, 33])
    X = torch.randn(5, 40, W) * 3
    fast = model.greedy_decode(X, lengths, tables)
    monkeypatch.setattr(type(model), "decode_with_tensors", True)
    slow = model.greedy_decode(X, lengths, tables)
    assert torch.equal(fast, slow)
    assert (fast[lengths.unsqueeze(1) <= torch.arange(40)] == -1).all()
    assert bool((fast >= 0).sum() == lengths.sum())
    opened = sum(int(tables.opens[a]) for a in fast[fast >= 0].tolist())
    assert opened > 0  # the random model opens entities, so the in-entity path ran
