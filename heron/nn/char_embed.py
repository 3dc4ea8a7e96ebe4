"""CharacterEmbed: per-word character embeddings + one attribute hash embedding (spaCy's
CharacterEmbed.v2), an alternative `embed` layer of heron.Tok2Vec.v1.

Each word is seen through `nC` of its UTF-8 bytes taken from both ends, in the order
first, last, second, second-to-last, ... (padding byte 255 in the middle of short
words), so the final byte always sits in the same slot whatever the word's length:
"jumping" with nC = 4 reads j, g, u, n. Every slot has its own 256-row table of width
nM; the nC slot vectors are concatenated (nC * nM), together with a hash embedding of
one attribute (LOWER by default, as spaCy's v2) and optionally the projected static
vectors, then mixed by Maxout (3 pieces) + LayerNorm into `width`.

The bytes come from featurize as `TokenBatch.chars` (B, T, n_chars) uint8 (cached
per word with the other lexical features), so this layer is pure tensor work: one
embedding gather for all slots of all tokens, no loop over tokens or slots. It runs
on the real tokens only (`embed_tokens`), which heron.Tok2Vec.v1 uses for its
padding-free path, exactly like MultiHashEmbed. At inference the Maxout's linear map is
folded into the tables (folded_embed.py): one sum of 12 rows per token instead of a matmul.
"""
from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import Errors, HeronValueError
from ..registry import registry
from .embed import HashEmbed, MixesStaticVectors
from .folded_embed import FoldedTables, forward_folded, use_folded
from .layers import Maxout, check_positive
from .static_vectors import StaticVectors

N_BYTES = 256  # rows per character slot: one per byte value (255 doubles as padding)


