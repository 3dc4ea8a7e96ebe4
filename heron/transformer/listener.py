"""TransformerListener: how a head reads a shared transformer (spaCy's TransformerListener).

    [components.tagger.model.tok2vec]
    @architectures = "heron.TransformerListener.v1"
    grad_factor = 1.0
    upstream = "*"

    [components.tagger.model.tok2vec.pooling]
    @layers = "heron.reduce_mean.v1"

It is a `Tok2VecListener` (same binding by `bind_listeners`, same `embed_docs` entry
point, same `grad_factor` semantics: a float or a schedule, 0 detaches), whose output is
the transformer's wordpiece vectors pooled into one vector per heron token:
`(X (B, T, W), mask (B, T))`, so tagger, ner and senter work on it unchanged. All heads
pool from the one batch output of the transformer, so one backward() reaches the
transformer with the sum of their (grad_factor-scaled) gradients.

Width: heads size their layers when they are built, so the listener must know the
transformer's hidden size then. It takes `width` if set; else the pipeline fills it
when the head is built, from its upstream transformer among the components before it
(read from the model's config.json; `fill_listener_widths` in pipeline/listener.py), and
writes it into the listener's config block, so a saved pipeline rebuilds without the
original model. Nothing is remembered across pipelines: two pipelines built in one
process never influence each other's widths.

At inference the listener pools the transformer's cached batch, else each doc's
`doc._.trf_data`, else runs the transformer. With the transformer's
`drop_trf_data = true`, the last listener in the pipeline then drops `doc._.trf_data`.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

import numpy as np
import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..nn.grad import GradFactor, GradFactorValue
from ..pipeline.listener import Tok2VecListener, width_from_upstream
from ..pipeline.trunk import TrunkLike
from ..registry import registry
from .data import FullTransformerBatch, Ragged, TransformerData
from .model import TransformerModel
from .pooling import Pooling


class TransformerListener(Tok2VecListener):
    """A head's view of the upstream transformer: pooled token vectors.

    width (int): the transformer's hidden size. pooling (nn.Module): a registered
    pooling layer (heron.reduce_mean.v1, ...). upstream (str): the transformer
    component's name or "*". grad_factor (float | schedule): see Tok2VecListener.
    """

    def __init__(self, width: int, pooling: nn.Module, upstream: str = "*",
                 grad_factor: Union[GradFactorValue, GradFactor] = 1.0):
        super().__init__(width, upstream, grad_factor)
        self.pooling = pooling

    def forward(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        """(X (B, T, W) pooled token vectors, mask (B, T)) for `docs`."""
        upstream = self.bound_upstream()
        docs = list(docs)
        if not torch.is_grad_enabled():
            return self._inference_output(upstream, docs)
        batch = self._batch_of(upstream, docs)
        pieces = batch.extra["pieces"]  # (n_pieces, W)
        if pieces.is_inference():
            pieces = pieces.clone()  # cached by predict(): autograd can't save it
        pieces = self.grad_factor.apply(pieces, self.step, owner=self.owner)
        return pool_docs(self.pooling, pieces, [d.align for d in batch.doc_data],
                         batch.extra["doc_offsets"])

    def _batch_of(self, upstream: TrunkLike, docs: List[Any]) -> FullTransformerBatch:
        batch = upstream.forward_batch(docs)
        if not isinstance(batch, FullTransformerBatch):
            raise HeronValueError(Errors.E752.format(owner=self.owner, upstream=self.upstream_name,
                                                     got=type(batch).__name__))
        return batch

    def _inference_output(self, upstream: TrunkLike, docs: List[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        """Pool the cached batch, else each doc's trf_data, else a fresh transformer run."""
        batch = upstream.cached_batch(docs)
        datas = None if batch is not None else _stored_data(docs, self.width)
        if batch is None and datas is None:
            batch = self._batch_of(upstream, docs)
        if batch is not None:
            datas, pieces, offsets = batch.doc_data, batch.extra["pieces"], batch.extra["doc_offsets"]
        else:
            assert datas is not None  # no batch means every doc had stored trf_data
            pieces = torch.from_numpy(_concat_hidden(datas, self.width)).to(upstream.device)
            offsets = np.concatenate([[0], np.cumsum([d.n_pieces for d in datas])]).astype(np.int64)
        X, mask = pool_docs(self.pooling, pieces, [d.align for d in datas], offsets)
        if getattr(upstream, "drop_trf_data", False) and _is_last(upstream, self):
            upstream.release(docs)  # type: ignore[attr-defined]  # drop_trf_data: a Transformer
        return X, mask

    # ---- replace_listeners ----------------------------------------------------------
    def private_copy(self) -> nn.Module:
        """A module owning a copy of the bound transformer's weights (as they are now) and
        this listener's pooling and grad_factor: heron.TransformerTok2Vec.v1 for a
        TransformerModel, heron.EncoderTok2Vec.v1 for a custom WordpieceEncoder."""
        from .encoder_tok2vec import EncoderTok2Vec, copy_encoder
        from .inline import TransformerTok2Vec, copy_transformer_model

        model = self.bound_upstream().model
        if not isinstance(model, TransformerModel):
            return EncoderTok2Vec(copy_encoder(model), copy.deepcopy(self.pooling), self.width,
                                  copy.deepcopy(self.grad_factor))
        return TransformerTok2Vec(copy_transformer_model(model), copy.deepcopy(self.pooling), self.width,
                                  copy.deepcopy(self.grad_factor))

    def private_config(self, trunk_model_cfg: Dict[str, Any],
                       listener_cfg: Dict[str, Any]) -> Tuple[Dict[str, Any], List[str]]:
        """(the config block describing `private_copy()`, trunk model keys it can't take)."""
        from .encoder_tok2vec import encoder_inline_config
        from .inline import inline_config

        if not isinstance(self.bound_upstream().model, TransformerModel):
            return encoder_inline_config(trunk_model_cfg, listener_cfg, self.width), []
        unknown: List[str] = []
        if trunk_model_cfg.get("@architectures") != "heron.TransformerModel.v1":
            unknown = [f"@architectures = {trunk_model_cfg.get('@architectures')!r}"]
        block, more = inline_config(trunk_model_cfg, listener_cfg, self.width)
        return block, unknown + more

    def __deepcopy__(self, memo: Dict[int, Any]) -> "TransformerListener":
        # Copying a head must not copy the whole transformer it listens to.
        new = TransformerListener(self.width, copy.deepcopy(self.pooling, memo), self.upstream_name,
                                  copy.deepcopy(self.grad_factor, memo))
        new.bind(self.upstream, self.owner)
        new.step = self.step
        return new


