"""senter: a trainable sentence boundary classifier (spaCy's SentenceRecognizer).

Each token is tagged "S" (starts a sentence) or "I" (doesn't) by the same machinery
as the tagger (`heron.Tagger.v1` with 2 outputs), and `token.is_sent_start` is set.
Like spaCy's, the default model owns a small inline tok2vec (width 12, depth 1); point
`model.tok2vec` at a `heron.Tok2VecListener.v1` to share a trunk instead.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence

import numpy as np
from torch import nn

from ..registry import registry
from ..tokens.attrs import SENT_START
from .component import Nlp
from .tagger import Tagger, write_column

LABELS = ("I", "S")  # index 1 = sentence start
DEFAULT_SENTER_MODEL: Dict[str, Any] = {
    "@architectures": "heron.Tagger.v1",
    "nO": None,
    "tok2vec": {
        "@architectures": "heron.HashEmbedCNN.v1",
        "pretrained_vectors": None,
        "width": 12,
        "depth": 1,
        "embed_size": 2000,
        "window_size": 1,
        "maxout_pieces": 2,
        "subword_features": True,
    },
}


@registry.factory(
    "senter",
    default_config={"model": DEFAULT_SENTER_MODEL, "overwrite": False,
                    "scorer": {"@scorers": "heron.senter_scorer.v1"}},
    assigns=["token.is_sent_start"],
    default_score_weights={"sents_f": 1.0, "sents_p": 0.0, "sents_r": 0.0},
)
def make_senter(nlp: Nlp, name: str, model: nn.Module, overwrite: bool = False,
                scorer: Optional[Callable] = None) -> "SentenceRecognizer":
    """Predict sentence boundaries (token.is_sent_start).

    model (nn.Module): heron.Tagger.v1 (2 outputs) over a tok2vec (inline or a listener).
    overwrite (bool): replace boundaries set earlier (e.g. by a sentencizer); false
        sets only tokens whose boundary is still unknown.
    scorer (callable | null): `scorer(examples) -> {"sents_f": ...}`; default
        heron.senter_scorer.v1.
    """
    return SentenceRecognizer(nlp.vocab, model, name, overwrite=overwrite, scorer=scorer)


class SentenceRecognizer(Tagger):
    """Binary per-token classifier writing SENT_START."""

    attr = "SENT_START"
    _sort_labels = False

    def __init__(self, vocab: Any, model: nn.Module, name: str = "senter", *, overwrite: bool = False,
                 scorer: Optional[Callable] = None):
        super().__init__(vocab, model, name, overwrite=overwrite, scorer=scorer)
        self.cfg["labels"] = list(LABELS)
        self._resize_output(len(LABELS))

    def add_label(self, label: str) -> int:
        """The labels are fixed ("I", "S")."""
        return 0

    def initialize(self, get_examples: Any = None, *, nlp: Any = None,
                   labels: Optional[Iterable[str]] = None, **settings: Any) -> None:
        """Nothing to collect: the labels are fixed. Checks get_examples if given."""
        if get_examples is not None:
            self._examples(get_examples)
        self.cfg["labels"] = list(LABELS)
        self._resize_output(len(LABELS))

    def _gold(self, eg: Any) -> List[Optional[str]]:
        return [None if s is None else LABELS[1 if s == 1 else 0] for s in eg.get_aligned_sent_starts()]

    def set_annotations(self, docs: Sequence[Any], predictions: Sequence[np.ndarray]) -> None:
        """SENT_START 1 where "S" is predicted, -1 elsewhere; token 0 always starts."""
        overwrite = bool(self.cfg.get("overwrite", False))
        for doc, ids in zip(docs, predictions):
            if not len(doc):
                continue
            values = np.where(np.asarray(ids) == 1, 1, -1).astype(np.int8)  # SENT_START's dtype
            values[0] = 1
            write_column(doc, SENT_START, values, overwrite)

    def score(self, examples: Iterable[Any], **kwargs: Any) -> Dict[str, Any]:
        """sents_p, sents_r, sents_f over the predicted sentence boundaries."""
        if self.scorer is not None:
            return self.scorer(list(examples), **kwargs)
        from ..scorer import score_sents

        return score_sents(list(examples), **kwargs)


__all__ = ["SentenceRecognizer", "make_senter", "DEFAULT_SENTER_MODEL"]