class CharacterEmbed(MixesStaticVectors, nn.Module):
    """Embed each token from nC UTF-8 bytes of its text and the hash of one attribute.

    width (int): output width (and the attribute table's). Recommended 64-300.
    rows (int): rows of the attribute hash table. Recommended 2000-10000.
    nM (int): width of each character slot. Recommended 16-64.
    nC (int): bytes per word, half from each end. Recommended 4-8 (8 = 4 + 4).
    include_static_vectors (bool): also mix in the vocab's static vectors (keyed by
        ORTH, projected to `width`); needs vectors in the batch (E650 otherwise).
    feature (str): the attribute whose hash is embedded next to the characters:
        "LOWER" (spaCy's default), "NORM", ... (any token attribute featurize knows).
    """

    offsets: torch.Tensor  # buffer, declared for type checkers

    def __init__(self, width: int, rows: int, nM: int, nC: int, include_static_vectors: bool = False,
                 feature: str = "LOWER"):
        super().__init__()
        check_positive("CharacterEmbed", "width", width, recommended="64-300")
        check_positive("CharacterEmbed", "rows", rows, recommended="2000-10000")
        check_positive("CharacterEmbed", "nM", nM, recommended="16-64")
        check_positive("CharacterEmbed", "nC", nC, recommended="4-8")
        if not isinstance(feature, str) or not feature.strip():
            raise HeronValueError(Errors.E152.format(layer="CharacterEmbed", arg="feature", value=feature,
                                                     expected="a token attribute name",
                                                     recommended='"LOWER" or "NORM"'))
        self.width, self.n_rows, self.nM, self.nC = width, rows, nM, nC
        self.attrs: Tuple[str, ...] = (feature.strip().upper(),)
        self.include_static_vectors = bool(include_static_vectors)
        # (nC, 256, nM): one table per slot, zero-initialised as spaCy's (the Maxout's
        # weights still pass gradient to it from the first step).
        self.char_table = nn.Parameter(torch.zeros(nC, N_BYTES, nM))
        # Slot j's byte b is row j * 256 + b of the flattened table: one gather for all slots.
        self.register_buffer("offsets", torch.arange(nC) * N_BYTES, persistent=False)
        self.feature_embed = HashEmbed(width, rows, seed=5)  # seed 5 as spaCy's
        # Unsized until set_vectors_dim (tok2vec's initialize / load), as in MultiHashEmbed.
        self.static_proj: Optional[StaticVectors] = (
            StaticVectors(width, None, None, "ORTH") if self.include_static_vectors else None)
        n_in = nC * nM + width * (1 + self.include_static_vectors)
        self.mix = Maxout(n_in, width, 3, normalize=True)
        self._folded = FoldedTables()  # the inference path's tables
        self._columns: Dict[Tuple[str, ...], Optional[int]] = {}

    @property
    def n_chars(self) -> int:
        """UTF-8 bytes per token featurize must provide (`chars_needed` reads this)."""
        return self.nC

    def forward(self, batch) -> torch.Tensor:
        """TokenBatch -> (B, T, width); padding positions are 0."""
        mask = batch.mask  # (B, T)
        X = self.embed_tokens(batch)  # (N, W)
        out = X.new_zeros(*mask.shape, self.width)
        out[mask] = X
        return out

    def embed_tokens(self, batch) -> torch.Tensor:
        """TokenBatch -> (N, width): the real tokens' vectors, in row-major mask order."""
        mask = batch.mask
        vectors = None if batch.vectors is None else batch.vectors[mask]  # (N, D)
        return self.forward_packed(self.select(batch)[mask], self.select_chars(batch)[mask], vectors)

    def forward_packed(self, ids: torch.Tensor, chars: torch.Tensor,
                       vectors: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(N,) int64 attribute ids, (N, nC) bytes (+ (N, D) vectors) -> (N, width)."""
        if use_folded(self, self.nC * N_BYTES + self.n_rows):
            return self._forward_folded(ids, chars, vectors)
        n_tokens = chars.shape[0]
        index = chars.long() + self.offsets  # (N, nC) rows of the flattened table
        C = F.embedding(index, self.char_table.view(-1, self.nM))  # (N, nC, nM)
        parts: List[torch.Tensor] = [C.reshape(n_tokens, self.nC * self.nM), self.feature_embed(ids)]
        if self.static_proj is not None:  # include_static_vectors
            if vectors is None:
                raise HeronValueError(Errors.E650.format(layer="CharacterEmbed"))
            parts.append(self.static_proj.forward_packed(vectors))  # (N, W); no grad to the table
        return self.mix(torch.cat(parts, dim=-1))  # (N, W)

    def _forward_folded(self, ids: torch.Tensor, chars: torch.Tensor,
                        vectors: Optional[torch.Tensor]) -> torch.Tensor:
        """forward_packed at inference, with the mix folded into the tables (folded_embed.py):
        slot j's byte b is folded row j * 256 + b, the attribute's rows follow."""
        rows = torch.cat([chars.long() + self.offsets, self.feature_embed.keys(ids) + self.nC * N_BYTES], dim=1)
        return forward_folded(self, [*self.char_table, self.feature_embed.weight], rows, vectors,
                              HeronValueError(Errors.E650.format(layer="CharacterEmbed")))

    def select(self, batch) -> torch.Tensor:
        """The batch's ids column of this layer's attribute: (B, T)."""
        key = tuple(batch.attrs)
        if key not in self._columns:
            self._columns[key] = key.index(self.attrs[0]) if self.attrs[0] in key else None
        column = self._columns[key]
        if column is None:
            raise HeronValueError(Errors.E154.format(layer="CharacterEmbed", needed=list(self.attrs),
                                                     got=list(key)))
        return batch.ids[..., column]

    def select_chars(self, batch) -> torch.Tensor:
        """The batch's first nC byte columns: (B, T, nC). A batch made for a larger nC
        serves too: the byte order makes a prefix of the columns the smaller scheme."""
        chars: Optional[torch.Tensor] = getattr(batch, "chars", None)
        if chars is None or int(chars.shape[-1]) < self.nC:
            have = 0 if chars is None else int(chars.shape[-1])
            raise HeronValueError(Errors.E158.format(layer="CharacterEmbed", needed=self.nC, got=have))
        return chars if int(chars.shape[-1]) == self.nC else chars[..., : self.nC]

    def extra_repr(self) -> str:
        return (f"width={self.width}, rows={self.n_rows}, nM={self.nM}, nC={self.nC}, "
                f"feature={self.attrs[0]!r}")


def chars_needed(model: nn.Module) -> int:
    """UTF-8 bytes per token that `model`'s character layers read (0: none).

    Any module with an int `n_chars` counts (a user's layer need not subclass ours);
    featurize makes the largest, and each layer reads its prefix.
    """
    return max((int(n) for m in model.modules() if isinstance(n := getattr(m, "n_chars", None), int)),
               default=0)


@registry.architectures("heron.CharacterEmbed.v1")
def build_character_embed(
    *,
    width: int,
    rows: int,
    nM: int,
    nC: int,
    include_static_vectors: bool = False,
    feature: str = "LOWER",
) -> CharacterEmbed:
    """Character embeddings of each word's first and last bytes + an attribute hash
    embedding, mixed by Maxout + LayerNorm (spaCy's CharacterEmbed.v2, same settings).

    width (int): output width; as the embed of heron.Tok2Vec.v1 it must equal the
        encoder's width. Recommended 64-300.
    rows (int): rows of the `feature` hash table. Recommended 2000-10000.
    nM (int): width per character. Recommended 16-64; the mixing layer sees nC * nM
        character inputs, so 64 * 8 = 512 costs about as much as the 4-table
        MultiHashEmbed at width 128.
    nC (int): UTF-8 bytes per word, half from the start and half from the end.
        Recommended 4-8 (8: a 4-byte prefix and a 4-byte suffix).
    include_static_vectors (bool): also mix in the vocab's static vectors; needs
        [initialize] vectors.
    feature (str): the attribute hashed next to the characters; "LOWER" (spaCy's
        default) or "NORM".

    Helps most on rare and unseen words, whose spelling says more than their hash.
    """
    return CharacterEmbed(width, rows, nM, nC, include_static_vectors, feature)


__all__ = ["CharacterEmbed", "build_character_embed", "chars_needed"]
