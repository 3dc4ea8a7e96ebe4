"""Text classification models (spaCy v3's textcat architectures) in torch.

Every model maps a batch of documents to one row of label scores, (B, nO) LOGITS; the
component (pipeline/textcat.py) applies the softmax (exclusive classes) or the
sigmoids (multilabel) and computes the loss. Modules never see a Doc: the component
hands them token vectors from `embed_docs` (X (B, T, W), mask (B, T)) and, for the
bag-of-n-grams part, hashed n-gram rows (`keys` (M,) int64 into the table, `offsets`
(B,) where each document's keys start), which it computes in numpy
(featurize/ngrams.py). What a model reads is declared by two attributes:

    tok2vec: the token-vector module read through embed_docs, or None (BOW only).
    ngram_size: the longest hashed n-gram its BOW part reads, 0 when it has none.

Architectures (registered names as in spaCy, heron's prefix):
    heron.TextCatBOW.v3                 hashed 1..n-grams -> sparse linear; no trunk
    heron.TextCatReduce.v1              first/last/max/mean pooled tokens -> linear
    heron.TextCatParametricAttention.v1 learned attention pooling -> residual maxout -> linear
    heron.TextCatEnsemble.v2            [BOW scores ; attention-pooled tokens] -> linear

Output layers start at zero (as in spaCy), so a fresh model predicts uniform scores,
and growing a model for a new label keeps every existing label's weights.
"""
from __future__ import annotations

from typing import List, Optional

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..registry import registry
from .layers import Maxout

# spaCy's TextCatBOW table size; 2**18 rows keep hash collisions rare for corpora of a
# few million distinct n-grams while costing 1 MiB per label.
DEFAULT_BOW_ROWS = 262144


