"""The wordpiece encoder protocol: what a `transformer` component's model must offer.

heron.TransformerModel.v1 (any Hugging Face encoder) is one such model; a custom
architecture registered with `@registry.architectures(...)` (and `--code`) may return ANY
`torch.nn.Module` with these attributes, no subclassing needed:

    tokenizer    a Hugging Face *fast* tokenizer (it gives the character offsets that
                 align wordpieces to tokens; E701 otherwise)
    get_spans    a span getter (registry span_getters): Docs -> spans to encode
    max_length   int: most wordpieces per window, special tokens included; longer
                 spans are cut into overlapping windows before `forward` sees them
    width        int: the hidden size `forward` returns (listeners size heads from it)
    forward(windows) -> (n_pieces, width) float tensor: one row per REAL wordpiece,
                 window after window. `windows.input_ids` (B, L) int64 and
                 `windows.attention_mask` (B, L) (1 on real pieces, 0 on padding) are
                 right-padded; a row's states must not depend on its padding (mask it,
                 or pack the sequences), so a Doc's output never depends on its batch.

Optional (read with a default when missing):

    pad_id          the id written on padding positions (default: the tokenizer's
                    pad_token_id, else 0)
    max_batch_items the component writes its setting here before each batch
    device          torch.device (default: that of the first parameter, else CPU)
    ensure_loaded() called before the first batch and by `initialize` (lazy weights)
    name            shown in errors and cfg.json (default: the class name)

Saving: a TransformerModel writes the Hugging Face folder (weights, config, tokenizer).
Any other module's `state_dict()` goes into the component's `model.safetensors`, checked
name by name and shape by shape at load (E355), and the module itself is rebuilt from
config.cfg by its registered function, so its settings (and where its tokenizer comes
from) belong in its config block, and its registered function must be importable
(`--code`, or a package) wherever the pipeline is loaded.

This module imports neither Docs nor `transformers`: the encoder stays tensors-only.
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Protocol, Tuple, runtime_checkable

import torch
from torch import nn

from ..errors import Errors, HeronValueError

SpanGetter = Callable[[List[Any]], List[List[Any]]]

# The attributes a model must have, with what each is for (named in E757).
REQUIRED: Tuple[Tuple[str, str], ...] = (
    ("tokenizer", "a Hugging Face fast tokenizer"),
    ("get_spans", "a span getter"),
    ("max_length", "int, wordpieces per window"),
    ("width", "int, the hidden size"),
)


@runtime_checkable
class WordpieceEncoder(Protocol):
    """See the module docstring: tensors in (a window batch), hidden states out."""

    tokenizer: Any
    get_spans: SpanGetter

    @property
    def max_length(self) -> int: ...

    @property
    def width(self) -> Optional[int]: ...

    def __call__(self, windows: Any) -> torch.Tensor: ...  # (n_pieces, width)


def missing_attributes(model: Any) -> List[str]:
    """The REQUIRED attributes `model` lacks, as 'name (what it is)'; [] if none."""
    missing = [f"{attr} ({what})" for attr, what in REQUIRED if not hasattr(model, attr)]
    if not isinstance(model, nn.Module):
        missing.insert(0, "a torch.nn.Module")
    return missing


def check_encoder_output(model: Any, hidden: Any, lengths: List[int]) -> torch.Tensor:
    """`hidden` as float32 if it is the (sum(lengths), width) float tensor `forward` must
    return for windows of `lengths` real pieces; else E773 (a custom model's mistake
    would otherwise surface as a shape error deep inside pooling or average_windows)."""
    n, width = int(sum(lengths)), getattr(model, "width", None)
    ok = (isinstance(hidden, torch.Tensor) and hidden.is_floating_point() and hidden.dim() == 2
          and hidden.shape[0] == n and (width is None or hidden.shape[1] == int(width)))
    if not ok:
        got = (f"a {hidden.dtype} tensor of shape {tuple(hidden.shape)}" if isinstance(hidden, torch.Tensor)
               else f"a {type(hidden).__name__}")
        raise HeronValueError(Errors.E773.format(name=encoder_name(model), got=got, n=n, width=width))
    return hidden.float()


def encoder_device(model: Any) -> torch.device:
    device = getattr(model, "device", None)
    if isinstance(device, torch.device):
        return device
    for tensor in list(model.parameters()) + list(model.buffers()):
        return tensor.device
    return torch.device("cpu")


def encoder_pad_id(model: Any) -> int:
    pad_id = getattr(model, "pad_id", None)
    if pad_id is None:
        pad_id = getattr(model.tokenizer, "pad_token_id", None)
    return int(pad_id or 0)


def encoder_name(model: Any) -> str:
    return str(getattr(model, "name", None) or type(model).__name__)


def ensure_loaded(model: Any) -> None:
    """Let a model with lazy weights (TransformerModel) load them; others have nothing to do."""
    load = getattr(model, "ensure_loaded", None)
    if callable(load):
        load()


__all__ = ["WordpieceEncoder", "REQUIRED", "missing_attributes", "check_encoder_output",
           "encoder_device", "encoder_pad_id", "encoder_name", "ensure_loaded", "SpanGetter"]
