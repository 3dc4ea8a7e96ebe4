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
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..language import Language
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
        """Check the trunk can run: static vectors must be loaded if the model uses them."""
        if _uses_static_vectors(self.model) and not _has_vectors(nlp.vocab if nlp is not None else self.vocab):
            raise HeronValueError(Errors.E356.format(name=self.name))

    def _labels_from_examples(self, examples: List[Any]) -> List[str]:
        return []


def _batch_key(docs: Sequence[Any]) -> Tuple[Tuple[int, int], ...]:
    # Identity plus length: a Doc retokenized in place must not reuse stale vectors.
    return tuple((id(doc), len(doc)) for doc in docs)


def _uses_static_vectors(model: nn.Module) -> bool:
    return any(bool(getattr(m, "include_static_vectors", False)) for m in model.modules())


def _has_vectors(vocab: Any) -> bool:
    vectors = getattr(vocab, "vectors", None)
    if vectors is None:
        return False
    shape = getattr(vectors, "shape", None)
    if shape is not None:
        return bool(shape[0]) and bool(shape[-1])
    try:
        return len(vectors) > 0
    except TypeError:
        return True


__all__ = ["Tok2Vec", "make_tok2vec", "DEFAULT_TOK2VEC_MODEL"]
