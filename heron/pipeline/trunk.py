"""Trunks: the shared components heads listen to (`tok2vec`, `transformer`).

A trunk runs ONCE per batch however many heads listen to it: `forward_batch(docs)` is
memoised on the batch (the identities and lengths of its Docs; the cache keeps the
Docs alive so the identities can't be reused) and computed under the caller's grad
mode (grad on = train mode, dropout active). Every head uses that one output, the
heads' losses are summed and ONE backward() reaches the trunk with the sum of their
(grad_factor-scaled) gradients. A trunk has no loss of its own; the "loss" reported
for it (like spaCy's) is the summed squared gradient it received (`pop_grad_loss`).

`Trunk` implements that protocol once; a subclass says only what differs:

- `_embed(docs)`: its batch output (tok2vec: `(X (B, T, W), mask (B, T))`; transformer:
  a `FullTransformerBatch`), and `_grad_target(output)`: the tensor whose gradient is
  counted;
- `set_annotations` (doc.tensor, doc._.trf_data), `width`, `initialize` and
  serialisation;
- `replace_listeners_error`: the coded error `nlp.replace_listeners` raises for it.

Listeners (pipeline/listener.py, transformer/listener.py) are bound to a trunk by
`bind_listeners`, which fills the trunk's `listener_map` {head name: [listeners]}.
What a listener may use of its trunk is `TrunkLike` below.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Protocol, Sequence, Tuple

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from .trainable import TrainablePipe

# Identity plus length of each Doc: a Doc retokenized in place must not reuse stale output.
BatchKey = Tuple[Tuple[int, int], ...]


class TrunkLike(Protocol):
    """What a listener needs of its upstream trunk."""

    name: str
    model: nn.Module
    listener_map: Dict[str, List[Any]]

    @property
    def width(self) -> Optional[int]: ...

    @property
    def device(self) -> torch.device: ...

    def forward_batch(self, docs: Sequence[Any]) -> Any: ...

    def cached_batch(self, docs: Sequence[Any]) -> Optional[Any]: ...

    def clear_batch_cache(self) -> None: ...


class Trunk(TrainablePipe):
    """Base class of trunk components; see the module docstring."""

    def __init__(self, vocab: Any, model: nn.Module, name: str = "", **cfg: Any):
        super().__init__(vocab, model, name, **cfg)
        self.listener_map: Dict[str, List[Any]] = {}  # filled by bind_listeners
        self._cache: Optional[Tuple[BatchKey, List[Any], Any]] = None
        self.grad_sq_sum = 0.0  # summed squared gradient received since last read

    @property
    def width(self) -> Optional[int]:
        width: Any = self.model.width
        return int(width)

    @property
    def device(self) -> torch.device:
        return module_device(self.model)

    @property
    def listeners(self) -> List[Any]:
        return [listener for group in self.listener_map.values() for listener in group]

    @property
    def listening_components(self) -> List[str]:
        return list(self.listener_map)

    # ---- what a subclass provides ---------------------------------------------------
    def _embed(self, docs: List[Any]) -> Any:
        """The trunk's output for `docs` (model already in the right train/eval mode)."""
        raise NotImplementedError(f"{type(self).__name__}._embed(docs) is not implemented.")

    def _grad_target(self, output: Any) -> torch.Tensor:
        """The tensor of `output` whose incoming gradient `pop_grad_loss` reports."""
        raise NotImplementedError(f"{type(self).__name__}._grad_target(output) is not implemented.")

    def replace_listeners_error(self, pipe: str, listeners: Any, arg: str, detail: str,
                                fix: str) -> HeronValueError:
        """The coded error nlp.replace_listeners raises when replacing this trunk's
        listeners fails (E357; the transformer names the argument at fault, E761)."""
        return HeronValueError(Errors.E357.format(trunk=self.name, pipe=pipe, listeners=listeners,
                                                  detail=detail, fix=fix))

    # ---- the memoised batch forward ---------------------------------------------------
    def forward_batch(self, docs: Sequence[Any]) -> Any:
        """The trunk's output for this batch, computed once under the caller's grad mode.

        Grad enabled = train mode (dropout on); otherwise eval mode. Call
        `clear_batch_cache()` after the backward of a training step (nlp.update does).
        """
        cached = self.cached_batch(docs)
        if cached is not None:
            return cached
        docs = list(docs)
        self.model.train(torch.is_grad_enabled())
        output = self._embed(docs)
        target = self._grad_target(output)
        if target.requires_grad:
            target.register_hook(self._record_grad)
        self._cache = (batch_key(docs), docs, output)
        return output

    def cached_batch(self, docs: Sequence[Any]) -> Optional[Any]:
        """The memoised output if `docs` are the same Doc objects (and lengths) as the
        last batch, else None."""
        if self._cache is None:
            return None
        key, _, output = self._cache
        if len(key) != len(docs) or key != batch_key(docs):
            return None
        return output

    def clear_batch_cache(self) -> None:
        self._cache = None

    def _record_grad(self, grad: torch.Tensor) -> None:
        self.grad_sq_sum += float((grad.detach() ** 2).sum())

    def pop_grad_loss(self) -> float:
        """The summed squared gradient received since the last call (spaCy's tok2vec loss)."""
        value, self.grad_sq_sum = self.grad_sq_sum, 0.0
        return value

    # ---- pipe protocol --------------------------------------------------------------
    def _forward(self, docs: Sequence[Any]) -> Any:
        return self.forward_batch(docs)

    def predict(self, docs: Sequence[Any]) -> Any:
        docs = list(docs)
        with torch.inference_mode():
            return self.forward_batch(docs)

    def get_loss(self, examples: Sequence[Any], scores: Any) -> torch.Tensor:
        """The trunk has no loss of its own; it learns through its listeners."""
        return torch.zeros(())

    def _labels_from_examples(self, examples: List[Any]) -> List[str]:
        return []


def batch_key(docs: Sequence[Any]) -> BatchKey:
    return tuple((id(doc), len(doc)) for doc in docs)


def is_trunk(component: Any) -> bool:
    """A component other components can listen to (tok2vec, transformer)."""
    return isinstance(component, Trunk)


def module_device(module: nn.Module) -> torch.device:
    for param in module.parameters():
        return param.device
    return torch.device("cpu")


__all__ = ["Trunk", "TrunkLike", "is_trunk", "batch_key", "module_device"]