def _device(module: nn.Module) -> torch.device:
    param = next(module.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def _check_setting(ok: bool, name: str, value: object, detail: str) -> None:
    if not ok:
        raise HeronValueError(Errors.E967.format(setting=name, value=value, detail=detail))


class TextCatBOW(nn.Module):
    """A sparse linear model over hashed n-grams: score[b] = sum of the rows of the
    document's n-gram keys + bias. `torch.nn.EmbeddingBag(mode="sum")` does the sum;
    repeated n-grams count once per occurrence (spaCy's counts).

    Sized by `resize(n_labels)`; until then it has no parameters.
    """

    tok2vec: Optional[nn.Module] = None

    def __init__(self, *, exclusive_classes: bool, ngram_size: int, no_output_layer: bool,
                 length: int, nO: Optional[int] = None):
        super().__init__()
        _check_setting(int(ngram_size) >= 1, "ngram_size", ngram_size, "it must be >= 1 (1 = unigrams)")
        _check_setting(int(length) >= 1, "length", length, "it must be >= 1 (the hash table's rows)")
        self.exclusive_classes = bool(exclusive_classes)
        self.ngram_size = int(ngram_size)
        self.no_output_layer = bool(no_output_layer)
        self.length = int(length)
        self.nO_setting = nO
        self.table: Optional[nn.EmbeddingBag] = None
        self.bias: Optional[nn.Parameter] = None
        if nO:
            self.resize(int(nO))

    @property
    def nO(self) -> int:
        return 0 if self.table is None else self.table.embedding_dim

    def resize(self, n: int) -> None:
        """Make the model `n` labels wide, keeping the columns of the first min(n, old)."""
        if n == self.nO or n <= 0:
            return
        device = _device(self)
        table = nn.EmbeddingBag(self.length, n, mode="sum")
        bias = torch.zeros(n)
        with torch.no_grad():
            table.weight.zero_()
            if self.table is not None and self.bias is not None:
                keep = min(n, self.nO)
                table.weight[:, :keep] = self.table.weight[:, :keep].to("cpu")
                bias[:keep] = self.bias[:keep].to("cpu")
        self.table = table.to(device)
        self.bias = nn.Parameter(bias.to(device))

    def forward(self, keys: torch.Tensor, offsets: torch.Tensor) -> torch.Tensor:
        """keys (M,) int64 rows of the table, offsets (B,) int64 -> logits (B, nO)."""
        if self.table is None or self.bias is None:
            raise RuntimeError("TextCatBOW.forward before resize(n_labels)")
        return self.table(keys, offsets) + self.bias  # (B, nO)


def reduce_tokens(X: torch.Tensor, mask: torch.Tensor, how: str) -> torch.Tensor:
    """Pool (B, T, W) token vectors over the real tokens of each row -> (B, W).

    how: "first", "last", "max" or "mean". A document without tokens pools to zeros.
    """
    fmask = mask.unsqueeze(-1).to(X.dtype)  # (B, T, 1)
    lengths = mask.sum(dim=1)  # (B,)
    has = (lengths > 0).unsqueeze(-1).to(X.dtype)  # (B, 1)
    if how == "mean":
        return (X * fmask).sum(dim=1) / lengths.clamp(min=1).unsqueeze(-1).to(X.dtype)
    if how == "max":
        lowest = torch.finfo(X.dtype).min
        return X.masked_fill(~mask.unsqueeze(-1), lowest).max(dim=1).values * has
    if how == "first":
        return X[:, 0] * has
    if how == "last":
        index = (lengths - 1).clamp(min=0)  # (B,)
        return X[torch.arange(X.shape[0], device=X.device), index] * has
    raise ValueError(f"unknown reduction {how!r}")


class AttentionPool(nn.Module):
    """Parametric attention (thinc's ParametricAttention, v2 with `key_transform`):
    a learned query scores each token, the softmax over the document's tokens weights
    their sum. (B, T, W) -> (B, W); a document without tokens pools to zeros."""

    def __init__(self, width: int, *, key_transform: bool = False):
        super().__init__()
        self.query = nn.Parameter(torch.zeros(width))  # zero: uniform attention = the mean at start
        self.key_transform = nn.Sequential(nn.Linear(width, width), nn.GELU()) if key_transform else None

    def forward(self, X: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        keys = X if self.key_transform is None else self.key_transform(X)  # (B, T, W)
        scores = (keys @ self.query).masked_fill(~mask, -1e30)  # (B, T)
        # Rows without tokens get a uniform softmax over padding, zeroed by the mask.
        weights = torch.softmax(scores, dim=1) * mask.to(X.dtype)  # (B, T)
        return (weights.unsqueeze(-1) * X).sum(dim=1)  # (B, W)


class _AttentionTrunkHead(nn.Module):
    """attention pool -> residual(maxout -> layer norm): spaCy's pooled CNN branch."""

    def __init__(self, width: int, *, key_transform: bool):
        super().__init__()
        self.attention = AttentionPool(width, key_transform=key_transform)
        self.maxout = Maxout(width, width, 3)  # includes the LayerNorm

    def forward(self, X: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        pooled = self.attention(X, mask)  # (B, W)
        return pooled + self.maxout(pooled)  # (B, W)


class _LinearHead(nn.Module):
    """Base of the trunk-reading models: an output Linear(n_in, nO) created by resize."""

    ngram_size = 0

    def __init__(self, tok2vec: nn.Module, exclusive_classes: bool, nO: Optional[int]):
        super().__init__()
        self.tok2vec = tok2vec
        self.width = int(getattr(tok2vec, "width"))  # listeners and inline trunks declare it
        self.exclusive_classes = bool(exclusive_classes)
        self.no_output_layer = False
        self.nO_setting = nO
        self.output: Optional[nn.Linear] = None

    @property
    def nO(self) -> int:
        return 0 if self.output is None else self.output.out_features

    def _n_in(self, n: int) -> int:
        raise NotImplementedError

    def _copy_output(self, old: nn.Linear, new: nn.Linear, keep: int) -> None:
        new.weight[:keep] = old.weight[:keep]
        new.bias[:keep] = old.bias[:keep]

    def resize(self, n: int) -> None:
        """Make the output `n` labels wide, keeping the rows of the first min(n, old)."""
        if n == self.nO or n <= 0:
            return
        self._resize_parts(n)
        device = _device(self)
        new = nn.Linear(self._n_in(n), n)
        with torch.no_grad():
            new.weight.zero_()
            new.bias.zero_()
            if self.output is not None:
                self._copy_output(self.output.to("cpu"), new, min(n, self.output.out_features))
        self.output = new.to(device)

    def _resize_parts(self, n: int) -> None:
        """Resize inner label-dependent parts (the ensemble's BOW) before the output."""

    def _logits(self, features: torch.Tensor) -> torch.Tensor:
        if self.output is None:
            raise RuntimeError(f"{type(self).__name__}.forward before resize(n_labels)")
        return self.output(features)  # (B, nO)


class TextCatReduce(_LinearHead):
    """Concatenated first/last/max/mean pooled token vectors -> Linear(k * W, nO)."""

    def __init__(self, tok2vec: nn.Module, exclusive_classes: bool, reductions: List[str],
                 nO: Optional[int] = None):
        super().__init__(tok2vec, exclusive_classes, nO)
        self.reductions = list(reductions)
        if nO:
            self.resize(int(nO))

    def _n_in(self, n: int) -> int:
        return self.width * len(self.reductions)

    def forward(self, X: torch.Tensor, mask: torch.Tensor, keys: Optional[torch.Tensor] = None,
                offsets: Optional[torch.Tensor] = None) -> torch.Tensor:
        pooled = torch.cat([reduce_tokens(X, mask, how) for how in self.reductions], dim=-1)  # (B, k*W)
        return self._logits(pooled)


class TextCatParametricAttention(_LinearHead):
    """Attention-pooled token vectors -> residual maxout -> Linear(W, nO)."""

    def __init__(self, tok2vec: nn.Module, exclusive_classes: bool, nO: Optional[int] = None):
        super().__init__(tok2vec, exclusive_classes, nO)
        self.pool = _AttentionTrunkHead(self.width, key_transform=True)
        if nO:
            self.resize(int(nO))

    def _n_in(self, n: int) -> int:
        return self.width

    def forward(self, X: torch.Tensor, mask: torch.Tensor, keys: Optional[torch.Tensor] = None,
                offsets: Optional[torch.Tensor] = None) -> torch.Tensor:
        return self._logits(self.pool(X, mask))


class TextCatEnsemble(_LinearHead):
    """[BOW logits (nO) ; attention-pooled, residual-maxout tokens (W)] -> Linear(nO + W, nO).

    The BOW part learns the lexical cues fast; the pooled trunk adds context. Like
    spaCy's TextCatEnsemble.v2, exclusive_classes comes from the linear model.
    """

    def __init__(self, tok2vec: nn.Module, linear_model: TextCatBOW, nO: Optional[int] = None):
        super().__init__(tok2vec, linear_model.exclusive_classes, nO)
        self.linear_model = linear_model
        self.ngram_size = linear_model.ngram_size
        self.length = linear_model.length
        self.pool = _AttentionTrunkHead(self.width, key_transform=False)
        if nO:
            self.resize(int(nO))

    def _n_in(self, n: int) -> int:
        return n + self.width

    def _resize_parts(self, n: int) -> None:
        self.linear_model.resize(n)

    def _copy_output(self, old: nn.Linear, new: nn.Linear, keep: int) -> None:
        # Input columns: the BOW block [0, nO) then the pooled block [nO, nO + W).
        n_old, n_new = old.out_features, new.out_features
        new.weight[:keep, :keep] = old.weight[:keep, :keep]
        new.weight[:keep, n_new:] = old.weight[:keep, n_old:]
        new.bias[:keep] = old.bias[:keep]

    def forward(self, X: torch.Tensor, mask: torch.Tensor, keys: Optional[torch.Tensor] = None,
                offsets: Optional[torch.Tensor] = None) -> torch.Tensor:
        if keys is None or offsets is None:
            raise RuntimeError("TextCatEnsemble.forward needs the n-gram keys and offsets")
        bow = self.linear_model(keys, offsets)  # (B, nO)
        return self._logits(torch.cat([bow, self.pool(X, mask)], dim=-1))  # (B, nO)


@registry.architectures("heron.TextCatBOW.v3")
def build_bow_text_classifier(*, exclusive_classes: bool, ngram_size: int = 1, no_output_layer: bool = False,
                              length: int = DEFAULT_BOW_ROWS, nO: Optional[int] = None) -> TextCatBOW:
    """A linear model over hashed lowercase n-grams; no trunk, very fast (spaCy's TextCatBOW.v3).

    exclusive_classes (bool): true for `textcat` (one label per text), false for
        `textcat_multilabel`; must match the component (E960).
    ngram_size (int): 1 = unigrams, 2 = unigrams + bigrams, ... Bigrams help with
        negation ("not good") on larger data; each step adds as many features again.
    no_output_layer (bool): true = doc.cats holds the raw linear scores (no softmax /
        sigmoid) and the loss is the squared error, as in spaCy; false (default) = probabilities.
    length (int): rows of the hash table, e.g. 262144 (2**18); more rows mean fewer
        collisions and more memory (length x labels floats).
    nO (int | null): number of labels; null = sized from the labels at initialize.

    n-grams are hashed from the tokens' LOWER strings (spaCy's BOW hashes ORTH): case
    rarely changes a text's class, and lowercasing halves the rare-variant features.
    """
    return TextCatBOW(exclusive_classes=exclusive_classes, ngram_size=ngram_size,
                      no_output_layer=no_output_layer, length=length, nO=nO)


@registry.architectures("heron.TextCatReduce.v1")
def build_reduce_text_classifier(*, tok2vec: nn.Module, exclusive_classes: bool, use_reduce_first: bool = False,
                                 use_reduce_last: bool = False, use_reduce_max: bool = True,
                                 use_reduce_mean: bool = True, nO: Optional[int] = None) -> TextCatReduce:
    """Pooled token vectors -> linear (spaCy's TextCatReduce.v1).

    tok2vec (nn.Module): heron.Tok2VecListener.v1 / heron.TransformerListener.v1 (shared
        trunk) or an inline heron.HashEmbedCNN.v1 / heron.TransformerTok2Vec.v1.
    exclusive_classes (bool): true for `textcat`, false for `textcat_multilabel`.
    use_reduce_first / use_reduce_last / use_reduce_max / use_reduce_mean (bool): the
        poolings concatenated (at least one); mean + max is a strong default, first
        suits transformers whose first wordpiece summarises the text.
    nO (int | null): number of labels; null = sized from the labels at initialize.
    """
    reductions = [how for how, use in (("first", use_reduce_first), ("last", use_reduce_last),
                                       ("max", use_reduce_max), ("mean", use_reduce_mean)) if use]
    _check_setting(bool(reductions), "use_reduce_*", "all false", "at least one pooling must be on")
    return TextCatReduce(tok2vec, exclusive_classes, reductions, nO)


@registry.architectures("heron.TextCatParametricAttention.v1")
def build_attention_text_classifier(*, tok2vec: nn.Module, exclusive_classes: bool,
                                    nO: Optional[int] = None) -> TextCatParametricAttention:
    """Learned attention pooling of token vectors -> residual maxout -> linear
    (spaCy's TextCatParametricAttention.v1: the attention keys go through Linear + GELU).

    tok2vec (nn.Module): a listener or an inline token-to-vector module.
    exclusive_classes (bool): true for `textcat`, false for `textcat_multilabel`.
    nO (int | null): number of labels; null = sized from the labels at initialize.
    """
    return TextCatParametricAttention(tok2vec, exclusive_classes, nO)


@registry.architectures("heron.TextCatEnsemble.v2")
def build_ensemble_text_classifier(*, tok2vec: nn.Module, linear_model: nn.Module,
                                   nO: Optional[int] = None) -> TextCatEnsemble:
    """BOW scores and attention-pooled token vectors, concatenated -> linear
    (spaCy's TextCatEnsemble.v2, the default model of textcat and textcat_multilabel).

    tok2vec (nn.Module): a listener or an inline token-to-vector module (width 64-300).
    linear_model (nn.Module): a heron.TextCatBOW.v3 block; its exclusive_classes
        decides the model's.
    nO (int | null): number of labels; null = sized from the labels at initialize.
    """
    if not isinstance(linear_model, TextCatBOW):
        raise HeronValueError(Errors.E967.format(
            setting="linear_model", value=type(linear_model).__name__,
            detail="it must be a heron.TextCatBOW.v3 block"))
    return TextCatEnsemble(tok2vec, linear_model, nO)


__all__ = ["TextCatBOW", "TextCatReduce", "TextCatParametricAttention", "TextCatEnsemble",
           "AttentionPool", "reduce_tokens", "DEFAULT_BOW_ROWS"]
