"""textcat: one label per text (exclusive classes, softmax), written to `doc.cats`.

    nlp.add_pipe("textcat")            # default model: BOW + CNN ensemble, like spaCy
    nlp.initialize(lambda: examples)   # labels from the reference docs' cats
    nlp("What a lovely day").cats      # {"NEG": 0.02, "POS": 0.98}: every label, summing to 1

Models (heron/nn/textcat.py) return (B, nO) logits; this component turns Docs into
their inputs: token vectors through `embed_docs` (any trunk kind: CNN or transformer
listener, inline CNN or transformer) and, for a bag-of-n-grams part, hashed n-gram rows
(featurize/ngrams.py). `doc.cats` always holds every label as a float.

Thresholds never change `doc.cats`: they decide which labels count as predicted when
scoring and in `decide(doc)`. textcat's `threshold` defaults to 0.0 (the best label
always counts, as in spaCy); `thresholds` ({label: t}, state saved in cfg.json, set by
`heron find-threshold --per-label` or `set_thresholds`) overrides it per label. They live
in cfg.json rather than config.cfg because label names need not be valid config keys.

Gold: `example.reference.cats`. A doc with no cats is unannotated (ignored); otherwise
exactly one known label must be positive (value > 0.5; E961), labels left out count as
0, and a label the component doesn't know is E962. textcat_multilabel
(textcat_multilabel.py) subclasses this with sigmoids and missing labels ignored.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from ..errors import Errors, HeronValueError, Warnings, warn
from ..featurize.ngrams import ngram_rows
from ..nn.textcat import DEFAULT_BOW_ROWS, TextCatBOW, TextCatEnsemble
from ..registry import registry
from .component import Nlp
from .listener import embed_docs, module_device
from .trainable import TrainablePipe

DEFAULT_BOW_MODEL: Dict[str, Any] = {
    "@architectures": "heron.TextCatBOW.v3", "exclusive_classes": True, "ngram_size": 1,
    "no_output_layer": False, "length": DEFAULT_BOW_ROWS, "nO": None,
}
# spaCy's default textcat model: the ensemble over a small inline CNN (width 64, depth 2).
DEFAULT_TEXTCAT_MODEL: Dict[str, Any] = {
    "@architectures": "heron.TextCatEnsemble.v2", "nO": None,
    "tok2vec": {"@architectures": "heron.HashEmbedCNN.v1", "pretrained_vectors": None, "width": 64,
                "depth": 2, "embed_size": 2000, "window_size": 1, "maxout_pieces": 3,
                "subword_features": True},
    "linear_model": DEFAULT_BOW_MODEL,
}
CATS_SCORE_WEIGHTS: Dict[str, Optional[float]] = {
    "cats_score": 1.0, "cats_score_desc": None, "cats_micro_p": None, "cats_micro_r": None,
    "cats_micro_f": None, "cats_macro_p": None, "cats_macro_r": None, "cats_macro_f": None,
    "cats_macro_auc": None, "cats_f_per_type": None, "cats_auc_per_type": None,
}
POSITIVE = 0.5  # a gold value above this marks the label as applying


def bow_model(*, exclusive: bool) -> Dict[str, Any]:
    """A heron.TextCatBOW.v3 block (unigrams, 2**18 rows): `init config -o efficiency`'s model."""
    return dict(DEFAULT_BOW_MODEL, exclusive_classes=exclusive)


def ensemble_model(*, exclusive: bool) -> Dict[str, Any]:
    model = copy.deepcopy(DEFAULT_TEXTCAT_MODEL)
    model["linear_model"]["exclusive_classes"] = exclusive
    return model


