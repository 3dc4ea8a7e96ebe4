"""StaticVectors: pretrained word vectors as a model feature (spaCy's StaticVectors).

The vectors table (`nlp.vocab.vectors`) is data, not a parameter: `featurize(docs,
attrs, vectors_attr="ORTH")` copies each token's row into `TokenBatch.vectors`
(B, T, D) float32, a plain tensor that never requires grad, so no gradient can reach
the table. This layer learns only the projection D -> nO.

The input size D is usually unknown when the config is resolved (the vectors are
loaded later, by `[initialize] vectors`), so `nM = None` builds the layer unsized and
`set_vectors_dim(model, D)` sizes every such layer in a model. The tok2vec component
does this in `initialize` (before the optimizer is created) and again when loading,
from the shape it recorded in its cfg.json, so save/load never meets an unsized
weight. Layers that consume vectors expose `vectors_attr` (the attribute whose
string keys the table, "ORTH" by default); `vectors_attr(model)` reports a model's.
"""
from __future__ import annotations

import math
from typing import Callable, Optional, Set

import torch
from torch import nn

from ..errors import Errors, HeronValueError, Warnings, warn
from ..registry import registry
from .layers import Dropout, check_positive

# Attributes whose strings can key a vectors table (the lexeme's text, norm or lowercase).
VECTORS_KEY_ATTRS = ("ORTH", "NORM", "LOWER")


class StaticVectors(nn.Module):
    """Project each token's static vector: (B, T, nM) -> (B, T, nO); zero on padding.

    nO (int): output width. Recommended: the trunk's width (64-300).
    nM (int | None): the vectors' dim; None = sized from the vocab's vectors when the
        pipeline is initialised (or loaded).
    dropout (float | None): dropout on the projected vectors (None = 0; the trainer's
        [training] dropout applies to it like to every dropout layer).
    key_attr (str): "ORTH" (default), "NORM" or "LOWER": the attribute whose string is
        looked up in the table. Use the one the vectors were trained on.
    """

    weight: Optional[nn.Parameter]  # (nO, nM) once sized
    _probe: torch.Tensor

    def __init__(self, nO: int, nM: Optional[int] = None, dropout: Optional[float] = None,
                 key_attr: str = "ORTH"):
        super().__init__()
        check_positive("StaticVectors", "nO", nO, recommended="64-300")
        key_attr = str(key_attr).upper()
        if key_attr not in VECTORS_KEY_ATTRS:
            raise HeronValueError(Errors.E652.format(layer="StaticVectors", arg="key_attr",
                                                     value=key_attr, allowed=list(VECTORS_KEY_ATTRS)))
        self.nO = self.width = nO
        self.nM: Optional[int] = None
        self.vectors_attr: Optional[str] = key_attr
        self.register_parameter("weight", None)  # (nO, nM) once sized
        # Follows .to(device) while the layer is unsized, so late sizing lands on the right device.
        self.register_buffer("_probe", torch.empty(0), persistent=False)
        # () -> dim of the vocab's vectors (or None), bound by the pipeline (bind_listeners).
        self._dim_source: Optional[Callable[[], Optional[int]]] = None
        self.register_state_dict_pre_hook(_size_before_state_dict)
        self.dropout = Dropout(0.0 if dropout is None else float(dropout))
        if nM is not None:
            check_positive("StaticVectors", "nM", nM, recommended="the vectors' dim, e.g. 300")
            self.set_vectors_dim(nM)

    @property
    def attrs(self) -> tuple:
        """No hash-id features: usable on its own as the embed of heron.Tok2Vec.v1."""
        return ()

    @property
    def is_sized(self) -> bool:
        return self.weight is not None

    def set_vectors_dim(self, dim: int) -> None:
        """Size the projection for vectors of `dim` columns (no-op if already that size).

        Re-sizing to another dim creates fresh weights: trained weights for other
        vectors are meaningless for these.
        """
        dim = int(dim)
        if self.nM == dim and self.weight is not None:
            return
        device = self._probe.device
        # Linear's default init; no bias (spaCy's StaticVectors has none either).
        weight = torch.empty(self.nO, dim, device=device)
        nn.init.kaiming_uniform_(weight, a=math.sqrt(5))
        self.weight = nn.Parameter(weight)
        self.nM = dim

    def bind_dim_source(self, source: Optional[Callable[[], Optional[int]]]) -> None:
        """Take the input size from `source()` (the vocab's vectors dim) while unsized:
        now if it answers, else before the next state_dict() or forward."""
        self._dim_source = source
        self.size_from_source()

    def size_from_source(self) -> bool:
        """Size an unsized layer from the bound source; True if the layer is sized."""
        if self.weight is None and self._dim_source is not None:
            dim = self._dim_source()
            if dim:
                self.set_vectors_dim(dim)
        return self.weight is not None

    def _load_from_state_dict(self, state_dict, prefix, local_metadata, strict, missing_keys,
                              unexpected_keys, error_msgs) -> None:
        # Saved weights know the vectors' dim: an unsized layer takes it from them.
        saved = state_dict.get(prefix + "weight")
        if self.weight is None and saved is not None and saved.dim() == 2:
            self.set_vectors_dim(int(saved.shape[1]))
        super()._load_from_state_dict(state_dict, prefix, local_metadata, strict, missing_keys,
                                      unexpected_keys, error_msgs)

    def forward(self, batch) -> torch.Tensor:
        """TokenBatch -> (B, T, nO) float; padding rows are 0 (the table returns zeros)."""
        if batch.vectors is None:
            raise HeronValueError(Errors.E650.format(layer="StaticVectors"))
        return self.forward_packed(batch.vectors) * batch.mask.unsqueeze(-1)

    def forward_packed(self, vectors: torch.Tensor) -> torch.Tensor:
        """(..., nM) float vectors -> (..., nO). The vectors never get a gradient."""
        X = self.checked_input(vectors)
        assert self.weight is not None  # sized by checked_input
        return self.dropout(X @ self.weight.t())  # (..., nO)

    def checked_input(self, vectors: Optional[torch.Tensor]) -> torch.Tensor:
        """The vectors as this layer multiplies them (detached, in the weight's dtype),
        sizing an unsized layer from them (W650); E650 without vectors, E651 for another dim."""
        if vectors is None:
            raise HeronValueError(Errors.E650.format(layer="StaticVectors"))
        dim = int(vectors.shape[-1])
        if not self.size_from_source():
            warn(Warnings.W650.format(layer="StaticVectors", dim=dim))
            self.set_vectors_dim(dim)
        elif dim != self.nM:
            raise HeronValueError(Errors.E651.format(layer="StaticVectors", expected=self.nM, got=dim))
        weight = self.weight
        assert weight is not None  # sized above
        # detach: data, not a parameter, even if a caller hands in a tensor with grad.
        return vectors.detach().to(weight.dtype)

    def extra_repr(self) -> str:
        return f"nO={self.nO}, nM={self.nM}, key_attr={self.vectors_attr!r}"


