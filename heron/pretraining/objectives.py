"""Pretraining objectives: what the trunk learns to predict from raw text.

    [pretraining.objective]
    @architectures = "heron.PretrainCharacters.v1"
    maxout_pieces = 3
    hidden_size = 300
    n_characters = 4

An objective is an nn.Module `objective(X, docs) -> loss`: X is (N, W), the trunk's
context vectors of the batch's real tokens in reading order (doc by doc), docs the
batch. Each token's vector must predict something about the token itself; as the
trunk mixes in the neighbours' embeddings, it learns to recognise words from their
contexts, which is what helps the heads later. The small output head (Maxout hidden
layer, then a linear map) is thrown away after pretraining: only the trunk's weights
are used by `init_tok2vec`. Objectives are sized by `initialize(width=, vocab=)`, called
once by the pretrain loop before the optimizer is created.
"""
from __future__ import annotations

from typing import Any, List, Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ..errors import Errors, HeronValueError
from ..nn.layers import Maxout
from ..registry import registry

# Character classes: 0 = "no character here" (the word is shorter than the position),
# 1..255 = 1 + Unicode code point mod 255. ASCII and Latin-1 letters get classes of
# their own; other scripts share buckets (a CJK word's characters collide mod 255),
# which blurs the targets but keeps the output layer small, like spaCy's byte classes.
N_CHAR_CLASSES = 256
VECTOR_LOSSES = ("cosine", "L2")


def doc_words(docs: Sequence[Any]) -> List[str]:
    """Every token's text, doc by doc: the order of the real rows of X (B, T, W)[mask]."""
    words: List[str] = []
    for doc in docs:
        own = getattr(doc, "_words", None)
        words.extend(own if own is not None else (token.text for token in doc))
    return words


def character_targets(words: Sequence[str], n_characters: int, n_classes: int = N_CHAR_CLASSES) -> np.ndarray:
    """(N, 2 * n_characters) int64 class ids: the first n_characters characters of each
    word, then its last n_characters from the end inwards ("heron" with 2: h, e, n, o).

    Vectorised: the words are joined once, read as UTF-32 code points and gathered with
    index arithmetic (no per-word Python loop). Positions past a word's length get class 0.
    """
    n_words = len(words)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=n_words)  # (N,)
    codes = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    starts = np.cumsum(lengths) - lengths  # (N,)
    k = np.arange(n_characters, dtype=np.int64)[None, :]  # (1, n)
    first = starts[:, None] + k  # (N, n)
    last = starts[:, None] + lengths[:, None] - 1 - k  # (N, n)
    index = np.concatenate([first, last], axis=1)  # (N, 2n)
    valid = np.concatenate([k < lengths[:, None]] * 2, axis=1)  # (N, 2n)
    out = np.zeros((n_words, 2 * n_characters), dtype=np.int64)
    out[valid] = 1 + codes[index[valid]] % (n_classes - 1)
    return out


class _Objective(nn.Module):
    """Shared parts: a Maxout hidden layer on the context vectors, sized at initialize."""

    name = "objective"

    def __init__(self, maxout_pieces: int, hidden_size: int):
        super().__init__()
        _check_int(self.name, "maxout_pieces", maxout_pieces, 1, "a whole number >= 1 (3 is usual)")
        _check_int(self.name, "hidden_size", hidden_size, 1, "a whole number >= 1 (300 is usual)")
        self.maxout_pieces, self.hidden_size = maxout_pieces, hidden_size
        self.hidden: Optional[nn.Module] = None
        self.output: Optional[nn.Module] = None

    def _build(self, width: int, n_out: int) -> None:
        self.hidden = Maxout(int(width), self.hidden_size, self.maxout_pieces, normalize=True)
        self.output = nn.Linear(self.hidden_size, n_out)

    def _predict(self, X: torch.Tensor) -> torch.Tensor:
        if self.hidden is None or self.output is None:
            raise HeronValueError(Errors.E806.format(objective=self.name))
        return self.output(self.hidden(X))


class PretrainCharacters(_Objective):
    """Predict each word's first and last `n_characters` characters from its context vector.

    Loss: mean softmax cross-entropy over the 2 * n_characters positions of every token.
    """

    name = "heron.PretrainCharacters.v1"

    def __init__(self, maxout_pieces: int, hidden_size: int, n_characters: int):
        super().__init__(maxout_pieces, hidden_size)
        _check_int(self.name, "n_characters", n_characters, 1, "a whole number >= 1 (4 is usual)")
        self.n_characters = n_characters

    def initialize(self, *, width: int, vocab: Any = None) -> None:
        self._build(width, 2 * self.n_characters * N_CHAR_CLASSES)

    def forward(self, X: torch.Tensor, docs: Sequence[Any]) -> torch.Tensor:
        """X (N, W) context vectors of the docs' tokens -> scalar loss."""
        logits = self._predict(X).view(-1, N_CHAR_CLASSES)  # (N * 2n, C)
        targets = torch.from_numpy(character_targets(doc_words(docs), self.n_characters))  # (N, 2n)
        return F.cross_entropy(logits, targets.view(-1).to(X.device))


