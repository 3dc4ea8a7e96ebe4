"""Hash embeddings: a bounded-memory table for an unbounded vocabulary.

Each attribute id (a 64-bit string hash) is hashed by 4 seeded hash functions into
`n_rows` rows and the 4 rows are summed. Two words collide completely only if all 4
rows collide, so a few thousand rows serve a vocabulary of millions (thinc's
HashEmbed, spaCy's default). The hash is murmur3's 64-bit finaliser (fmix64) applied
to id ^ salt for two seed-derived salts; each 64-bit result gives two 32-bit keys.
Everything is integer torch arithmetic (int64 multiplication wraps like uint64), so
keys are identical across processes and machines (no Python `hash()`).
"""
from __future__ import annotations

from typing import Dict, Iterable, List, Optional, Sequence, Tuple, cast

import torch
import torch.nn.functional as F
from torch import nn

from ..errors import Errors, HeronTypeError, HeronValueError
from ..registry import registry
from .folded_embed import FoldedTables, forward_folded, use_folded
from .layers import Dropout, Maxout, check_positive
from .static_vectors import StaticVectors

_MASK64 = (1 << 64) - 1
_FMIX1 = 0xFF51AFD7ED558CCD
_FMIX2 = 0xC4CEB9FE1A85EC53


def _signed(value: int) -> int:
    """uint64 -> the int64 with the same bits (torch has no uint64 arithmetic)."""
    value &= _MASK64
    return value - (1 << 64) if value >= 1 << 63 else value


def _splitmix64(x: int) -> int:
    x = (x + 0x9E3779B97F4A7C15) & _MASK64
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK64
    return x ^ (x >> 31)


def hash_salts(seed: int) -> Tuple[int, int]:
    """The two int64 salts of `seed` (hash functions 0-1 use the first, 2-3 the second)."""
    return _signed(_splitmix64(2 * seed)), _signed(_splitmix64(2 * seed + 1))


def _shr(k: torch.Tensor, s: int) -> torch.Tensor:
    # Logical shift right: torch's >> on int64 sign-extends, so mask the copied sign bits.
    return (k >> s) & ((1 << (64 - s)) - 1)


def fmix64(k: torch.Tensor) -> torch.Tensor:
    """murmur3's 64-bit finaliser on int64 tensors (bijective, full avalanche)."""
    k = k ^ _shr(k, 33)
    k = k * _signed(_FMIX1)
    k = k ^ _shr(k, 33)
    k = k * _signed(_FMIX2)
    return k ^ _shr(k, 33)


def hash_keys(ids: torch.Tensor, salts: torch.Tensor, n_rows: torch.Tensor) -> torch.Tensor:
    """Row indices of 4 seeded hashes: (...) int64 ids -> (..., 4) int64 in [0, n_rows).

    salts: (2,) int64, or (A, 2) to hash the A columns of ids (..., A) with their own
        salts in one pass. n_rows: () or (A, 1) int64, the table sizes.
    """
    h = fmix64(ids.unsqueeze(-1) ^ salts)  # (..., 2) or (..., A, 2)
    keys = h.view(torch.int32).to(torch.int64) & 0xFFFFFFFF  # (..., 4): 32-bit halves
    return keys % n_rows


class HashEmbed(nn.Module):
    salts: torch.Tensor  # buffers, declared for type checkers
    rows: torch.Tensor
    """Embed int64 ids by summing 4 hashed rows of a (n_rows, width) table.

    width (int): output width. Recommended 64-300 (96 for CPU pipelines).
    n_rows (int): table rows. Recommended 1000-10000: with 4 hashes per id even 2000
        rows separate the frequent words of a large vocabulary; more rows reduce
        collisions among rare words at the cost of width * 4 bytes per row.
    seed (int): selects the hash functions; give each table of a model its own seed.
    """

    def __init__(self, width: int, n_rows: int, seed: int = 7):
        super().__init__()
        check_positive("HashEmbed", "width", width, recommended="64-300")
        check_positive("HashEmbed", "n_rows", n_rows, recommended="1000-10000")
        self.width, self.n_rows, self.seed = width, n_rows, int(seed)
        # thinc's initialiser: uniform in [-0.1, 0.1].
        self.weight = nn.Parameter(torch.empty(n_rows, width).uniform_(-0.1, 0.1))
        # Derived from the config, so not saved: a loaded model re-derives the same salts.
        self.register_buffer("salts", torch.tensor(hash_salts(self.seed)), persistent=False)
        self.register_buffer("rows", torch.tensor(n_rows), persistent=False)

    def keys(self, ids: torch.Tensor) -> torch.Tensor:
        """(...) int64 ids -> (..., 4) row indices."""
        if ids.dtype != torch.int64:
            raise HeronTypeError(Errors.E155.format(layer="HashEmbed", dtype=ids.dtype))
        return hash_keys(ids, self.salts, self.rows)

    def embed_keys(self, keys: torch.Tensor) -> torch.Tensor:
        """(..., 4) row indices -> (..., width): the sum of the 4 rows."""
        flat = F.embedding_bag(keys.reshape(-1, 4), self.weight, mode="sum")  # (N, W)
        return flat.view(*keys.shape[:-1], self.width)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return self.embed_keys(self.keys(ids))

    def extra_repr(self) -> str:
        return f"width={self.width}, n_rows={self.n_rows}, seed={self.seed}"


