"""Pretraining objectives: character targets, losses, sizing, coded errors."""
import numpy as np
import pytest
import torch

from heron.errors import HeronValueError
from heron.pretraining.objectives import (
    N_CHAR_CLASSES,
    PretrainCharacters,
    PretrainVectors,
    character_targets,
    doc_words,
)
from heron.registry import registry


def test_character_targets_first_and_last_characters():
    out = character_targets(["heron", "a", ""], 2)
    assert out.shape == (3, 4) and out.dtype == np.int64
    # first 2 characters, then the last 2 from the end inwards; 0 = no character
    assert out[0].tolist() == [1 + ord("h"), 1 + ord("e"), 1 + ord("n"), 1 + ord("o")]
    assert out[1].tolist() == [1 + ord("a"), 0, 1 + ord("a"), 0]
    assert out[2].tolist() == [0, 0, 0, 0]


def test_character_targets_unicode_and_range():
    words = ["Zürich", "東京", "naïve", "x" * 30, "😀!"]
    out = character_targets(words, 3)
    assert out.min() >= 0 and out.max() < N_CHAR_CLASSES
    assert out[0, 1] == 1 + ord("ü") % 255  # code points, not UTF-8 bytes
    assert out[1, 2] == 0 and out[1, 5] == 0  # two characters only
    assert out[4, 0] == 1 + ord("😀") % 255 and out[4, 3] == 1 + ord("!")
    assert character_targets([], 4).shape == (0, 8)


def _docs(nlp, texts):
    return [nlp.make_doc(t) for t in texts]


def test_characters_loss_is_scalar_with_gradient(nlp):
    objective = PretrainCharacters(2, 8, 3)
    objective.initialize(width=6, vocab=nlp.vocab)
    docs = _docs(nlp, ["Some words here.", "More"])
    X = torch.randn(len(doc_words(docs)), 6, requires_grad=True)
    loss = objective(X, docs)
    assert loss.ndim == 0 and float(loss.detach()) > 0
    loss.backward()
    assert X.grad is not None and float(X.grad.abs().sum()) > 0


def test_characters_objective_learns(nlp):
    torch.manual_seed(0)
    objective = PretrainCharacters(2, 16, 2)
    objective.initialize(width=8, vocab=nlp.vocab)
    docs = _docs(nlp, ["alpha beta gamma delta", "beta gamma alpha"])
    X = torch.randn(len(doc_words(docs)), 8)
    opt = torch.optim.Adam(objective.parameters(), lr=0.01)
    first = float(objective(X, docs).detach())
    for _ in range(30):
        loss = objective(X, docs)
        loss.backward()
        opt.step()
        opt.zero_grad()
    assert float(objective(X, docs).detach()) < first * 0.5


def test_objective_before_initialize_is_coded(nlp):
    docs = _docs(nlp, ["one two"])
    with pytest.raises(HeronValueError, match="E806"):
        PretrainCharacters(2, 8, 2)(torch.zeros(2, 4), docs)


@pytest.mark.parametrize("factory,kwargs,key", [
    ("heron.PretrainCharacters.v1", {"n_characters": 0}, "n_characters"),
    ("heron.PretrainCharacters.v1", {"hidden_size": -1}, "hidden_size"),
    ("heron.PretrainVectors.v1", {"maxout_pieces": 0}, "maxout_pieces"),
    ("heron.PretrainVectors.v1", {"loss": "cos"}, "loss"),
])
def test_bad_settings_name_the_key(factory, kwargs, key):
    with pytest.raises(HeronValueError, match=rf"E805.*{key}"):
        registry.get("architectures", factory)(**kwargs)


class _Table:
    """A tiny stand-in with the Vectors contract's shape/get_batch (zeros when missing)."""

    def __init__(self, table):
        self.table, self.dim = table, len(next(iter(table.values())))
        self.shape = (len(table), self.dim)
        self.name = "tiny"

    def get_batch(self, keys):
        return np.stack([np.asarray(self.table.get(k, np.zeros(self.dim)), dtype=np.float32) for k in keys])


def test_vectors_objective_requires_vectors(nlp):
    with pytest.raises(HeronValueError, match="E804"):
        PretrainVectors(2, 8).initialize(width=4, vocab=nlp.vocab)


@pytest.mark.parametrize("loss_name", ["cosine", "L2"])
def test_vectors_loss_values_and_missing_words(nlp, loss_name):
    nlp.vocab.vectors = _Table({"cat": [1.0, 0.0], "dog": [0.0, 2.0]})
    objective = PretrainVectors(1, 4, loss_name)
    objective.initialize(width=3, vocab=nlp.vocab)
    assert objective.dim == 2
    # Make the head predict exactly the target direction for every token: [1, 0].
    with torch.no_grad():
        objective.output.weight.zero_()
        objective.output.bias.copy_(torch.tensor([1.0, 0.0]))
    docs = _docs(nlp, ["cat unknown"])  # "unknown" has no vector: left out of the loss
    loss = float(objective(torch.randn(2, 3), docs).detach())
    assert loss == pytest.approx(0.0, abs=1e-6)
    docs = _docs(nlp, ["dog"])
    expected = 1.0 if loss_name == "cosine" else 1.0 + 4.0
    assert float(objective(torch.randn(1, 3), docs).detach()) == pytest.approx(expected, abs=1e-5)
    none = objective(torch.randn(1, 3, requires_grad=True), _docs(nlp, ["zzz"]))
    assert float(none.detach()) == 0.0
    none.backward()  # a batch without vectors must not break the step


def test_vectors_objective_learns(nlp):
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    words = ["red", "green", "blue", "cat", "dog"]
    nlp.vocab.vectors = _Table({w: rng.normal(size=6) for w in words})
    objective = PretrainVectors(2, 16, "cosine")
    objective.initialize(width=8, vocab=nlp.vocab)
    docs = _docs(nlp, ["red green blue", "cat dog"])
    X = torch.randn(5, 8)
    opt = torch.optim.Adam(objective.parameters(), lr=0.01)
    first = float(objective(X, docs).detach())
    for _ in range(40):
        loss = objective(X, docs)
        loss.backward()
        opt.step()
        opt.zero_grad()
    assert float(objective(X, docs).detach()) < first * 0.5
