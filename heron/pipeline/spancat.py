"""spancat: label (possibly overlapping) spans into doc.spans[spans_key] (spaCy's spancat).

    spancat = nlp.add_pipe("spancat", config={"spans_key": "sc"})
    # gold: example.reference.spans["sc"] = [Span(doc, 0, 2, "ORG"), ...]

Two parts, as in spaCy: a suggester proposes candidate (start, end) spans per Doc
(_suggesters.py: n-grams, n-gram ranges, an existing doc.spans group, noun chunks),
and the model (`heron.SpanCategorizer.v1`, nn/spancat.py) pools each candidate's token
vectors (last, first, mean, max -> a hidden layer) and scores every label.

- `spancat`: an independent sigmoid per label; a candidate gets every label whose
  probability is >= `threshold`, at most the `max_positive` best. Spans may overlap
  and nest, and one span may carry several labels.
- `spancat_singlelabel`: a softmax over the labels plus a negative label ("no span");
  each candidate gets its best label unless the negative label wins. `allow_overlap =
  false` keeps, greedily by probability, only spans that don't overlap a kept one.

Predictions replace doc.spans[spans_key] with a SpanGroup whose attrs["scores"] holds
each span's probability (spaCy's layout). Training reads the gold spans of
`example.reference.spans[spans_key]` aligned to the predicted tokens; every suggested
candidate that is not a gold span (with that label) is a negative. A reference Doc
without the key has no annotation and is left out of the loss (spaCy would take all
its candidates as negatives); gold spans the suggester never proposes can't be
learnt (initialize warns, W981, when n-gram sizes miss gold spans).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import numpy as np
import torch
from torch import nn

from .. import _scorer_spans  # noqa: F401  (registers heron.spancat_scorer.v1)
from ..errors import Errors, HeronValueError, Warnings, warn
from ..nn.spancat import SpanCategorizerModel
from ..nn.tok2vec import DEFAULT_HASH_EMBED_CNN
from ..registry import registry
from . import _suggesters
from ._spancat_decode import multilabel_group, singlelabel_group
from .component import Nlp
from .listener import embed_docs
from .trainable import TrainablePipe

DEFAULT_SPANS_KEY = "sc"
DEFAULT_SUGGESTER: Dict[str, Any] = {"@misc": "heron.ngram_suggester.v1", "sizes": [1, 2, 3]}
DEFAULT_SPANCAT_MODEL: Dict[str, Any] = {
    "@architectures": "heron.SpanCategorizer.v1",
    "reducer": {"@layers": "heron.mean_max_reducer.v1", "hidden_size": 128, "maxout_pieces": 3},
    "scorer": {"@layers": "heron.LinearLogistic.v1", "nO": None, "nI": None},
    # spaCy's default: an inline CNN, so the head works without a tok2vec component.
    "tok2vec": dict(DEFAULT_HASH_EMBED_CNN),
}
DEFAULT_SPANCAT_SINGLELABEL_MODEL: Dict[str, Any] = {
    **DEFAULT_SPANCAT_MODEL, "scorer": {"@layers": "heron.SpanSoftmax.v1", "nO": None, "nI": None}}
SCORE_WEIGHTS: Dict[str, Optional[float]] = {"spans_sc_f": 1.0, "spans_sc_p": 0.0, "spans_sc_r": 0.0}

SpanScores = Tuple[List[np.ndarray], torch.Tensor]  # (per-Doc (n, 2) candidates, logits (N, nO))
SpanPredictions = Tuple[List[np.ndarray], np.ndarray]  # (candidates, probabilities (N, nO))


class SpanCategorizer(TrainablePipe):
    """Label candidate spans; see the module docstring. `single_label` = spancat_singlelabel."""

    model: SpanCategorizerModel

    def __init__(self, vocab: Any, model: nn.Module, suggester: Callable, name: str = "spancat", *,
                 spans_key: str = DEFAULT_SPANS_KEY, threshold: Optional[float] = 0.5,
                 max_positive: Optional[int] = None, scorer: Optional[Callable] = None,
                 single_label: bool = False, negative_weight: float = 1.0, allow_overlap: bool = True):
        _check_settings(name, spans_key, threshold, max_positive, negative_weight, single_label)
        _check_model(name, model, single_label)
        settings: Dict[str, Any] = {"spans_key": spans_key, "threshold": threshold, "max_positive": max_positive}
        if single_label:
            settings.update(negative_weight=float(negative_weight), allow_overlap=bool(allow_overlap))
        super().__init__(vocab, model, name, **settings)
        self.suggester = suggester
        self.scorer = scorer
        self.single_label = bool(single_label)

    @property
    def key(self) -> str:
        """The doc.spans key predictions are written to and gold spans are read from."""
        return str(self.cfg["spans_key"])

    @property
    def label_data(self) -> List[str]:
        return list(self.labels)

    # ---- forward --------------------------------------------------------------------
    def suggest(self, docs: Sequence[Any]) -> List[np.ndarray]:
        """The suggester's candidates, checked: one (n, 2) int64 array per Doc (E981)."""
        return _suggesters.check_suggestions(self.name, docs, self.suggester(list(docs)))

    def _forward(self, docs: Sequence[Any]) -> SpanScores:
        if self.model.nO == 0:
            raise HeronValueError(Errors.E350.format(name=self.name, detail="it has no labels yet"))
        spans = self.suggest(docs)
        counts = np.array([len(s) for s in spans], dtype=np.int64)
        if not counts.sum():  # nothing to score (empty Docs, or Docs shorter than every size)
            return spans, torch.zeros((0, self.model.nO), device=_device(self.model))
        X, _ = embed_docs(self.model.tok2vec, docs)  # (B, T, W)
        flat = np.concatenate(spans)  # (N, 2)
        row_start = np.repeat(np.arange(len(docs), dtype=np.int64) * X.shape[1], counts)  # (N,)
        starts = torch.from_numpy(row_start + flat[:, 0]).to(X.device)
        ends = torch.from_numpy(row_start + flat[:, 1]).to(X.device)
        return spans, self.model(X, starts, ends)  # (N, nO)

    def _predictions(self, docs: Sequence[Any], scores: SpanScores) -> SpanPredictions:
        spans, logits = scores
        probs = logits.softmax(dim=-1) if self.single_label else logits.sigmoid()
        return spans, probs.float().to("cpu").numpy()

    def set_annotations(self, docs: Sequence[Any], predictions: SpanPredictions) -> None:
        """doc.spans[spans_key] = the predicted spans (attrs["scores"]: their probabilities)."""
        spans, probs = predictions
        strings = self.vocab.strings
        labels = np.array([strings.add(label) for label in self.labels], dtype=np.uint64)
        offset = 0
        for doc, candidates in zip(docs, spans):
            doc_probs = probs[offset: offset + len(candidates)]
            offset += len(candidates)
            if self.single_label:
                doc.spans[self.key] = singlelabel_group(
                    doc, self.key, candidates, doc_probs, labels, threshold=self.cfg.get("threshold"),
                    allow_overlap=bool(self.cfg.get("allow_overlap", True)))
            else:
                doc.spans[self.key] = multilabel_group(
                    doc, self.key, candidates, doc_probs, labels, threshold=float(self.cfg["threshold"]),
                    max_positive=self.cfg.get("max_positive"))

    def set_candidates(self, docs: Iterable[Any], *, candidates_key: str = "candidates") -> None:
        """Write the suggester's candidates to doc.spans[candidates_key] (for debugging, spaCy's)."""
        docs = list(docs)
        for doc, candidates in zip(docs, self.suggest(docs)):
            doc.spans[candidates_key] = [doc[int(s):int(e)] for s, e in candidates]

    # ---- training -------------------------------------------------------------------
    def _gold(self, eg: Any) -> Optional[List[Tuple[int, int, str]]]:
        """Gold (start, end, label) on the predicted tokens; None when the reference has no
        doc.spans[spans_key] (not annotated). Spans that don't align exactly are dropped."""
        if self.key not in eg.reference.spans:
            return None
        aligned = eg.get_aligned_spans_y2x(eg.reference.spans[self.key], allow_overlap=True)
        return [(span.start, span.end, span.label_) for span in aligned]

    def _targets(self, examples: Sequence[Any], spans: List[np.ndarray]) -> Tuple[np.ndarray, np.ndarray]:
        """(gold label index per candidate and label (N, L) 0/1, annotated (N,) bool)."""
        index = {label: i for i, label in enumerate(self.labels)}
        n = sum(len(s) for s in spans)
        targets = np.zeros((n, len(self.labels)), dtype=np.float32)
        annotated = np.zeros(n, dtype=bool)
        offset = 0
        for eg, candidates in zip(examples, spans):
            gold = self._gold(eg)
            if gold is not None:
                annotated[offset: offset + len(candidates)] = True
                width = len(eg.predicted) + 1  # (start, end) -> one int key
                rows = dict(zip((candidates[:, 0] * width + candidates[:, 1]).tolist(),
                                range(offset, offset + len(candidates))))
                for start, end, label in gold:
                    row, k = rows.get(start * width + end), index.get(label)
                    if row is not None and k is not None:  # unsuggested spans and unknown labels: no target
                        targets[row, k] = 1.0
            offset += len(candidates)
        return targets, annotated

    def get_loss(self, examples: Sequence[Any], scores: SpanScores) -> torch.Tensor:
        """spancat: binary cross entropy summed over labels; spancat_singlelabel: cross
        entropy over labels + the negative label (negatives weighted by negative_weight).
        Mean over the candidates of annotated Docs."""
        spans, logits = scores
        targets_np, annotated_np = self._targets(examples, spans)
        if not annotated_np.any():
            return logits.sum() * 0.0  # nothing annotated: zero, still in the graph
        targets = torch.from_numpy(targets_np).to(logits.device)
        weights = torch.from_numpy(annotated_np).to(logits.device, logits.dtype)  # (N,)
        if self.single_label:
            negative = targets.sum(dim=1) == 0
            # Several gold labels on one span: the first one is its class.
            gold = torch.where(negative, len(self.labels), targets.argmax(dim=1))
            weights = torch.where(negative, weights * float(self.cfg.get("negative_weight", 1.0)), weights)
            per_span = nn.functional.cross_entropy(logits.float(), gold, reduction="none")
        else:
            per_span = nn.functional.binary_cross_entropy_with_logits(
                logits.float(), targets, reduction="none").sum(dim=1)
        return (per_span * weights).sum() / annotated_np.sum()

    def _labels_from_examples(self, examples: List[Any]) -> List[str]:
        labels: Set[str] = set()
        keys: Set[str] = set()
        for eg in examples:
            keys.update(eg.reference.spans)
            if self.key in eg.reference.spans:
                labels.update(span.label_ for span in eg.reference.spans[self.key] if span.label_)
        if not labels:
            raise HeronValueError(Errors.E984.format(name=self.name, key=self.key, keys=sorted(keys) or "(none)"))
        return sorted(labels)

    def initialize(self, get_examples: Optional[Callable[[], Iterable[Any]]] = None, *,
                   nlp: Any = None, labels: Optional[Iterable[str]] = None, **settings: Any) -> None:
        """Labels from `labels` or the reference docs' doc.spans[spans_key]; warns (W981)
        when the n-gram suggester can't propose some of the gold spans."""
        examples = self._examples(get_examples) if labels is None or callable(get_examples) else []
        if labels is None:
            labels = self._labels_from_examples(examples)
        super().initialize(None, nlp=nlp, labels=labels)
        self._warn_coverage(examples)

    def _warn_coverage(self, examples: List[Any]) -> None:
        sizes = getattr(self.suggester, "sizes", None)
        if not isinstance(self.suggester, _suggesters.NgramSuggester) or not sizes:
            return
        gold = [span for eg in examples if self.key in eg.reference.spans for span in eg.reference.spans[self.key]]
        missed = [span for span in gold if len(span) not in sizes]
        if missed:
            longest = max(missed, key=len)
            warn(Warnings.W981.format(name=self.name, covered=len(gold) - len(missed), total=len(gold), key=self.key,
                               share=(len(gold) - len(missed)) / len(gold), example=longest.text,
                               length=len(longest), max_len=max(len(s) for s in gold)))

    def _resize_output(self, n_labels: int) -> None:
        n_out = n_labels + 1 if self.single_label and n_labels else n_labels
        setting = getattr(self.model.scorer, "nO_setting", None)
        if setting and n_out and int(setting) != n_out:
            raise HeronValueError(Errors.E360.format(name=self.name, nO=setting, n_labels=n_out))
        old = self.model.nO
        self.model.resize(n_out)
        if self.single_label and old and n_out > old:
            _move_negative_row(self.model.scorer, old - 1, n_out - 1)

    def score(self, examples: Iterable[Any], **kwargs: Any) -> Dict[str, Any]:
        """spans_{key}_p/r/f and spans_{key}_per_type (heron.spancat_scorer.v1)."""
        scorer = self.scorer or _scorer_spans.score_span_group
        return scorer(list(examples), **{"spans_key": self.key, **kwargs})