class TextCategorizer(TrainablePipe):
    """Text classifier writing `doc.cats` (see the module docstring)."""

    exclusive = True
    factory = "textcat"
    _sort_labels = True

    def __init__(self, vocab: Any, model: nn.Module, name: str = "textcat", *, threshold: float = 0.0,
                 scorer: Optional[Callable] = None):
        super().__init__(vocab, model, name, threshold=float(threshold), positive_label=None, thresholds={})
        self._check_model(model)
        check_threshold(name, "threshold", threshold)
        self.scorer = scorer

    def _check_model(self, model: nn.Module) -> None:
        if not all(hasattr(model, a) for a in ("exclusive_classes", "ngram_size", "resize", "nO")):
            raise HeronValueError(Errors.E966.format(name=self.name, obj=type(model).__name__))
        if bool(model.exclusive_classes) != self.exclusive:
            key = "linear_model.exclusive_classes" if isinstance(model, TextCatEnsemble) else "exclusive_classes"
            detail = "predicts one label per text" if self.exclusive else "predicts each label independently"
            raise HeronValueError(Errors.E960.format(
                name=self.name, factory=self.factory, detail=detail, key=key,
                value=str(bool(model.exclusive_classes)).lower(), expected=str(self.exclusive).lower()))

    # ---- forward --------------------------------------------------------------------
    def _forward(self, docs: Sequence[Any]) -> torch.Tensor:
        """Logits (B, nO) for `docs`."""
        model: Any = self.model
        if not model.nO:
            raise HeronValueError(Errors.E350.format(name=self.name, detail="it has no labels yet"))
        keys = offsets = None
        if model.ngram_size:
            device = module_device(model)
            rows, starts = ngram_rows(docs, ngram_size=model.ngram_size, n_rows=model.length)
            keys, offsets = torch.from_numpy(rows).to(device), torch.from_numpy(starts).to(device)
        if model.tok2vec is None:
            return model(keys, offsets)  # (B, nO): the BOW reads no token vectors
        X, mask = embed_docs(model.tok2vec, docs)  # (B, T, W), (B, T)
        return model(X, mask, keys, offsets)  # (B, nO)

    def _activate(self, logits: torch.Tensor) -> torch.Tensor:
        if getattr(self.model, "no_output_layer", False):
            return logits  # spaCy's no_output_layer: the raw linear scores
        return torch.softmax(logits, dim=-1) if self.exclusive else torch.sigmoid(logits)

    def _predictions(self, docs: Sequence[Any], scores: torch.Tensor) -> np.ndarray:
        """(B, nO) float32 label scores."""
        return self._activate(scores.float()).to("cpu").numpy()

    def set_annotations(self, docs: Sequence[Any], predictions: np.ndarray) -> None:
        labels = self.labels
        for doc, row in zip(docs, predictions.tolist()):
            doc.cats.update(zip(labels, row))

    # ---- decisions --------------------------------------------------------------------
    def threshold_of(self, label: str) -> float:
        """The threshold that decides `label`: its own (`thresholds`) or `threshold`."""
        return float((self.cfg.get("thresholds") or {}).get(label, self.cfg["threshold"]))

    def set_thresholds(self, thresholds: Dict[str, float]) -> None:
        """Per-label thresholds ({label: t}, 0 <= t <= 1) overriding `threshold`; {} clears them."""
        for label, value in thresholds.items():
            if label not in self.labels:
                raise HeronValueError(Errors.E968.format(
                    name=self.name, key=f"thresholds[{label!r}]", value=value,
                    detail=f"{label!r} is not one of the labels {list(self.labels)}"))
            check_threshold(self.name, f"thresholds[{label!r}]", value)
        self.cfg["thresholds"] = {label: float(t) for label, t in thresholds.items()}

    def decide(self, doc: Any) -> List[str]:
        """The labels of `doc.cats` that count as predicted: for textcat the best label
        if its score reaches its threshold ([] otherwise); the scorer counts the same."""
        cats = {label: doc.cats[label] for label in self.labels if label in doc.cats}
        if not cats:
            return []
        best = max(cats, key=cats.__getitem__)
        return [best] if cats[best] >= self.threshold_of(best) else []

    # ---- training -------------------------------------------------------------------
    def _truths(self, examples: Sequence[Any]) -> Tuple[np.ndarray, np.ndarray]:
        """(gold values (B, nO) float32, known (B, nO) bool) from the reference cats."""
        labels = self.labels
        index = {label: j for j, label in enumerate(labels)}
        truths = np.zeros((len(examples), len(labels)), dtype=np.float32)
        known = np.zeros((len(examples), len(labels)), dtype=bool)
        for i, eg in enumerate(examples):
            cats = eg.reference.cats
            if not cats:
                continue
            unknown = [label for label in cats if label not in index]
            if unknown:
                raise HeronValueError(Errors.E962.format(name=self.name, doc=i, text=_excerpt(eg),
                                                         unknown=unknown, labels=list(labels)))
            for label, value in cats.items():
                if not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:  # bools are ints
                    raise HeronValueError(Errors.E963.format(name=self.name, doc=i, text=_excerpt(eg),
                                                             label=label, value=value))
                truths[i, index[label]] = float(value)
                known[i, index[label]] = True
            self._check_row(i, eg, truths[i], known[i])
        return truths, known

    def _check_row(self, i: int, eg: Any, truth: np.ndarray, known: np.ndarray) -> None:
        """Exclusive classes: labels left out are 0; exactly one label is positive."""
        known[:] = True
        positive = [label for label, v in zip(self.labels, truth) if v > POSITIVE]
        if len(positive) != 1:
            raise HeronValueError(Errors.E961.format(name=self.name, doc=i, text=_excerpt(eg), n=len(positive),
                                                     positive=positive, labels=list(self.labels)))

    def get_loss(self, examples: Sequence[Any], scores: torch.Tensor) -> torch.Tensor:
        """Cross entropy over the annotated docs (mean); unannotated docs are ignored."""
        truths, known = self._truths(examples)
        rows = known.any(axis=1)
        if not rows.any():
            return scores.sum() * 0.0  # no gold in this batch: zero, still in the graph
        gold = torch.from_numpy(truths[rows]).to(scores.device)
        logits = scores[torch.from_numpy(rows).to(scores.device)]
        if getattr(self.model, "no_output_layer", False):
            return ((logits - gold) ** 2).mean()
        return nn.functional.cross_entropy(logits.float(), gold.argmax(dim=1))

    def _labels_from_examples(self, examples: List[Any]) -> List[str]:
        labels = {label for eg in examples for label in eg.reference.cats}
        if not labels:
            raise HeronValueError(Errors.E964.format(
                name=self.name, detail=f"none of the {len(examples)} reference docs has doc.cats"))
        return sorted(labels)

    def initialize(self, get_examples: Optional[Callable[[], Iterable[Any]]] = None, *, nlp: Any = None,
                   labels: Optional[Iterable[str]] = None, positive_label: Optional[str] = None,
                   **settings: Any) -> None:
        """Labels from `labels` or the reference cats; the gold is checked (E961-E963).

        positive_label (str | null): for a binary textcat, the label whose F is
            `cats_score` (spaCy's setting); null = macro F over both labels.
        """
        super().initialize(get_examples, nlp=nlp, labels=labels, **settings)
        if get_examples is not None and callable(get_examples):
            self._truths(list(get_examples()))  # coded errors now rather than mid-training
        if positive_label is not None:
            if positive_label not in self.labels:
                raise HeronValueError(Errors.E965.format(name=self.name, label=positive_label,
                                                         detail=f"is not one of the labels {list(self.labels)}"))
            if len(self.labels) != 2:
                raise HeronValueError(Errors.E965.format(
                    name=self.name, label=positive_label,
                    detail=f"needs exactly two labels, the component has {len(self.labels)}"))
        self.cfg["positive_label"] = positive_label
        self.cfg["thresholds"] = {k: v for k, v in (self.cfg.get("thresholds") or {}).items() if k in self.labels}
        if self.exclusive and len(self.labels) < 2:
            warn(Warnings.W962.format(name=self.name, labels=list(self.labels)))

    def _resize_output(self, n_labels: int) -> None:
        setting = getattr(self.model, "nO_setting", None)
        if setting and n_labels and int(setting) != n_labels:
            raise HeronValueError(Errors.E360.format(name=self.name, nO=setting, n_labels=n_labels))
        self.model.resize(n_labels)  # type: ignore[operator]

    def score(self, examples: Iterable[Any], **kwargs: Any) -> Dict[str, Any]:
        """spaCy's cats scores (cats_score, cats_macro_f, cats_macro_auc, ...), decided
        with this component's labels, threshold(s) and positive_label."""
        settings: Dict[str, Any] = {
            "labels": self.labels, "threshold": self.cfg["threshold"],
            "positive_label": self.cfg.get("positive_label"), "thresholds": self.cfg.get("thresholds") or None,
        }
        settings.update(kwargs)
        if self.scorer is not None:
            return self.scorer(list(examples), **settings)
        from .._scorer_cats import score_cats

        return score_cats(list(examples), "cats", multi_label=not self.exclusive, **settings)


