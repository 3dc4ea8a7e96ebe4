"""ner: transition-based named entity recognizer (spaCy's `ner`, BILUO actions).

    ner = nlp.add_pipe("ner")           # inline tok2vec (independent), like spaCy
    # or listen to a shared trunk:
    [components.ner.model.tok2vec]
    @architectures = "heron.Tok2VecListener.v1"
    width = ${components.tok2vec.model.width}

The model (`heron.TransitionBasedParser.v1`, heron/nn/transition.py) scores one
BILUO action per token from a few context tokens of the current state; the
transition system is in `_biluo.py`. Each action consumes one token, so:

- decoding is greedy and batched: a loop over positions t with tensor ops across all
  Docs of the batch (validity mask from each Doc's state, argmax);
- training is teacher-forced in one batched expression: the gold action of every
  token comes from its aligned BILUO tag (`Example.get_aligned_ner()`), its gold
  state (and so its features) follows from the gold tags, and the loss is the cross
  entropy over VALID actions only, averaged over tokens with gold. Missing tags
  ("-"/None), labels the model doesn't know and tags inconsistent with their known
  neighbours are not trained as any particular action (only to keep the next known
  tag possible), so partially annotated Docs train correctly; "O" is a real negative.

Not supported yet (spaCy has them): preset entities constraining the actions,
blocked tokens, `incorrect_spans_key`, beam search, the dynamic oracle (heron trains
with teacher forcing on the gold states).

Predictions replace `doc.ents` (all tokens get an entity tag, like spaCy's ner).
Labels come from the reference entities in `initialize`, or `add_label`; adding a
label after training keeps the trained output rows and adds zeroed ones.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Dict, Iterable, List, Sequence

import numpy as np
import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..nn.tok2vec import DEFAULT_HASH_EMBED_CNN
from ..nn.transition import TransitionBasedParser  # also registers the architecture
from ..registry import registry
from ..tokens.attrs import ENT_ID, ENT_IOB, ENT_KB_ID, ENT_TYPE
from ..util import length_chunks
from ._biluo import BEGIN, UNIT, BiluoMoves, gold_oracle
from .component import Nlp
from .listener import embed_docs
from .trainable import TrainablePipe

DEFAULT_NER_MODEL: Dict[str, Any] = {
    "@architectures": "heron.TransitionBasedParser.v1",
    "state_type": "ner",
    "extra_state_tokens": False,
    "hidden_width": 64,
    "maxout_pieces": 2,
    "use_upper": True,
    "nO": None,
    # spaCy's default: an inline CNN, so the head works without a tok2vec component.
    "tok2vec": dict(DEFAULT_HASH_EMBED_CNN),
}

_ENT_ATTRS = [ENT_IOB, ENT_TYPE, ENT_KB_ID, ENT_ID]


@registry.factory(
    "ner",
    default_config={"model": DEFAULT_NER_MODEL},
    assigns=["doc.ents", "token.ent_iob", "token.ent_type"],
    default_score_weights={"ents_f": 1.0, "ents_p": 0.0, "ents_r": 0.0, "ents_per_type": None},
)
def make_ner(nlp: Nlp, name: str, model: nn.Module) -> "EntityRecognizer":
    """Predict named entities (doc.ents) with BILUO transitions (spaCy's ner).

    model (nn.Module): heron.TransitionBasedParser.v1 over a tok2vec (inline, or
        heron.Tok2VecListener.v1 to share a trunk). hidden_width 64-256; more is
        slower and helps only with much data.
    """
    return EntityRecognizer(nlp.vocab, model, name)


@dataclass
class NERTrainScores:
    """What `forward_train` hands to `get_loss`: scores and teacher-forcing targets.

    scores (B, T, nO) float; valid (B, T, nO) bool: actions valid in the gold state;
    accept (B, T, nO) bool: actions that cost nothing; keep (B, T) bool: tokens in
    the loss (gold known, or a missing tag constrained by its neighbour).
    """

    scores: torch.Tensor
    valid: torch.Tensor
    accept: torch.Tensor
    keep: torch.Tensor


# Padded tokens per NER decoding chunk (see EntityRecognizer._forward).
DECODE_CHUNK_ITEMS = 8192


class EntityRecognizer(TrainablePipe):
    """Transition-based NER; see the module docstring."""

    _sort_labels = True
    model: TransitionBasedParser

    def __init__(self, vocab: Any, model: nn.Module, name: str = "ner"):
        if getattr(model, "state_type", None) == "parser":
            raise HeronValueError(Errors.E380.format(name=name))
        super().__init__(vocab, model, name)
        self.moves = BiluoMoves()
        self._nO_setting = getattr(model, "nO", None)

    @property
    def move_names(self) -> List[str]:
        """Action names by id, e.g. ["O", "B-ORG", "I-ORG", "L-ORG", "U-ORG", ...]."""
        return self.moves.move_names

    # ---- inference --------------------------------------------------------------
    def _embed(self, docs: Sequence[Any]):
        if self.model.nO is None or not self.labels:
            raise HeronValueError(Errors.E386.format(name=self.name, action="predict or train"))
        X, mask = embed_docs(self.model.tok2vec, docs)
        return X, mask.sum(dim=1)

    def _forward(self, docs: Sequence[Any]) -> torch.Tensor:
        """Greedy actions (B, T) (-1 on padding) for `docs`, batched across Docs.

        Docs decode in lockstep, one step per position of the longest Doc, so a batch
        mixing a 300-token Doc with 40-token ones would mostly compute padding. Docs are
        sorted by length and decoded in chunks of at most DECODE_CHUNK_ITEMS padded
        tokens; each Doc's actions do not depend on its chunk.
        """
        X, lengths = self._embed(docs)
        tables = self.moves.tables()
        B, T = X.shape[:2]
        actions = torch.full((B, T), -1, dtype=torch.long, device=X.device)
        for chunk in length_chunks(lengths.to("cpu").numpy(), DECODE_CHUNK_ITEMS):
            idx = torch.as_tensor(chunk, device=X.device)
            chunk_lengths = lengths.index_select(0, idx)
            longest = int(chunk_lengths.max())
            if longest:
                actions[idx, :longest] = self.model.greedy_decode(X[idx, :longest], chunk_lengths, tables)
        return actions

    def _predictions(self, docs: Sequence[Any], actions: torch.Tensor) -> List[np.ndarray]:
        """One int64 array of action ids per Doc."""
        rows = actions.to("cpu").numpy()
        return [rows[i, :len(doc)] for i, doc in enumerate(docs)]

    def set_annotations(self, docs: Sequence[Any], predictions: Sequence[np.ndarray]) -> None:
        """Replace each Doc's entities with the predicted ones (others become "O")."""
        # Entity columns for the whole batch at once (numpy), then one from_array per
        # Doc: B/U -> "B" (3), I/L -> "I" (1), O -> "O" (2); kb ids and span ids are
        # cleared, as `doc.ents = ...` would.
        docs = list(docs)
        if not docs:
            return
        strings = self.vocab.strings
        types = np.asarray([0] + [strings.add(label) for label in self.labels], dtype=np.uint64)
        a = np.concatenate([np.asarray(p, dtype=np.int64) for p in predictions] or [np.zeros(0, np.int64)])
        a = a.astype(np.int64)
        cols = np.zeros((len(a), 4), dtype=np.uint64)
        kind = (a - 1) % 4
        cols[:, 0] = np.where(a <= 0, 2, np.where((kind == BEGIN) | (kind == UNIT), 3, 1))
        cols[:, 1] = types[np.where(a > 0, (a - 1) // 4 + 1, 0)]
        start = 0
        for doc in docs:
            n = len(doc)
            if n:
                doc.from_array(_ENT_ATTRS, cols[start:start + n])
            start += n

    # ---- training ---------------------------------------------------------------
    def forward_train(self, examples: Sequence[Any]) -> NERTrainScores:
        """Teacher-forced scores for every token of the predicted Docs at once."""
        examples = list(examples)
        self.model.train()
        with torch.enable_grad():
            X, lengths = self._embed([eg.predicted for eg in examples])
            B, T = X.shape[:2]
            gold, states, e0, need = (torch.from_numpy(x).to(X.device)
                                      for x in self._gold_arrays(examples, B, T))
            scores = self.model(X, lengths, e0)                                    # (B, T, nO)
        tables = self.moves.tables()
        pos = torch.arange(T, device=X.device).unsqueeze(0)
        is_last = (pos == (lengths - 1).unsqueeze(1)).long()                       # (B, T)
        valid = tables.valid.to(X.device)[is_last, states]                         # (B, T, nO)
        # Tokens with gold: exactly their action. Tokens without: any valid action that
        # keeps the next token's known tag possible (so "missing" never means "O").
        accept = tables.reaches.to(X.device)[need.clamp(min=0)] & valid
        accept = torch.where((gold >= 0).unsqueeze(-1),
                             nn.functional.one_hot(gold.clamp(min=0), valid.shape[-1]).bool(), accept)
        keep = (gold >= 0) | ((need >= 0) & accept.any(-1) & (accept != valid).any(-1))
        return NERTrainScores(scores, valid, accept, keep)

    def _gold_arrays(self, examples: Sequence[Any], B: int, T: int):
        """(gold, states, e0, need), each (B, T) int64, from the aligned BILUO tags."""
        out = [np.full((B, T), -1, dtype=np.int64), np.zeros((B, T), dtype=np.int64),
               np.full((B, T), -1, dtype=np.int64), np.full((B, T), -1, dtype=np.int64)]
        for row, eg in enumerate(examples):
            tags = eg.get_aligned_ner()
            n = min(len(tags), T)
            for array, values in zip(out, gold_oracle(self.moves.action_ids(tags[:n]))):
                array[row, :n] = values
        return out

    def get_loss(self, examples: Sequence[Any], scores: NERTrainScores) -> torch.Tensor:
        """-log P(acceptable actions) over the valid ones, mean over constrained tokens.

        For a token with gold this is the cross entropy of its gold action; for a
        token without gold but with a known next tag, the probability of all the
        actions that keep that tag possible is maximised (an entity there is fine).
        """
        if not bool(scores.keep.any()):
            return scores.scores.sum() * 0.0  # no gold in this batch: zero, still in the graph
        logits = scores.scores[scores.keep]                                        # (N, nO)
        total = logits.masked_fill(~scores.valid[scores.keep], float("-inf")).logsumexp(-1)
        good = logits.masked_fill(~scores.accept[scores.keep], float("-inf")).logsumexp(-1)
        return (total - good).mean()

    # ---- labels -----------------------------------------------------------------
    def _check_label(self, label: Any) -> None:
        if not isinstance(label, str) or label in ("", "-", "O"):
            raise HeronValueError(Errors.E385.format(label=repr(label)))

    def _labels_from_examples(self, examples: List[Any]) -> List[str]:
        labels = {ent.label_ for eg in examples for ent in eg.reference.ents}
        if not labels:
            raise HeronValueError(Errors.E359.format(
                name=self.name, detail="found no entities in the reference docs"))
        return sorted(labels)

    def _resize_output(self, n_labels: int) -> None:
        """Rebuild the moves from the labels and size the model's output to them.

        If the labels only grew (add_label), existing action rows are kept; if their
        order changed (a fresh initialize), the output layer starts anew.
        """
        labels = list(self.labels)
        if self.moves.labels != labels[:len(self.moves.labels)]:
            self.model.reset_output()  # order changed: old rows would be misassigned
            self.moves = BiluoMoves()
        for label in labels:
            self.moves.add_label(label)
        n_moves = self.moves.n_moves
        if self._nO_setting and labels and self._nO_setting != n_moves:
            raise HeronValueError(Errors.E387.format(nO=self._nO_setting, n_moves=n_moves,
                                                     labels=labels))
        if labels:
            self.model.resize_output(n_moves)

    def score(self, examples: Iterable[Any], **kwargs: Any) -> Dict[str, Any]:
        """ents_p, ents_r, ents_f (fractions in [0, 1]) and ents_per_type, like spaCy.

        Predicted entities over gold tokens with missing annotation are not counted.
        """
        from ..scorer import get_ner_prf

        return get_ner_prf(list(examples), **kwargs)


__all__ = ["EntityRecognizer", "make_ner", "DEFAULT_NER_MODEL", "NERTrainScores"]