def _device(model: nn.Module) -> torch.device:
    param = next(model.parameters(), None)
    return param.device if param is not None else torch.device("cpu")


def _move_negative_row(scorer: Any, old: int, new: int) -> None:
    """After adding labels to a single-label scorer, the negative label (last row) must
    stay last: move its trained row from `old` to `new` and zero the freed row."""
    with torch.no_grad():
        for param in (scorer.output.weight, scorer.output.bias):
            param[new] = param[old]
            param[old] = 0.0


def _check_settings(name: str, spans_key: Any, threshold: Any, max_positive: Any, negative_weight: Any,
                    single_label: bool) -> None:
    def bad(key: str, value: Any, detail: str, fix: str) -> HeronValueError:
        return HeronValueError(Errors.E980.format(name=name, key=key, value=value, detail=detail, fix=fix))

    if not isinstance(spans_key, str) or not spans_key:
        raise bad("spans_key", spans_key, "expected a non-empty string", "name the doc.spans key, e.g. \"sc\"")
    if threshold is None and single_label:
        pass
    elif isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not 0.0 <= threshold <= 1.0:
        raise bad("threshold", threshold, "expected a probability in [0, 1]",
                  "0.5 is spaCy's default; lower finds more spans (recall), higher fewer (precision)")
    if max_positive is not None and (isinstance(max_positive, bool) or not isinstance(max_positive, int)
                                     or max_positive < 1):
        raise bad("max_positive", max_positive, "expected null or an int >= 1",
                  "null keeps every label over the threshold; 1 keeps only the best label of a span")
    if isinstance(negative_weight, bool) or not isinstance(negative_weight, (int, float)) or negative_weight < 0:
        raise bad("negative_weight", negative_weight, "expected a number >= 0",
                  "1.0 weighs negative candidates like gold spans; 0.1-1.0 typical")


