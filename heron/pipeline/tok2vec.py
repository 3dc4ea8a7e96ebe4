"""tok2vec: the shared token-to-vector trunk that heads listen to.

    [components.tok2vec]
    factory = "tok2vec"

    [components.tok2vec.model]
    @architectures = "heron.HashEmbedCNN.v1"
    width = 96
    ...

    [components.tagger.model.tok2vec]
    @architectures = "heron.Tok2VecListener.v1"
    width = ${components.tok2vec.model.width}

The trunk runs ONCE per batch however many heads listen (the memoised
`forward_batch` of pipeline/trunk.py, shared with the transformer). At inference it
also writes `doc.tensor` (numpy float32 (n_tokens, width)) so later components and
users can read it.

Static vectors: a model with a static-vectors layer (MultiHashEmbed with
include_static_vectors, HashEmbedCNN with pretrained_vectors, heron.StaticVectors.v1)
reads `nlp.vocab.vectors`. `initialize` sizes its projection from the table and
records the table's name and shape in cfg.json; initialising again or loading
refuses other vectors (or none) with E654, since a projection trained on one table
is meaningless for another.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..nn.static_vectors import set_vectors_dim, vectors_attr
from ..nn.tok2vec import DEFAULT_HASH_EMBED_CNN
from ..registry import registry
from .component import Nlp
from .listener import embed_docs
from .trunk import Trunk

DEFAULT_TOK2VEC_MODEL: Dict[str, Any] = dict(DEFAULT_HASH_EMBED_CNN)


@registry.factory(
    "tok2vec",
    default_config={"model": DEFAULT_TOK2VEC_MODEL},
    assigns=["doc.tensor"],
    default_score_weights={},
)
def make_tok2vec(nlp: Nlp, name: str, model: nn.Module) -> "Tok2Vec":
    """The shared trunk (spaCy's tok2vec component).

    model (nn.Module): a token-to-vector architecture with `.attrs` and `.width`,
        e.g. heron.HashEmbedCNN.v1 (width 96, depth 4, embed_size 2000 by default)
        or heron.Tok2Vec.v1(embed, encode). Heads listen to it with
        heron.Tok2VecListener.v1(width = this width).
    """
    return Tok2Vec(nlp.vocab, model, name)


class Tok2Vec(Trunk):
    """A CNN trunk component: `forward_batch(docs) -> (X (B, T, W), mask (B, T))`, memoised
    (see pipeline/trunk.py); at inference it writes doc.tensor."""

    def __init__(self, vocab: Any, model: nn.Module, name: str = "tok2vec"):
        super().__init__(vocab, model, name)

    def _embed(self, docs: List[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        return embed_docs(self.model, docs)  # (B, T, W), (B, T)

    def _grad_target(self, output: Tuple[torch.Tensor, torch.Tensor]) -> torch.Tensor:
        return output[0]

    def set_annotations(self, docs: Sequence[Any], scores: Tuple[torch.Tensor, torch.Tensor]) -> None:
        """Write doc.tensor = the trunk's output rows for each doc (float32 numpy)."""
        X, mask = scores
        lengths = mask.sum(dim=1).tolist()
        rows = X.detach().to("cpu", torch.float32).numpy()
        for i, doc in enumerate(docs):
            doc.tensor = np.ascontiguousarray(rows[i, : lengths[i]])

    def initialize(self, get_examples: Any = None, *, nlp: Any = None, **settings: Any) -> None:
        """Check the trunk can run. A model that uses static vectors needs them loaded
        (E356); its projection is sized from them and their name and shape recorded
        (a component trained with other vectors refuses these: E654)."""
        if vectors_attr(self.model) is None:
            return
        vectors = _loaded_vectors(nlp.vocab if nlp is not None else self.vocab)
        if vectors is None:
            raise HeronValueError(Errors.E356.format(name=self.name))
        current = vectors_info(vectors)
        saved = self.cfg.get("vectors")
        if saved and _differ(saved, current):
            raise HeronValueError(Errors.E654.format(
                name=self.name, when="can't be initialised", saved=_describe(saved), current=_describe(current)))
        set_vectors_dim(self.model, current["shape"][1])
        self.cfg["vectors"] = current

    def _load_state(self, state: Dict[str, Any]) -> None:
        """cfg.json read by from_disk/from_bytes: size the static-vectors projection from
        the recorded shape (before the weights load) and check the vocab's vectors."""
        super()._load_state(state)
        saved = self.cfg.get("vectors")
        if not saved or vectors_attr(self.model) is None:
            return
        vectors = _loaded_vectors(self.vocab)
        current = vectors_info(vectors) if vectors is not None else None
        if current is None or _differ(saved, current):
            raise HeronValueError(Errors.E654.format(
                name=self.name, when="can't be loaded", saved=_describe(saved), current=_describe(current)))
        set_vectors_dim(self.model, saved["shape"][1])


def _loaded_vectors(vocab: Any) -> Any:
    """vocab.vectors if it holds a non-empty table, else None."""
    vectors = getattr(vocab, "vectors", None)
    shape = getattr(vectors, "shape", None)
    if vectors is None or shape is None or not (shape[0] and shape[-1]):
        return None
    return vectors


def vectors_info(vectors: Any) -> Dict[str, Any]:
    """What identifies a vectors table for a trained model: {"name", "shape"}."""
    name = getattr(vectors, "name", None)
    return {"name": None if name is None else str(name), "shape": [int(n) for n in vectors.shape]}


def _differ(saved: Dict[str, Any], current: Dict[str, Any]) -> bool:
    return saved.get("name") != current.get("name") or list(saved.get("shape", ())) != current["shape"]


def _describe(info: Optional[Dict[str, Any]]) -> str:
    if not info:
        return "no vectors"
    return f"name {info.get('name')!r}, shape {tuple(info.get('shape', ()))}"


__all__ = ["Tok2Vec", "make_tok2vec", "DEFAULT_TOK2VEC_MODEL"]