def _is_last(upstream: Any, listener: TransformerListener) -> bool:
    listeners = list(getattr(upstream, "listeners", []) or [])
    return bool(listeners) and listeners[-1] is listener


def pool_docs(pooling: nn.Module, pieces: torch.Tensor, aligns: Sequence[Ragged],
              doc_offsets: np.ndarray) -> Tuple[torch.Tensor, torch.Tensor]:
    """Pool each doc's pieces into token vectors, padded: (X (B, T, W), mask (B, T)).

    pieces (n_pieces_in_batch, W): the docs' flat piece lists one after another, doc i
    starting at doc_offsets[i]; aligns[i]: doc i's token -> piece Ragged. T = max(1,
    longest doc); padding rows are zeros.
    """
    device = pieces.device
    n_tokens = [len(a) for a in aligns]
    B, T, W = len(aligns), max([1, *n_tokens]), int(pieces.shape[-1])
    index = np.concatenate([a.data.astype(np.int64) + int(off) for a, off in zip(aligns, doc_offsets)]
                           or [np.zeros(0, np.int64)])
    lengths = np.concatenate([a.lengths.astype(np.int64) for a in aligns] or [np.zeros(0, np.int64)])
    tokens = pooling(pieces, torch.from_numpy(index).to(device),
                     torch.from_numpy(lengths).to(device))  # (sum n_tokens, W)
    rows = np.concatenate([row * T + np.arange(n, dtype=np.int64) for row, n in enumerate(n_tokens)]
                          or [np.zeros(0, np.int64)])
    X = tokens.new_zeros((B * T, W)).index_copy(0, torch.from_numpy(rows).to(device), tokens)
    mask = torch.arange(T, device=device)[None, :] < torch.tensor(n_tokens, device=device).reshape(B, 1)
    return X.view(B, T, W), mask


def _stored_data(docs: List[Any], width: int) -> Optional[List[TransformerData]]:
    """Each doc's `doc._.trf_data` if all docs have usable ones, else None."""
    from ..tokens import Doc

    if not docs or not Doc.has_extension("trf_data"):
        return None
    datas = [doc._.trf_data for doc in docs]
    ok = all(isinstance(d, TransformerData) and len(d.align) == len(doc)
             and (d.n_pieces == 0 or d.width == width) for d, doc in zip(datas, docs))
    return datas if ok else None


def _concat_hidden(datas: Sequence[TransformerData], width: int) -> np.ndarray:
    arrays = [d.last_hidden for d in datas if d.n_pieces]
    return np.concatenate(arrays, 0) if arrays else np.zeros((0, width), np.float32)


def resolve_width(upstream: str, width: Optional[int]) -> int:
    """The listener's width: given, or filled from its upstream transformer (E751)."""
    if width is None:
        detail = ("no transformer component that knows its width (its model's config.json) "
                  "comes before it in this pipeline" if upstream == "*" else
                  f"no transformer component named {upstream!r} that knows its width (its model's "
                  "config.json) comes before it in this pipeline")
        raise HeronValueError(Errors.E751.format(upstream=upstream, detail=detail))
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise HeronValueError(Errors.E751.format(upstream=upstream,
                                                 detail=f"width = {width!r} is not an int >= 1"))
    return width


@registry.architectures("heron.TransformerListener.v1")
@width_from_upstream
def transformer_listener_v1(*, grad_factor: GradFactorValue = 1.0,
                            pooling: Optional[nn.Module] = None, upstream: str = "*",
                            width: Optional[int] = None) -> TransformerListener:
    """Read pooled token vectors from an upstream `transformer` component.

    grad_factor (float | schedule): scales this head's gradient into the transformer;
        1.0 = fine-tune it, 0 = freeze it for this head; a schedule f(step) (e.g. 0 for
        the first N steps, then 1.0) is read at every step.
    pooling (layer): how a token's wordpieces become one vector: heron.reduce_mean.v1
        (default when null), reduce_max / reduce_first / reduce_last / reduce_sum.
    upstream (str): the transformer component's name, or "*" = nearest preceding trunk.
    width (int | null): the transformer's hidden size; null = taken from the upstream
        transformer component when the head is built (and written here, so saved
        configs carry it).
    """
    if pooling is None:
        pooling = Pooling("mean")
    return TransformerListener(resolve_width(upstream, width), pooling, upstream, grad_factor)


__all__ = ["TransformerListener", "transformer_listener_v1", "pool_docs", "resolve_width"]