def _check_model(name: str, model: Any, single_label: bool) -> None:
    if not all(hasattr(model, part) for part in ("tok2vec", "reducer", "scorer")):
        raise HeronValueError(Errors.E986.format(name=name, got=type(model).__name__))
    activation = getattr(model.scorer, "activation", None)
    expected = "softmax" if single_label else "sigmoid"
    if activation != expected:
        layer = "heron.SpanSoftmax.v1" if single_label else "heron.LinearLogistic.v1"
        raise HeronValueError(Errors.E985.format(
            name=name, factory="spancat_singlelabel" if single_label else "spancat", expected=expected,
            got=f"{type(model.scorer).__name__} ({activation or 'unknown'} scores)", layer=layer))


@registry.factory(
    "spancat",
    default_config={"threshold": 0.5, "spans_key": DEFAULT_SPANS_KEY, "max_positive": None,
                    "model": DEFAULT_SPANCAT_MODEL, "suggester": DEFAULT_SUGGESTER,
                    "scorer": {"@scorers": "heron.spancat_scorer.v1"}},
    assigns=["doc.spans"],
    default_score_weights=SCORE_WEIGHTS,
)
def make_spancat(nlp: Nlp, name: str, suggester: Callable, model: nn.Module, spans_key: str = DEFAULT_SPANS_KEY,
                 scorer: Optional[Callable] = None, threshold: float = 0.5,
                 max_positive: Optional[int] = None) -> SpanCategorizer:
    """Label overlapping spans into doc.spans[spans_key], several labels per span allowed (spaCy's spancat).

    suggester (callable): docs -> one (n, 2) array of candidate (start, end) per Doc;
        heron.ngram_suggester.v1 (sizes [1, 2, 3]), heron.ngram_range_suggester.v1,
        heron.preset_spans_suggester.v1 or heron.noun_chunk_suggester.v1.
    model (nn.Module): heron.SpanCategorizer.v1 with a heron.LinearLogistic.v1 scorer.
    spans_key (str): the doc.spans key written and trained from; "sc" as spaCy.
    threshold (float): 0-1; a label is kept when its probability is >= threshold. Lower
        for recall, higher for precision.
    max_positive (int | null): keep at most this many labels per span (the most
        probable); null = no limit.
    scorer (callable | null): heron.spancat_scorer.v1 (spans_{key}_p/r/f).
    """
    return SpanCategorizer(nlp.vocab, model, suggester, name, spans_key=spans_key, threshold=threshold,
                           max_positive=max_positive, scorer=scorer)