class MixesStaticVectors:
    """`vectors_attr` and `set_vectors_dim` of an embed layer whose optional
    `static_proj` (StaticVectors or None) mixes static vectors in."""

    static_proj: Optional[StaticVectors]

    @property
    def vectors_attr(self) -> Optional[str]:
        """"ORTH" when static vectors are mixed in (featurize must fill batch.vectors), else None."""
        return self.static_proj.vectors_attr if self.static_proj is not None else None

    def set_vectors_dim(self, dim: int) -> None:
        """Size the static-vectors projection for vectors of `dim` (no-op without one)."""
        if self.static_proj is not None:
            self.static_proj.set_vectors_dim(dim)


class MultiHashEmbed(MixesStaticVectors, nn.Module):
    salts: torch.Tensor  # buffers, declared for type checkers
    rows: torch.Tensor
    embeds: "nn.ModuleList"  # of HashEmbed
    """One HashEmbed per token attribute, concatenated and mixed by Maxout + LayerNorm.

    width (int): width of every table and of the output. Recommended 64-300.
    attrs (list[str]): attributes to embed, e.g. ["NORM", "PREFIX", "SUFFIX", "SHAPE"]:
        NORM carries the word's identity; PREFIX/SUFFIX/SHAPE let unseen words be
        recognised from their form.
    rows (list[int]): rows per table, same length as attrs. Recommended 1000-10000.
    include_static_vectors (bool): also project the batch's static word vectors
        (keyed by ORTH) to `width` and concatenate them with the hash embeddings before
        the mixing layer (as spaCy). The projection is sized from the vocab's vectors
        when the pipeline is initialised (`set_vectors_dim`); needs vectors in the
        batch (E151 otherwise).
    """

    def __init__(self, width: int, attrs: Sequence[str], rows: Sequence[int],
                 include_static_vectors: bool = False):
        super().__init__()
        attrs, rows = list(attrs), list(rows)
        if len(attrs) != len(rows) or not attrs:
            raise HeronValueError(Errors.E150.format(layer="MultiHashEmbed", n_attrs=len(attrs),
                                                     attrs=attrs, n_rows=len(rows), rows=rows))
        check_positive("MultiHashEmbed", "width", width, recommended="64-300")
        self.width = width
        self.attrs: Tuple[str, ...] = tuple(str(a).upper() for a in attrs)
        self.include_static_vectors = bool(include_static_vectors)
        # Seeds 8, 9, ... as spaCy's MultiHashEmbed.
        tables = [HashEmbed(width, n, seed=8 + i) for i, n in enumerate(rows)]
        self.embeds = nn.ModuleList(tables)
        self.register_buffer("salts", torch.stack([e.salts for e in tables]), persistent=False)
        self.register_buffer("rows", torch.tensor(rows).unsqueeze(-1), persistent=False)  # (A, 1)
        self.embed_dropout = Dropout(0.0)
        n_in = width * (len(attrs) + self.include_static_vectors)
        # Unsized until set_vectors_dim (tok2vec's initialize / load): not a LazyLinear, so
        # save, load and the optimizer never meet an uninitialised parameter.
        self.static_proj: Optional[StaticVectors] = (
            StaticVectors(width, None, None, "ORTH") if self.include_static_vectors else None)
        self.mix = Maxout(n_in, width, 3, normalize=True)
        self._folded = FoldedTables()  # the inference path's tables
        self.n_table_rows = sum(rows)
        self._columns: Dict[Tuple[str, ...], Optional[List[int]]] = {}

    def forward(self, batch) -> torch.Tensor:
        """TokenBatch -> (B, T, width); padding positions are 0."""
        mask = batch.mask
        vectors = None if batch.vectors is None else batch.vectors[mask]
        X = self.forward_packed(self.select(batch)[mask], vectors)  # (N, W)
        out = X.new_zeros(*mask.shape, self.width)
        out[mask] = X
        return out

    def forward_packed(self, ids: torch.Tensor, vectors: Optional[torch.Tensor] = None) -> torch.Tensor:
        """(N, A) int64 ids of real tokens (+ (N, D) vectors) -> (N, width)."""
        if ids.dtype != torch.int64:
            raise HeronTypeError(Errors.E155.format(layer="MultiHashEmbed", dtype=ids.dtype))
        keys = hash_keys(ids, self.salts, self.rows)  # (N, A, 4), all tables in one pass
        if use_folded(self, self.n_table_rows):
            return self._forward_folded(keys, vectors)
        tables = cast(Iterable[HashEmbed], self.embeds)
        parts = [embed.embed_keys(keys[:, j]) for j, embed in enumerate(tables)]  # A x (N, W)
        if self.static_proj is not None:  # include_static_vectors
            if vectors is None:
                raise HeronValueError(Errors.E151)
            parts.append(self.static_proj.forward_packed(vectors))  # (N, W); no grad to the table
        X = self.embed_dropout(torch.cat(parts, dim=-1))  # (N, A * W)
        return self.mix(X)  # (N, W)

    def _forward_folded(self, keys: torch.Tensor, vectors: Optional[torch.Tensor]) -> torch.Tensor:
        """forward_packed at inference, with the mix folded into the tables (folded_embed.py):
        the tables' folded rows stacked in attrs order."""
        starts = torch.cumsum(self.rows, 0) - self.rows  # (A, 1): each table's first folded row
        weights = [cast(HashEmbed, embed).weight for embed in self.embeds]
        return forward_folded(self, weights, (keys + starts).flatten(1), vectors, HeronValueError(Errors.E151))

    def select(self, batch) -> torch.Tensor:
        """The batch's ids columns for this layer's attrs, in order: (B, T, A)."""
        if tuple(batch.attrs) == self.attrs:
            return batch.ids
        key = tuple(batch.attrs)
        if key not in self._columns:
            have = {name: j for j, name in enumerate(key)}
            missing = [a for a in self.attrs if a not in have]
            self._columns[key] = None if missing else [have[a] for a in self.attrs]
        columns = self._columns[key]
        if columns is None:
            raise HeronValueError(Errors.E154.format(layer="MultiHashEmbed", needed=list(self.attrs),
                                                     got=list(key)))
        return batch.ids[..., columns]


