"""tagger: predicts the fine-grained part-of-speech tag (`token.tag_`) of each token.

    nlp.add_pipe("tagger")              # inline tok2vec (independent), like spaCy
    # or listen to a shared trunk:
    [components.tagger.model.tok2vec]
    @architectures = "heron.Tok2VecListener.v1"
    width = ${components.tok2vec.model.width}

The model (`heron.Tagger.v1`) is one linear softmax layer over the tok2vec output.
Labels are collected in `initialize` from the reference docs (aligned to heron's
tokens through the Example alignment); tokens whose gold tag is missing or doesn't
align are ignored by the loss.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Set, Tuple

import numpy as np
import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..nn.tok2vec import DEFAULT_HASH_EMBED_CNN
from ..registry import registry
from ..tokens.attrs import TAG
from .component import Nlp
from .listener import embed_docs, module_device
from .trainable import TrainablePipe

DEFAULT_TAGGER_MODEL: Dict[str, Any] = {
    "@architectures": "heron.Tagger.v1",
    "nO": None,
    # spaCy's default: an inline CNN, so the head works without a tok2vec component.
    "tok2vec": dict(DEFAULT_HASH_EMBED_CNN),
}
IGNORE = -100  # target id of tokens without gold: skipped by cross_entropy


class TaggerModel(nn.Module):
    """tok2vec -> Linear(width, nO) scores per token.

    The tok2vec (a listener or an inline module) is run by the component through
    `embed_docs`, so this module only sees tensors: forward(X (B, T, W)) -> (B, T, nO).
    `output` is None until the number of labels is known (`resize(n)`).
    """

    def __init__(self, tok2vec: nn.Module, nO: Optional[int] = None):
        super().__init__()
        self.tok2vec = tok2vec
        self.width = int(getattr(tok2vec, "width"))  # listener or inline trunk: both declare it
        self.nO_setting = nO
        self.output: Optional[nn.Linear] = None
        if nO:
            self.resize(int(nO))

    @property
    def nO(self) -> int:
        return 0 if self.output is None else self.output.out_features

    def resize(self, n: int) -> None:
        """Make the output layer `n` wide, keeping the rows of the first min(n, old) labels."""
        if n == self.nO or n <= 0:
            return
        old = self.output
        new = nn.Linear(self.width, n)
        device = module_device(self)
        with torch.no_grad():
            new.weight.zero_()
            new.bias.zero_()
            if old is not None:
                keep = min(n, old.out_features)
                new.weight[:keep] = old.weight[:keep]
                new.bias[:keep] = old.bias[:keep]
        self.output = new.to(device)

    def forward(self, X: torch.Tensor) -> torch.Tensor:
        if self.output is None:  # no labels yet: the component raises E350 before this
            raise RuntimeError("TaggerModel.forward before resize(n_labels)")
        return self.output(X)  # (..., W) -> (..., nO)


@registry.architectures("heron.Tagger.v1")
def build_tagger_model(*, tok2vec: nn.Module, nO: Optional[int] = None) -> TaggerModel:
    """A linear softmax layer over token vectors.

    tok2vec (nn.Module): heron.Tok2VecListener.v1 (shared trunk) or an inline
        heron.HashEmbedCNN.v1 / heron.Tok2Vec.v1 (independent).
    nO (int | null): number of labels; null = sized from the labels at initialize.
    """
    return TaggerModel(tok2vec, nO)


class Tagger(TrainablePipe):
    """Token classifier writing `attr` ("TAG") from `model` scores."""

    attr = "TAG"
    _sort_labels = True
    model: TaggerModel

    def __init__(self, vocab: Any, model: nn.Module, name: str = "tagger", *,
                 overwrite: bool = False, label_smoothing: float = 0.0,
                 scorer: Optional[Callable] = None):
        super().__init__(vocab, model, name, overwrite=bool(overwrite),
                         label_smoothing=float(label_smoothing))
        self.scorer = scorer

    # ---- forward --------------------------------------------------------------------
    def _forward(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        """(scores (N, nO) for the N real tokens of the batch in order, mask (B, T)).
        Padding rows never go through the output layer: with hundreds of labels
        (morphologizer, lemmatizer) that layer dominates a head's cost, and a batch
        sorted by nothing is often a third padding."""
        if self.model.output is None:
            raise HeronValueError(Errors.E350.format(name=self.name, detail="it has no labels yet"))
        X, mask = embed_docs(self.model.tok2vec, docs)  # (B, T, W), (B, T)
        return self.model(X[mask]), mask

    def _predictions(self, docs: Sequence[Any], scores: Tuple[torch.Tensor, torch.Tensor]) -> List[np.ndarray]:
        """Best label id per token, one int array per doc."""
        logits, mask = scores
        best = logits.argmax(dim=-1).to("cpu").numpy()  # (N,)
        return np.split(best, np.cumsum(mask.sum(dim=1).to("cpu").numpy())[:-1])

    def set_annotations(self, docs: Sequence[Any], predictions: Sequence[np.ndarray]) -> None:
        strings = self.vocab.strings
        table = np.asarray([strings.add(label) for label in self.labels] or [0], dtype=np.uint64)
        overwrite = bool(self.cfg.get("overwrite", False))
        for doc, ids in zip(docs, predictions):
            if len(doc):
                write_column(doc, TAG, table[np.asarray(ids, dtype=np.int64)], overwrite)

    # ---- training -------------------------------------------------------------------
    def _gold(self, eg: Any) -> List[Optional[str]]:
        return eg.get_aligned(self.attr, as_string=True)

    def get_loss(self, examples: Sequence[Any], scores: Tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        """Cross entropy over tokens with a gold tag (mean); others are ignored."""
        logits, mask = scores
        targets = self._targets(examples, tuple(mask.shape), logits.device)[mask]  # (N,)
        if not bool((targets != IGNORE).any()):
            return logits.sum() * 0.0  # no gold in this batch: zero, still in the graph
        return nn.functional.cross_entropy(logits, targets, ignore_index=IGNORE,
                                           label_smoothing=self.cfg.get("label_smoothing", 0.0))

    def _targets(self, examples: Sequence[Any], shape: Sequence[int], device: Any) -> torch.Tensor:
        index = {label: i for i, label in enumerate(self.labels)}
        targets = np.full(tuple(shape), IGNORE, dtype=np.int64)
        for row, eg in enumerate(examples):
            gold = self._gold(eg)
            targets[row, : len(gold)] = [index.get(g, IGNORE) if g else IGNORE for g in gold]
        return torch.from_numpy(targets).to(device)

    def _labels_from_examples(self, examples: List[Any]) -> List[str]:
        labels: Set[str] = set()
        for eg in examples:
            labels.update(tag for tag in self._gold(eg) if tag)
        if not labels:
            raise HeronValueError(Errors.E359.format(
                name=self.name, detail=f"found no {self.attr} annotation in the reference docs"))
        return sorted(labels)

    def _resize_output(self, n_labels: int) -> None:
        setting = self.model.nO_setting
        if setting and n_labels and int(setting) != n_labels:
            raise HeronValueError(Errors.E360.format(name=self.name, nO=setting, n_labels=n_labels))
        self.model.resize(n_labels)

    def score(self, examples: Iterable[Any], **kwargs: Any) -> Dict[str, Any]:
        """{"tag_acc": fraction of aligned gold-tagged tokens tagged correctly}."""
        if self.scorer is not None:
            return self.scorer(list(examples), **kwargs)
        from ..scorer import score_token_attr

        return score_token_attr(list(examples), "tag", **kwargs)


def write_column(doc: Any, attr: int, values: np.ndarray, overwrite: bool) -> None:
    """Set annotation column `attr` of `doc` to `values` (0 = unset); without `overwrite`
    only unset tokens change. Writes the Doc's column dict directly (see
    tokens/doc.py): Doc.from_array validates and converts, which cost ~15% of
    inference time here, and these values are valid by construction."""
    current = doc._cols.get(attr)
    if current is not None and not overwrite:
        values = np.where(current == 0, values, current)
    doc._cols[attr] = values.astype(current.dtype if current is not None else values.dtype, copy=False)


@registry.factory(
    "tagger",
    default_config={"model": DEFAULT_TAGGER_MODEL, "overwrite": False, "label_smoothing": 0.0,
                    "scorer": {"@scorers": "heron.tagger_scorer.v1"}},
    assigns=["token.tag"],
    default_score_weights={"tag_acc": 1.0},
)
def make_tagger(nlp: Nlp, name: str, model: nn.Module, overwrite: bool = False,
                label_smoothing: float = 0.0, scorer: Optional[Callable] = None) -> "Tagger":
    """Predict token.tag_ (spaCy's tagger).

    model (nn.Module): heron.Tagger.v1 over a tok2vec (inline or a listener).
    overwrite (bool): replace tags already set (e.g. by a rule); false fills only
        tokens without a tag.
    label_smoothing (float): 0.0-0.2 typical; spreads that much probability mass
        over the other tags in the loss (a mild regulariser).
    scorer (callable | null): `scorer(examples) -> {"tag_acc": ...}`; default
        heron.tagger_scorer.v1.
    """
    return Tagger(nlp.vocab, model, name, overwrite=overwrite, label_smoothing=label_smoothing,
                  scorer=scorer)


__all__ = ["Tagger", "TaggerModel", "make_tagger", "build_tagger_model", "DEFAULT_TAGGER_MODEL"]