def _size_before_state_dict(module: StaticVectors, prefix: str, keep_vars: bool) -> None:
    # state_dict() is what saving and TrainablePipe's shape check before loading read: by
    # then the vocab's vectors are loaded, so an unsized layer can take their dim.
    module.size_from_source()


def set_vectors_dim(model: nn.Module, dim: int) -> int:
    """Size every static-vectors layer in `model` for vectors of `dim`; returns how many.

    Works on any module exposing `vectors_attr` and `set_vectors_dim(dim)`, including
    user-registered layers that wrap a StaticVectors.
    """
    count = 0
    for module in model.modules():
        if isinstance(module, StaticVectors) or (
                getattr(module, "vectors_attr", None) and callable(getattr(module, "set_vectors_dim", None))
                and not any(isinstance(m, StaticVectors) for m in module.modules())):
            module.set_vectors_dim(dim)  # type: ignore[operator]
            count += 1
    return count


def vectors_attr(model: nn.Module) -> Optional[str]:
    """The attribute keying the static vectors `model` reads ("ORTH", ...), or None.

    All static-vectors layers of one model must agree (E653): a batch carries one
    vectors tensor.
    """
    attrs: Set[str] = {a for m in model.modules() if (a := getattr(m, "vectors_attr", None))}
    if len(attrs) > 1:
        raise HeronValueError(Errors.E653.format(attrs=sorted(attrs)))
    return next(iter(attrs), None)


def vectors_dims(model: nn.Module) -> set:
    """The dims the model's StaticVectors layers are sized for ({None} if unsized)."""
    return {m.nM for m in model.modules() if isinstance(m, StaticVectors)}


@registry.architectures("heron.StaticVectors.v1")
def build_static_vectors(*, nO: int, nM: Optional[int] = None, dropout: Optional[float] = None,
                         key_attr: str = "ORTH") -> StaticVectors:
    """Embed tokens by their static word vectors, projected to nO (spaCy's StaticVectors.v2).

    nO (int): output width; as the embed of heron.Tok2Vec.v1 it must equal the
        encoder's width. Recommended 64-300.
    nM (int | None): vectors dim; None (recommended) = read from the loaded vectors.
    dropout (float | None): dropout on the output; None = 0 (set by [training] dropout).
    key_attr (str): "ORTH" (default), "NORM" or "LOWER": which string keys the table.

    The table gets no gradient: only the (nO, nM) projection is learned. Needs vectors
    in the vocab ([initialize] vectors); the tok2vec component refuses to initialise
    or load without the vectors it was trained with (E654/E656).
    """
    return StaticVectors(nO, nM, dropout, key_attr)


__all__ = ["StaticVectors", "build_static_vectors", "set_vectors_dim", "vectors_attr", "vectors_dims",
           "VECTORS_KEY_ATTRS"]