def check_threshold(name: str, key: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise HeronValueError(Errors.E968.format(name=name, key=key, value=value,
                                                 detail="it must be a number from 0.0 to 1.0"))


def _excerpt(eg: Any) -> str:
    text = eg.reference.text
    return text if len(text) <= 60 else text[:57] + "..."


@registry.factory(
    "textcat",
    default_config={"model": DEFAULT_TEXTCAT_MODEL, "threshold": 0.0,
                    "scorer": {"@scorers": "heron.textcat_scorer.v2"}},
    assigns=["doc.cats"],
    default_score_weights=CATS_SCORE_WEIGHTS,
)
def make_textcat(nlp: Nlp, name: str, model: nn.Module, threshold: float = 0.0,
                 scorer: Optional[Callable] = None) -> TextCategorizer:
    """Classify whole texts into exactly one of several labels (doc.cats; spaCy's textcat).

    model (nn.Module): heron.TextCatEnsemble.v2 (default: BOW + a small inline CNN),
        heron.TextCatBOW.v3 (fastest, no trunk), heron.TextCatReduce.v1 or
        heron.TextCatParametricAttention.v1 (pooled trunk); exclusive_classes = true.
    threshold (float): 0.0-1.0; the best label counts as predicted (in scores and
        decide()) only if its score reaches it. 0.0 (spaCy's default) = always.
    scorer (callable | null): `scorer(examples, **settings) -> {"cats_score": ...}`;
        default heron.textcat_scorer.v2.
    """
    return TextCategorizer(nlp.vocab, model, name, threshold=threshold, scorer=scorer)


__all__ = ["TextCategorizer", "make_textcat", "DEFAULT_TEXTCAT_MODEL", "DEFAULT_BOW_MODEL",
           "CATS_SCORE_WEIGHTS", "bow_model", "ensemble_model", "check_threshold", "TextCatBOW"]