@registry.architectures("heron.HashEmbed.v1")
def build_hash_embed(*, width: int, n_rows: int, seed: int = 7) -> HashEmbed:
    """Hash embedding of int64 ids: 4 seeded hashes into `n_rows` rows, rows summed.

    width (int): output width. Recommended 64-300.
    n_rows (int): table rows. Recommended 1000-10000.
    seed (int): selects the hash functions; distinct tables should use distinct seeds.
    """
    return HashEmbed(width, n_rows, seed)


@registry.architectures("heron.MultiHashEmbed.v1")
def build_multi_hash_embed(
    *,
    width: int,
    attrs: List[str] = ["NORM", "PREFIX", "SUFFIX", "SHAPE"],  # noqa: B006 (config default)
    rows: List[int] = [5000, 1000, 2500, 2500],  # noqa: B006
    include_static_vectors: bool = False,
) -> MultiHashEmbed:
    """Embed several lexical attributes with hash tables, mixed by Maxout + LayerNorm.

    width (int): table and output width. Recommended 64-300 (96 for fast CPU pipelines).
    attrs (list[str]): token attributes; NORM, PREFIX, SUFFIX, SHAPE is spaCy's default.
    rows (list[int]): rows per table, one per attribute. Recommended 1000-10000.
    include_static_vectors (bool): also mix in the vocab's static vectors (keyed by
        ORTH, projected to `width`); needs [initialize] vectors. Recommended for small
        training sets.
    """
    return MultiHashEmbed(width, attrs, rows, include_static_vectors)


__all__ = ["HashEmbed", "MultiHashEmbed", "fmix64", "hash_keys", "hash_salts"]
