"""Padding-free forward pass for BERT-style encoders (BERT, RoBERTa, XLM-R, MiniLM, ...).

A padded batch of windows spends compute on its padding: windows in a chunk are padded
to the longest, and on real text (EWT test docs in batches of 64, 4,096-piece chunks)
the padded batch is about 1.5x the real wordpieces. Everything in a BERT layer except
attention works on each wordpiece on its own (the linear layers, GELU, LayerNorm,
residuals: over 80% of the time on CPU), so `PackedEncoder` runs those on the real
pieces only, packed into one (n_pieces, width) matrix, and pads just for attention
(scaled dot-product attention with the key padding masked). The result is the same
function as the Hugging Face forward pass (same modules, same weights, same dropout
places), only cheaper.

It is used where the model's structure is recognised (`PackedEncoder.supports`) and its
output was checked once against the Hugging Face forward pass on the model's own
weights (`verified_packed_encoder`, called by `TransformerModel` at first use); anything
else runs the plain Hugging Face forward.
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional

import torch
from torch import nn
from torch.nn import functional as F

# The Hugging Face model types whose encoder layers have BERT's structure.
BERT_STYLE_TYPES = ("bert", "roberta", "xlm-roberta", "camembert")
_LAYER_PARTS = ("attention.self.query", "attention.self.key", "attention.self.value",
                "attention.output.dense", "attention.output.LayerNorm", "attention.output.dropout",
                "intermediate.dense", "intermediate.intermediate_act_fn",
                "output.dense", "output.LayerNorm", "output.dropout")


def _get(module: Any, dotted: str) -> Any:
    node = module
    for name in dotted.split("."):
        node = getattr(node, name, None)
        if node is None:
            return None
    return node


class PackedEncoder:
    """Runs `model` (a Hugging Face BERT-style encoder) on real wordpieces only.

    Not an nn.Module: it holds no parameters of its own, only a reference to the model,
    so saving, devices and training mode all stay the model's.
    """

    def __init__(self, model: nn.Module):
        self.model: Any = model
        # HF layers are typed as plain Modules; their parts are reached by name (see supports).
        self.layers: List[Any] = list(_get(model, "encoder.layer"))

    @staticmethod
    def supports(model: Optional[nn.Module]) -> bool:
        """Whether `model` has the structure this forward pass reproduces."""
        config = getattr(model, "config", None)
        if config is None or getattr(config, "model_type", None) not in BERT_STYLE_TYPES:
            return False
        if getattr(config, "is_decoder", False) or getattr(config, "add_cross_attention", False):
            return False
        if getattr(config, "position_embedding_type", "absolute") not in (None, "absolute"):
            return False
        if getattr(config, "chunk_size_feed_forward", 0):
            return False
        layers = _get(model, "encoder.layer")
        if _get(model, "embeddings") is None or not layers:
            return False
        return all(_get(layer, part) is not None for layer in layers for part in _LAYER_PARTS)

    def __call__(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """(n_pieces, width) hidden states of the real pieces of (B, L) `ids`, row-major.

        mask: (B, L) with 1 on real pieces; each row's real pieces come first (right
        padding), so row b's pieces are rows [sum(len[:b]), sum(len[:b+1])) of the result.
        """
        n_rows, length = ids.shape
        keep = mask.reshape(-1).bool()
        where = keep.nonzero().squeeze(1)  # (N,) flat positions of the real pieces
        hidden = self.model.embeddings(input_ids=ids)  # padding ids are embedded, then dropped
        x = hidden.reshape(n_rows * length, -1).index_select(0, where)
        key_mask = mask.bool()[:, None, None, :]  # (B, 1, 1, L): True = attend
        for layer in self.layers:
            x = self._layer(layer, x, where, key_mask, n_rows, length)
        return x

    def _layer(self, layer: Any, x: torch.Tensor, where: torch.Tensor,
               key_mask: torch.Tensor, n_rows: int, length: int) -> torch.Tensor:
        att = layer.attention.self
        heads, size = att.num_attention_heads, att.attention_head_size
        # One matrix multiply for q, k and v (their weights stacked: 3 * H * d rows).
        weight = torch.cat([att.query.weight, att.key.weight, att.value.weight])
        bias = torch.cat([att.query.bias, att.key.bias, att.value.bias])
        qkv = F.linear(x, weight, bias)  # (N, 3 * H * d)
        padded = qkv.new_zeros((n_rows * length, qkv.shape[1])).index_copy(0, where, qkv)
        q, k, v = padded.view(n_rows, length, 3, heads, size).permute(2, 0, 3, 1, 4).unbind(0)
        context = F.scaled_dot_product_attention(
            q, k, v, attn_mask=key_mask, dropout_p=att.dropout.p if att.training else 0.0,
            scale=getattr(att, "scaling", size ** -0.5))  # (B, H, L, d)
        context = context.transpose(1, 2).reshape(n_rows * length, heads * size).index_select(0, where)
        out = layer.attention.output
        h = out.LayerNorm(out.dropout(out.dense(context)) + x)
        ff = layer.intermediate.intermediate_act_fn(layer.intermediate.dense(h))
        return layer.output.LayerNorm(layer.output.dropout(layer.output.dense(ff)) + h)


HFForward = Callable[[torch.Tensor, torch.Tensor], torch.Tensor]


def verified_packed_encoder(model: Optional[nn.Module], hf_forward: HFForward, *, pad_id: int,
                            vocab_size: int, device: torch.device) -> Optional[PackedEncoder]:
    """A PackedEncoder for `model` if it supports the model's structure AND reproduces
    `hf_forward(ids, mask) -> (B, L, W)` on a small probe batch, else None.

    The probe is what keeps a model whose layers compute something else (a future
    transformers release, a custom subclass) on the Hugging Face forward pass.
    """
    if model is None or vocab_size < 8 or not PackedEncoder.supports(model):
        return None
    packed = PackedEncoder(model)
    lengths = [7, 4, 1]
    ids = torch.full((3, 7), pad_id, dtype=torch.long)
    mask = torch.zeros((3, 7), dtype=torch.long)
    for row, n in enumerate(lengths):
        ids[row, :n] = (torch.arange(n) * 7919 + 101 * (row + 1)) % vocab_size
        mask[row, :n] = 1
    ids, mask = ids.to(device), mask.to(device)
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            want = hf_forward(ids, mask).float()[mask.bool()]
            got = packed(ids, mask).float()
    except Exception:  # any structural surprise: keep the HF forward pass
        return None
    finally:
        model.train(was_training)
    matches = got.shape == want.shape and bool(torch.allclose(got, want, rtol=1e-4, atol=1e-4))
    return packed if matches else None


__all__ = ["PackedEncoder", "BERT_STYLE_TYPES", "verified_packed_encoder"]
