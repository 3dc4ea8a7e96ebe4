"""Span categorization model: pool token vectors over candidate spans, then score labels.

    [components.spancat.model]
    @architectures = "heron.SpanCategorizer.v1"
    [components.spancat.model.reducer]
    @layers = "heron.mean_max_reducer.v1"
    hidden_size = 128
    [components.spancat.model.scorer]
    @layers = "heron.LinearLogistic.v1"

spaCy's SpanCategorizer.v1 in torch. The component runs the tok2vec (through
`embed_docs`) and hands this module the padded token vectors X (B, T, W) plus each
candidate span as flat row indices into X.view(B * T, W): `starts` (N,) and `ends`
(N,), end exclusive. Pooling is one batched gather + segment reduction over all spans
of the batch (no loop over spans), so the cost is linear in the total span length.
The module never sees a Doc.
"""
from __future__ import annotations

import math
from typing import Optional

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..registry import registry
from .layers import Maxout, check_positive


def span_token_index(starts: torch.Tensor, ends: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(segment id (L,), row (L,)) for every token of every span, L = sum(ends - starts).

    Span n covers rows starts[n] .. ends[n] - 1; built with repeat_interleave so no
    Python loop runs per span.
    """
    lengths = ends - starts  # (N,)
    segment = torch.repeat_interleave(torch.arange(len(starts), device=starts.device), lengths)  # (L,)
    first_of_segment = torch.cumsum(lengths, 0) - lengths  # (N,) offset of each span in the flat list
    position = torch.arange(len(segment), device=starts.device) - first_of_segment[segment]  # (L,)
    return segment, starts[segment] + position


def pool_spans(X: torch.Tensor, starts: torch.Tensor, ends: torch.Tensor) -> torch.Tensor:
    """(last, first, mean, max) of each span's rows of X, concatenated: (N, 4W).

    X (M, W): token vectors, one row per token position. starts/ends (N,) int64:
    row ranges (end exclusive, end > start). spaCy's mean_max_reducer order.
    """
    n, width = len(starts), X.shape[-1]
    if n == 0:
        return X.new_zeros((0, 4 * width))
    segment, rows = span_token_index(starts, ends)
    tokens = X[rows]  # (L, W)
    lengths = (ends - starts).to(X.dtype).unsqueeze(1)  # (N, 1)
    mean = X.new_zeros((n, width)).index_add(0, segment, tokens) / lengths  # (N, W)
    index = segment.unsqueeze(1).expand(-1, width)  # (L, W)
    maxes = X.new_zeros((n, width)).scatter_reduce(0, index, tokens, "amax", include_self=False)  # (N, W)
    return torch.cat([X[ends - 1], X[starts], mean, maxes], dim=1)  # (N, 4W)


class MeanMaxReducer(nn.Module):
    """Span vector = Maxout(last, first, mean, max of its token vectors), LayerNorm'd.

    hidden_size (int): output width. spaCy's default 128; 64-256 typical. The input
        width (4 x the token width) is set by the model that owns the reducer
        (`set_input_width`), so configs only give the hidden size.
    """

    def __init__(self, hidden_size: int = 128, maxout_pieces: int = 3):
        super().__init__()
        check_positive("heron.mean_max_reducer.v1", "hidden_size", hidden_size, recommended="64-256")
        check_positive("heron.mean_max_reducer.v1", "maxout_pieces", maxout_pieces, recommended="2-3")
        self.width = int(hidden_size)
        self.maxout_pieces = int(maxout_pieces)
        self.n_in: Optional[int] = None
        self.hidden: Optional[Maxout] = None

    def set_input_width(self, n_in: int) -> None:
        """Build the hidden layer for token vectors of width `n_in` (idempotent)."""
        if self.n_in != n_in:
            self.n_in = int(n_in)
            self.hidden = Maxout(4 * self.n_in, self.width, self.maxout_pieces)

    def forward(self, X: torch.Tensor, starts: torch.Tensor, ends: torch.Tensor) -> torch.Tensor:
        if self.hidden is None:
            raise RuntimeError("MeanMaxReducer.forward before set_input_width")
        return self.hidden(pool_spans(X, starts, ends))  # (N, H)


@registry.layers("heron.mean_max_reducer.v1")
def build_mean_max_reducer(*, hidden_size: int = 128, maxout_pieces: int = 3) -> MeanMaxReducer:
    """Reduce each span to (last, first, mean, max) of its token vectors, then a Maxout
    hidden layer with LayerNorm (spaCy's spacy.mean_max_reducer.v1).

    hidden_size (int): the span vector's width. Recommended 64-256 (spaCy: 128).
    maxout_pieces (int): maxout candidates per unit; 3 as spaCy (thinc's Maxout default).
    """
    return MeanMaxReducer(hidden_size, maxout_pieces)


class SpanScorer(nn.Module):
    """A linear output layer over span vectors, sized late; forward gives LOGITS.

    `activation` says how the component turns logits into scores: "sigmoid"
    (independent labels, spancat) or "softmax" (one label per span,
    spancat_singlelabel). Output weights start at zero and adding a label keeps the old
    rows (as the tagger's output layer: spaCy's convention); biases start at
    `initial_bias`.
    """

    activation = "sigmoid"
    initial_bias = 0.0

    def __init__(self, nO: Optional[int] = None, nI: Optional[int] = None):
        super().__init__()
        self.nO_setting = nO
        self.n_in: Optional[int] = int(nI) if nI else None
        self.output: Optional[nn.Linear] = None
        if nO and self.n_in:
            self.resize(int(nO))

    @property
    def nO(self) -> int:
        return 0 if self.output is None else self.output.out_features

    def set_input_width(self, n_in: int) -> None:
        """Size the input from the reducer (the model calls this); a configured nI must match."""
        if self.n_in is not None and self.n_in != n_in:
            raise HeronValueError(Errors.E152.format(
                layer=type(self).__name__, arg="nI", value=self.n_in,
                expected=f"the reducer's output width is {n_in}", recommended="null (sized from the reducer)"))
        if self.output is None:
            self.n_in = int(n_in)
            if self.nO_setting:
                self.resize(int(self.nO_setting))

    def resize(self, n: int) -> None:
        """Make the layer `n` wide, keeping the rows of the first min(n, old) labels."""
        if n == self.nO or n <= 0 or self.n_in is None:
            return
        old = self.output
        new = nn.Linear(self.n_in, n)
        with torch.no_grad():
            new.weight.zero_()
            new.bias.fill_(self.initial_bias)
            if old is not None:
                keep = min(n, old.out_features)
                new.weight[:keep] = old.weight[:keep]
                new.bias[:keep] = old.bias[:keep]
                new = new.to(old.weight.device)
        self.output = new

    def forward(self, H: torch.Tensor) -> torch.Tensor:
        if self.output is None:  # no labels yet: the component raises E350 before this
            raise RuntimeError("SpanScorer.forward before resize(n_labels)")
        return self.output(H)  # (N, H) -> (N, nO)


class LinearLogistic(SpanScorer):
    """Linear layer + sigmoid: one independent probability per label.

    The bias starts at the logit of 0.01 (not at 0, p = 0.5, where spaCy's starts): most
    candidates are no span, so training starts near the answer instead of spending its
    first steps unlearning "everything is everything", and a label added to a trained
    model predicts nothing until it is trained (at p = 0.5 it would tag every candidate
    at the default threshold).
    """

    activation = "sigmoid"
    initial_bias = -math.log(99.0)  # sigmoid(b) = 0.01


class SpanSoftmax(SpanScorer):
    """Linear layer + softmax: a distribution over the labels (plus a negative label)."""

    activation = "softmax"


@registry.layers("heron.LinearLogistic.v1")
def build_linear_logistic(*, nO: Optional[int] = None, nI: Optional[int] = None) -> LinearLogistic:
    """Linear + sigmoid scorer (spaCy's spacy.LinearLogistic.v1), for `spancat`.

    nO (int | null): labels; null = sized from the labels at initialize.
    nI (int | null): input width; null = the reducer's width.
    """
    return LinearLogistic(nO, nI)


@registry.layers("heron.SpanSoftmax.v1")
def build_span_softmax(*, nO: Optional[int] = None, nI: Optional[int] = None) -> SpanSoftmax:
    """Linear + softmax scorer (spaCy's Softmax.v2 in spancat_singlelabel); nO includes
    the negative label ("no label"), so null (sized at initialize) is simplest.

    nO (int | null): labels + 1; null = sized from the labels at initialize.
    nI (int | null): input width; null = the reducer's width.
    """
    return SpanSoftmax(nO, nI)


class SpanCategorizerModel(nn.Module):
    """tok2vec -> reducer (span vectors) -> scorer (label logits per span).

    The component runs `tok2vec` through `embed_docs`; forward takes its output.
    forward(X (B, T, W), starts (N,), ends (N,)) -> logits (N, nO), where starts and
    ends index rows of X.view(B * T, W) (row = doc_row * T + token).
    """

    def __init__(self, tok2vec: nn.Module, reducer: nn.Module, scorer: nn.Module):
        super().__init__()
        self.tok2vec = tok2vec
        self.reducer = reducer
        self.scorer = scorer
        self.width = int(getattr(tok2vec, "width"))  # listener or inline trunk: both declare it
        # Custom reducers/scorers may be sized already; heron's are sized here.
        set_reducer_width = getattr(reducer, "set_input_width", None)
        if set_reducer_width is not None:
            set_reducer_width(self.width)
        set_scorer_width = getattr(scorer, "set_input_width", None)
        if set_scorer_width is not None:
            set_scorer_width(int(getattr(reducer, "width")))

    @property
    def nO(self) -> int:
        return int(getattr(self.scorer, "nO"))

    def resize(self, n: int) -> None:
        getattr(self.scorer, "resize")(n)
        # A new output layer is built on the CPU: follow the rest of the model.
        param = next(self.reducer.parameters(), None)
        if param is not None:
            self.scorer.to(param.device)

    def forward(self, X: torch.Tensor, starts: torch.Tensor, ends: torch.Tensor) -> torch.Tensor:
        flat = X.reshape(-1, X.shape[-1])  # (B * T, W)
        return self.scorer(self.reducer(flat, starts, ends))  # (N, nO)


@registry.architectures("heron.SpanCategorizer.v1")
def build_span_categorizer(*, tok2vec: nn.Module, reducer: nn.Module, scorer: nn.Module) -> SpanCategorizerModel:
    """spaCy's SpanCategorizer.v1: token vectors -> span vectors -> label scores.

    tok2vec (nn.Module): heron.Tok2VecListener.v1 / heron.TransformerListener.v1 (a
        shared trunk) or an inline heron.HashEmbedCNN.v1 / heron.TransformerTok2Vec.v1.
    reducer (nn.Module): span vectors from token vectors, e.g. heron.mean_max_reducer.v1.
    scorer (nn.Module): heron.LinearLogistic.v1 (spancat) or heron.SpanSoftmax.v1
        (spancat_singlelabel).
    """
    return SpanCategorizerModel(tok2vec, reducer, scorer)


__all__ = ["SpanCategorizerModel", "MeanMaxReducer", "LinearLogistic", "SpanSoftmax", "SpanScorer",
           "pool_spans", "span_token_index", "build_span_categorizer", "build_mean_max_reducer",
           "build_linear_logistic", "build_span_softmax"]