@registry.factory(
    "spancat_singlelabel",
    default_config={"spans_key": DEFAULT_SPANS_KEY, "model": DEFAULT_SPANCAT_SINGLELABEL_MODEL,
                    "negative_weight": 1.0, "suggester": DEFAULT_SUGGESTER,
                    "scorer": {"@scorers": "heron.spancat_scorer.v1"}, "allow_overlap": True},
    assigns=["doc.spans"],
    default_score_weights=SCORE_WEIGHTS,
)
def make_spancat_singlelabel(nlp: Nlp, name: str, suggester: Callable, model: nn.Module,
                             spans_key: str = DEFAULT_SPANS_KEY, negative_weight: float = 1.0,
                             allow_overlap: bool = True,
                             scorer: Optional[Callable] = None) -> SpanCategorizer:
    """Give each candidate span one label or none into doc.spans[spans_key] (spaCy's spancat_singlelabel).

    suggester, spans_key, scorer: as spancat.
    model (nn.Module): heron.SpanCategorizer.v1 with a heron.SpanSoftmax.v1 scorer
        (softmax over the labels and a negative "no span" label).
    negative_weight (float): weight of the candidates that are no gold span in the
        loss; below 1 (e.g. 0.1-0.5) raises recall when gold spans are rare.
    allow_overlap (bool): false keeps, from the most probable down, only spans that
        overlap no kept span (ner-like output).
    """
    return SpanCategorizer(nlp.vocab, model, suggester, name, spans_key=spans_key, threshold=None,
                           scorer=scorer, single_label=True, negative_weight=negative_weight,
                           allow_overlap=allow_overlap)


__all__ = ["SpanCategorizer", "make_spancat", "make_spancat_singlelabel", "DEFAULT_SPANCAT_MODEL",
           "DEFAULT_SPANCAT_SINGLELABEL_MODEL", "DEFAULT_SPANS_KEY"]
