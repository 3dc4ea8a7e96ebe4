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

The trunk runs ONCE per batch however many heads listen: `forward_batch(docs)` is
memoised on the batch (the identities of its Docs; the cache keeps the Docs alive so
the identities can't be reused). At inference it also writes `doc.tensor` (numpy
float32 (n_tokens, width)) so later components and users can read it. The trunk has
no loss of its own: it learns from the gradients its listeners send back; the
"loss" reported for it (like spaCy's) is the summed squared gradient it received.

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
from ..language import Language
from ..nn.static_vectors import set_vectors_dim, vectors_attr
from ..nn.tok2vec import DEFAULT_HASH_EMBED_CNN
from .listener import Tok2VecListener, embed_docs, module_device
from .trainable import TrainablePipe

DEFAULT_TOK2VEC_MODEL: Dict[str, Any] = dict(DEFAULT_HASH_EMBED_CNN)


@Language.factory(
    "tok2vec",
    default_config={"model": DEFAULT_TOK2VEC_MODEL},
    assigns=["doc.tensor"],
    default_score_weights={},
)
def make_tok2vec(nlp: Language, name: str, model: nn.Module) -> "Tok2Vec":
    """The shared trunk (spaCy's tok2vec component).

    model (nn.Module): a token-to-vector architecture with `.attrs` and `.width`,
        e.g. heron.HashEmbedCNN.v1 (width 96, depth 4, embed_size 2000 by default)
        or heron.Tok2Vec.v1(embed, encode). Heads listen to it with
        heron.Tok2VecListener.v1(width = this width).
    """
    return Tok2Vec(nlp.vocab, model, name)


class Tok2Vec(TrainablePipe):
    """A trunk component: `forward_batch(docs) -> (X (B, T, W), mask (B, T))`, memoised."""

    def __init__(self, vocab: Any, model: nn.Module, name: str = "tok2vec"):
        super().__init__(vocab, model, name)
        self.listener_map: Dict[str, List[Tok2VecListener]] = {}  # filled by bind_listeners
        self._cache: Optional[Tuple[Tuple[Tuple[int, int], ...], List[Any], torch.Tensor, torch.Tensor]] = None
        self.grad_sq_sum = 0.0  # summed squared gradient received since last read

    @property
    def width(self) -> int:
        return int(self.model.width)

    @property
    def device(self) -> torch.device:
        return module_device(self.model)

    @property
    def listeners(self) -> List[Tok2VecListener]:
        return [listener for group in self.listener_map.values() for listener in group]

    @property
    def listening_components(self) -> List[str]:
        return list(self.listener_map)

    # ---- the memoised batch forward ---------------------------------------------------
    def forward_batch(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        """The trunk's output for this batch, computed once under the caller's grad mode.

        Grad enabled = train mode (dropout on); otherwise eval mode. Call
        `clear_batch_cache()` after the backward of a training step.
        """
        cached = self.cached_batch(docs)
        if cached is not None:
            return cached
        docs = list(docs)
        self.model.train(torch.is_grad_enabled())
        X, mask = embed_docs(self.model, docs)  # (B, T, W), (B, T)
        if X.requires_grad:
            X.register_hook(self._record_grad)
        self._cache = (_batch_key(docs), docs, X, mask)
        return X, mask

    def cached_batch(self, docs: Sequence[Any]) -> Optional[Tuple[torch.Tensor, torch.Tensor]]:
        """The memoised output if `docs` are the same Doc objects (and lengths) as the
        last batch, else None."""
        if self._cache is None:
            return None
        key, _, X, mask = self._cache
        if len(key) != len(docs) or key != _batch_key(docs):
            return None
        return X, mask

    def clear_batch_cache(self) -> None:
        self._cache = None

    def _record_grad(self, grad: torch.Tensor) -> None:
        self.grad_sq_sum += float((grad.detach() ** 2).sum())

    # ---- pipe protocol --------------------------------------------------------------
    def _forward(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        return self.forward_batch(docs)

    def predict(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        docs = list(docs)
        with torch.inference_mode():
            return self.forward_batch(docs)

    def set_annotations(self, docs: Sequence[Any], scores: Tuple[torch.Tensor, torch.Tensor]) -> None:
        """Write doc.tensor = the trunk's output rows for each doc (float32 numpy)."""
        X, mask = scores
        lengths = mask.sum(dim=1).tolist()
        X = X.detach().to("cpu", torch.float32).numpy()
        for i, doc in enumerate(docs):
            doc.tensor = np.ascontiguousarray(X[i, : lengths[i]])

    def get_loss(self, examples: Sequence[Any], scores: Any) -> torch.Tensor:
        """The trunk has no loss of its own; it learns through its listeners."""
        return torch.zeros(())

    def pop_grad_loss(self) -> float:
        """The summed squared gradient received since the last call (spaCy's tok2vec loss)."""
        value, self.grad_sq_sum = self.grad_sq_sum, 0.0
        return value

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

    def _labels_from_examples(self, examples: List[Any]) -> List[str]:
        return []


def _batch_key(docs: Sequence[Any]) -> Tuple[Tuple[int, int], ...]:
    # Identity plus length: a Doc retokenized in place must not reuse stale vectors.
    return tuple((id(doc), len(doc)) for doc in docs)


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
