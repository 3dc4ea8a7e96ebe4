"""textcat_multilabel: any number of labels per text (independent sigmoids), in `doc.cats`.

    nlp.add_pipe("textcat_multilabel")
    nlp("I can't believe it, so happy!").cats   # {"joy": 0.91, "surprise": 0.64, "anger": 0.03}

Everything but the output and the gold is textcat's (pipeline/textcat.py): same models
(with exclusive_classes = false), same inputs, same thresholds and serialisation.
Each label is its own yes/no decision: `threshold` (default 0.5, spaCy's) or its
per-label `thresholds` entry decides it. A label missing from a reference doc's cats is
unknown and left out of the loss (so partially annotated data trains); a doc may have
no positive label at all.
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence

import numpy as np
import torch
from torch import nn

from ..registry import registry
from .component import Nlp
from .textcat import CATS_SCORE_WEIGHTS, TextCategorizer, ensemble_model


class MultiLabelTextCategorizer(TextCategorizer):
    """Multilabel text classifier writing `doc.cats` (see the module docstring)."""

    exclusive = False
    factory = "textcat_multilabel"

    def __init__(self, vocab: Any, model: nn.Module, name: str = "textcat_multilabel", *,
                 threshold: float = 0.5, scorer: Optional[Callable] = None):
        super().__init__(vocab, model, name, threshold=threshold, scorer=scorer)

    def _check_row(self, i: int, eg: Any, truth: np.ndarray, known: np.ndarray) -> None:
        """Labels left out stay unknown; any number of labels may apply."""

    def decide(self, doc: Any) -> List[str]:
        """The labels whose score in `doc.cats` reaches their threshold."""
        return [label for label in self.labels
                if label in doc.cats and doc.cats[label] >= self.threshold_of(label)]

    def get_loss(self, examples: Sequence[Any], scores: torch.Tensor) -> torch.Tensor:
        """Binary cross entropy per (doc, label) with gold, averaged; unknown labels are ignored."""
        truths, known = self._truths(examples)
        if not known.any():
            return scores.sum() * 0.0  # no gold in this batch: zero, still in the graph
        gold = torch.from_numpy(truths).to(scores.device)
        weight = torch.from_numpy(known).to(scores.device, scores.dtype)
        if getattr(self.model, "no_output_layer", False):
            per_cell = (scores - gold) ** 2
        else:
            per_cell = nn.functional.binary_cross_entropy_with_logits(scores.float(), gold, reduction="none")
        return (per_cell * weight).sum() / weight.sum()


@registry.factory(
    "textcat_multilabel",
    default_config={"model": ensemble_model(exclusive=False), "threshold": 0.5,
                    "scorer": {"@scorers": "heron.textcat_multilabel_scorer.v2"}},
    assigns=["doc.cats"],
    default_score_weights=CATS_SCORE_WEIGHTS,
)
def make_multilabel_textcat(nlp: Nlp, name: str, model: nn.Module, threshold: float = 0.5,
                            scorer: Optional[Callable] = None) -> MultiLabelTextCategorizer:
    """Classify whole texts with any number of labels each (doc.cats; spaCy's textcat_multilabel).

    model (nn.Module): heron.TextCatEnsemble.v2 (default: BOW + a small inline CNN),
        heron.TextCatBOW.v3, heron.TextCatReduce.v1 or heron.TextCatParametricAttention.v1,
        with exclusive_classes = false.
    threshold (float): 0.0-1.0, default 0.5; a label counts as predicted (in scores and
        decide()) when its score reaches it. Tune it with `heron find-threshold`.
    scorer (callable | null): default heron.textcat_multilabel_scorer.v2.
    """
    return MultiLabelTextCategorizer(nlp.vocab, model, name, threshold=threshold, scorer=scorer)


__all__ = ["MultiLabelTextCategorizer", "make_multilabel_textcat"]
