"""EncoderTok2Vec: a head's OWN copy of a custom wordpiece encoder.

    [components.tagger.model.tok2vec]
    @architectures = "heron.EncoderTok2Vec.v1"
    grad_factor = 1.0
    width = 32

    [components.tagger.model.tok2vec.encoder]
    @architectures = "my_project.GRUEncoder.v1"   # any protocol.WordpieceEncoder
    tokenizer_path = "tokenizer"

    [components.tagger.model.tok2vec.pooling]
    @layers = "heron.reduce_mean.v1"

What `nlp.replace_listeners("transformer", "tagger", ["model.tok2vec"])` gives a head
whose `transformer` runs a custom architecture (heron.TransformerModel.v1 gets
heron.TransformerTok2Vec.v1, which also carries the Hugging Face files): the encoder's
config block is copied under `encoder`, its weights (copied at that moment) become part
of the head's state_dict, so they land in the head's model.safetensors, and the
encoder's registered function rebuilds the module from the config at load. Heads see
the same `(X (B, T, W), mask (B, T))` as through a listener.
"""
from __future__ import annotations

import copy
from typing import Any, Dict, Optional, Sequence, Tuple, Union, cast

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..nn.grad import GradFactor, GradFactorValue, grad_factor_attribute, scale_grad
from ..registry import registry
from .batch import transformer_batch
from .listener import pool_docs
from .pooling import Pooling
from .protocol import REQUIRED, WordpieceEncoder, missing_attributes


def encode_and_pool(encoder: WordpieceEncoder, pooling: nn.Module, docs: Sequence[Any],
                    factor: float) -> Tuple[torch.Tensor, torch.Tensor]:
    """(X (B, T, W) pooled token vectors, mask (B, T)) for `docs` through `encoder`, its
    gradient scaled by `factor` (0: run without autograd, nothing to keep for backward)."""
    if factor == 0.0:
        with torch.no_grad():
            batch = transformer_batch(encoder, docs)
    else:
        batch = transformer_batch(encoder, docs)
    pieces = scale_grad(batch.extra["pieces"], factor)  # (n_pieces, W)
    return pool_docs(pooling, pieces, [d.align for d in batch.doc_data], batch.extra["doc_offsets"])


class EncoderTok2Vec(nn.Module):
    """A private WordpieceEncoder + pooling behind the heads' tok2vec interface.

    encoder (nn.Module): a protocol.WordpieceEncoder (own weights, trained with the head).
    pooling (nn.Module): heron.reduce_mean.v1 (default) / max / first / last / sum.
    width (int): the encoder's hidden size. grad_factor (float | schedule f(step)): as in
        heron.TransformerTok2Vec.v1 (0 = frozen), read at the global step nlp.update sets.
    """

    reads_docs = True  # embed_docs passes Docs straight to forward (no featurizing)
    reads_grad_step = True  # nlp.update sets `step` (nn/grad.py set_grad_step)

    def __init__(self, encoder: nn.Module, pooling: nn.Module, width: int,
                 grad_factor: Union[GradFactorValue, GradFactor] = 1.0):
        super().__init__()
        self.encoder = encoder
        self.pooling = pooling
        self.width = int(width)
        self.grad_factor = grad_factor
        self.step: Optional[int] = None  # the global training step, set by nlp.update

    grad_factor = grad_factor_attribute()

    def forward(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        """(X (B, T, W) pooled token vectors, mask (B, T)) for `docs`."""
        factor = self.grad_factor.at(self.step, owner="an inline encoder") if torch.is_grad_enabled() else 1.0
        return encode_and_pool(cast(WordpieceEncoder, self.encoder), self.pooling, list(docs), factor)

    def extra_repr(self) -> str:
        return f"width={self.width}, grad_factor={self.grad_factor!r}"


def copy_encoder(encoder: nn.Module) -> nn.Module:
    """A deep copy of `encoder`'s weights; its tokenizer (never changed after loading) is
    shared, not copied."""
    tokenizer = getattr(encoder, "tokenizer", None)
    memo: Dict[int, Any] = {} if tokenizer is None else {id(tokenizer): tokenizer}
    return copy.deepcopy(encoder, memo)


def encoder_inline_config(trunk_model_cfg: Dict[str, Any], listener_cfg: Dict[str, Any],
                          width: int) -> Dict[str, Any]:
    """The heron.EncoderTok2Vec.v1 block replacing a listener's block: the trunk's model
    block as `encoder` + the listener's pooling and grad_factor + the width."""
    listener_cfg = listener_cfg if isinstance(listener_cfg, dict) else {}
    pooling = listener_cfg.get("pooling")
    return {"@architectures": "heron.EncoderTok2Vec.v1", "encoder": copy.deepcopy(trunk_model_cfg),
            "pooling": copy.deepcopy(pooling) if pooling else {"@layers": "heron.reduce_mean.v1"},
            "grad_factor": copy.deepcopy(listener_cfg.get("grad_factor", 1.0)), "width": int(width)}


@registry.architectures("heron.EncoderTok2Vec.v1")
def encoder_tok2vec_v1(*, encoder: nn.Module, pooling: Optional[nn.Module] = None,
                       grad_factor: GradFactorValue = 1.0, width: Optional[int] = None) -> EncoderTok2Vec:
    """A head's own custom wordpiece encoder + pooling (no `transformer` component needed).

    encoder (nn.Module): a registered architecture returning a protocol.WordpieceEncoder
        (E774 otherwise); for heron.TransformerModel.v1 use heron.TransformerTok2Vec.v1.
    pooling (layer): wordpieces -> token vector: heron.reduce_mean.v1 (default when null).
    grad_factor (float | schedule): scales the head's gradient into its encoder; 0 = frozen.
    width (int | null): the encoder's hidden size; null = the encoder's `width`.
    """
    missing = missing_attributes(encoder)
    if missing:
        needed = ", ".join(f"{attr} ({what})" for attr, what in REQUIRED)
        raise HeronValueError(Errors.E774.format(
            got=type(encoder).__name__, detail=f"lacks {', '.join(missing)}",
            fix=f"make [encoder] an architecture returning a torch.nn.Module with {needed} and "
                "forward(windows) -> (n_pieces, width) (heron.transformer.protocol.WordpieceEncoder)."))
    encoder_width = int(getattr(encoder, "width"))
    if width is not None and width != encoder_width:
        raise HeronValueError(Errors.E774.format(
            got=type(encoder).__name__, detail=f"has width {encoder_width}, but width = {width!r}",
            fix=f"set width = {encoder_width}, or leave it out (null) to take the encoder's."))
    return EncoderTok2Vec(encoder, pooling if pooling is not None else Pooling("mean"), encoder_width,
                          grad_factor)


__all__ = ["EncoderTok2Vec", "encoder_tok2vec_v1", "encode_and_pool", "copy_encoder", "encoder_inline_config"]
