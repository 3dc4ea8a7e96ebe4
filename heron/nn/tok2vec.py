"""Tok2Vec: embed (context-free vectors per token) then encode (mix in context).

`Tok2Vec(embed, encode)` takes a `TokenBatch` and returns (B, T, width) token vectors,
zero on padding. With heron's own layers it runs on the real tokens only: ids are
packed to (N, A), embedded to (N, W), laid out flat for the window encoder, and
scattered back to (B, T, W) once at the end, so short docs in a batch with a long one
cost nothing for their padding.
"""
from __future__ import annotations

from typing import Optional, Tuple

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..registry import registry
from .char_embed import CharacterEmbed
from .embed import MultiHashEmbed
from .encode import MaxoutWindowEncoder, MishWindowEncoder, WindowEncoder, flat_layout
from .layers import check_positive
from .static_vectors import vectors_attr as _vectors_attr

# The CNN trunk's defaults (spaCy's HashEmbedCNN defaults): the config block that the tok2vec
# component and heads with an inline trunk (tagger, ner) start from.
DEFAULT_HASH_EMBED_CNN = {
    "@architectures": "heron.HashEmbedCNN.v1",
    "pretrained_vectors": None,
    "width": 96,
    "depth": 4,
    "embed_size": 2000,
    "window_size": 1,
    "maxout_pieces": 3,
    "subword_features": True,
}


class Tok2Vec(nn.Module):
    """Token-to-vector trunk: `encode(embed(batch), batch.mask)`.

    embed (nn.Module): TokenBatch -> (B, T, W); has `.attrs` (features it needs) and `.width`.
    encode (nn.Module): ((B, T, W), mask) -> (B, T, W); has `.width`.
    """

    def __init__(self, embed: nn.Module, encode: nn.Module):
        super().__init__()
        embed_width, encode_width = getattr(embed, "width", None), getattr(encode, "width", None)
        if embed_width is not None and encode_width is not None and embed_width != encode_width:
            raise HeronValueError(Errors.E153.format(embed_width=embed_width, encode_width=encode_width))
        self.embed = embed
        self.encode = encode
        width = encode_width if encode_width is not None else embed_width
        if width is None:  # neither layer says: listeners and heads couldn't be sized
            raise HeronValueError(Errors.E153.format(embed_width="unknown (no .width)",
                                                     encode_width="unknown (no .width)"))
        self.width: int = int(width)

    @property
    def attrs(self) -> Tuple[str, ...]:
        """Token attributes `featurize` must provide, e.g. ("NORM", "PREFIX", "SUFFIX", "SHAPE")."""
        # Duck-typed: any embed layer with `.attrs` (a user's layer need not subclass ours).
        return tuple(getattr(self.embed, "attrs"))

    @property
    def vectors_attr(self) -> Optional[str]:
        """The attribute keying the static vectors the embed reads ("ORTH"), or None:
        trunks pass it to `featurize(..., vectors_attr=)` so batches carry the vectors."""
        return _vectors_attr(self.embed)

    def forward(self, batch) -> torch.Tensor:
        """TokenBatch -> (B, T, width) float; zero on padding."""
        if isinstance(self.encode, WindowEncoder):
            mask = batch.mask  # (B, T)
            if isinstance(self.embed, MultiHashEmbed):
                vectors = None if batch.vectors is None else batch.vectors[mask]  # (N, D)
                X = self.embed.forward_packed(self.embed.select(batch)[mask], vectors)  # (N, W)
                return self._encode_packed(X, mask, self.encode)
            if isinstance(self.embed, CharacterEmbed):
                return self._encode_packed(self.embed.embed_tokens(batch), mask, self.encode)
        return self.encode(self.embed(batch), batch.mask)

    def _encode_packed(self, X: torch.Tensor, mask: torch.Tensor, encode: WindowEncoder) -> torch.Tensor:
        """(N, W) embedded real tokens -> (B, T, W), encoded without padding rows."""
        layout = flat_layout(mask, encode.window_size)
        flat = X.new_zeros(layout.length, self.width).index_copy(0, layout.pos, X)  # (L, W)
        flat = encode.forward_flat(flat, layout)
        out = X.new_zeros(*mask.shape, self.width)  # (B, T, W)
        out[mask] = flat[layout.pos]
        return out


@registry.architectures("heron.Tok2Vec.v1")
def build_tok2vec(*, embed: nn.Module, encode: nn.Module) -> Tok2Vec:
    """A tok2vec trunk from an embedding layer and a context encoder (spaCy's Tok2Vec.v2).

    embed (nn.Module): e.g. heron.MultiHashEmbed.v1; decides which token features are used.
    encode (nn.Module): e.g. heron.MaxoutWindowEncoder.v1; must keep embed's width (E153).
    """
    return Tok2Vec(embed, encode)


@registry.architectures("heron.HashEmbedCNN.v1")
def build_hash_embed_cnn(
    *,
    width: int,
    depth: int,
    embed_size: int,
    window_size: int,
    maxout_pieces: int,
    subword_features: bool = True,
    pretrained_vectors: Optional[bool] = None,
) -> Tok2Vec:
    """spaCy's standard CPU trunk: hash embeddings + residual Maxout window CNN.

    width (int): token vector width. Recommended 96 (fast), 128 or 300 (accurate).
    depth (int): CNN blocks. Recommended 4 (2-8).
    embed_size (int): rows of the NORM table; PREFIX, SUFFIX and SHAPE get
        embed_size // 2 each. Recommended 2000-10000.
    window_size (int): neighbours per side per block. Recommended 1 (receptive field
        2 * depth * window_size + 1 tokens).
    maxout_pieces (int): Maxout pieces. Recommended 2-3; 1 uses Mish blocks instead
        (a 1-piece Maxout would have no non-linearity).
    subword_features (bool): also embed PREFIX, SUFFIX and SHAPE. Recommended for
        alphabetic languages; turn off for languages of single-character tokens.
    pretrained_vectors (bool | None): also mix in the vocab's static vectors (keyed
        by ORTH, projected to `width`, concatenated with the hash embeddings before the
        mixing Maxout). Needs [initialize] vectors; recommended for small training sets.
    """
    check_positive("HashEmbedCNN", "embed_size", embed_size, minimum=2, recommended="2000-10000")
    if subword_features:
        attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
        rows = [embed_size, embed_size // 2, embed_size // 2, embed_size // 2]
    else:
        attrs, rows = ["NORM"], [embed_size]
    embed = MultiHashEmbed(width, attrs, rows, include_static_vectors=bool(pretrained_vectors))
    if maxout_pieces == 1:
        encode: WindowEncoder = MishWindowEncoder(width, window_size, depth)
    else:
        encode = MaxoutWindowEncoder(width, window_size, maxout_pieces, depth)
    return Tok2Vec(embed, encode)


__all__ = ["Tok2Vec", "build_tok2vec", "build_hash_embed_cnn"]