class PretrainVectors(_Objective):
    """Predict each word's static vector (vocab.vectors, keyed by the token text).

    loss "cosine": mean (1 - cosine similarity), insensitive to vector norms (spaCy's
    default); "L2": mean squared Euclidean distance. Tokens without a vector (all-zero
    row in a default-mode table) are left out of the loss.
    """

    name = "heron.PretrainVectors.v1"

    def __init__(self, maxout_pieces: int, hidden_size: int, loss: str = "cosine"):
        super().__init__(maxout_pieces, hidden_size)
        if loss not in VECTOR_LOSSES:
            raise HeronValueError(Errors.E805.format(objective=self.name, key="loss", value=loss,
                                                     detail=f"choose one of {list(VECTOR_LOSSES)}",
                                                     fix="\"cosine\" (recommended) or \"L2\""))
        self.loss = loss
        self.dim = 0

    def initialize(self, *, width: int, vocab: Any = None) -> None:
        shape = vectors_shape(vocab)
        if shape is None:
            raise HeronValueError(Errors.E804.format(objective=self.name))
        self.dim = int(shape[1])
        self._build(width, self.dim)

    def forward(self, X: torch.Tensor, docs: Sequence[Any]) -> torch.Tensor:
        """X (N, W) context vectors of the docs' tokens -> scalar loss."""
        predicted = self._predict(X)  # (N, D)
        table = docs[0].vocab.vectors if docs else None
        if table is None:
            raise HeronValueError(Errors.E804.format(objective=self.name))
        target = torch.as_tensor(np.asarray(table.get_batch(doc_words(docs)), dtype=np.float32),
                                 device=X.device)  # (N, D)
        known = target.abs().sum(dim=1) > 0  # (N,)
        if not bool(known.any()):
            return predicted.sum() * 0.0  # keeps the graph; nothing to learn in this batch
        predicted, target = predicted[known], target[known]
        if self.loss == "cosine":
            return (1.0 - F.cosine_similarity(predicted, target, dim=-1, eps=1e-8)).mean()
        return ((predicted - target) ** 2).sum(dim=-1).mean()


def vectors_shape(vocab: Any) -> Optional[tuple]:
    """(n_rows, dim) of the vocab's vectors table, or None if it has none (or it's empty)."""
    table = getattr(vocab, "vectors", None) if vocab is not None else None
    shape = getattr(table, "shape", None)
    if table is None or shape is None or len(shape) != 2 or not shape[0] or not shape[1]:
        return None
    return tuple(int(s) for s in shape)


def _check_int(objective: str, key: str, value: Any, minimum: int, fix: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise HeronValueError(Errors.E805.format(objective=objective, key=key, value=value,
                                                 detail=f"it must be a whole number >= {minimum}", fix=fix))


@registry.architectures("heron.PretrainCharacters.v1")
def create_characters_objective(*, maxout_pieces: int = 3, hidden_size: int = 300,
                                n_characters: int = 4) -> PretrainCharacters:
    """Pretrain by predicting the first and last `n_characters` characters of every word.

    maxout_pieces (int): pieces of the hidden Maxout layer. Recommended 2-3.
    hidden_size (int): width of the hidden layer. Recommended 300 (spaCy's default).
    n_characters (int): characters taken from each end. Recommended 4; more makes
        the task harder and the output layer larger (2 * n * 256 classes).
    """
    return PretrainCharacters(maxout_pieces, hidden_size, n_characters)


@registry.architectures("heron.PretrainVectors.v1")
def create_vectors_objective(*, maxout_pieces: int = 3, hidden_size: int = 300,
                             loss: str = "cosine") -> PretrainVectors:
    """Pretrain by predicting every word's static vector; needs vectors in the pipeline.

    maxout_pieces (int): pieces of the hidden Maxout layer. Recommended 2-3.
    hidden_size (int): width of the hidden layer. Recommended 300.
    loss (str): "cosine" (recommended; ignores vector norms) or "L2".
    """
    return PretrainVectors(maxout_pieces, hidden_size, loss)


__all__ = ["PretrainCharacters", "PretrainVectors", "character_targets", "doc_words", "vectors_shape",
           "create_characters_objective", "create_vectors_objective", "N_CHAR_CLASSES"]
