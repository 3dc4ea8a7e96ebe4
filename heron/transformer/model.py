"""TransformerModel: any Hugging Face encoder as a torch module, tensors in, hidden states out.

    [components.transformer.model]
    @architectures = "heron.TransformerModel.v1"
    name = "roberta-base"            # a local folder, or a hub id already in the HF cache
    tokenizer_config = {"use_fast": true}
    transformer_config = {}
    mixed_precision = false

    [components.transformer.model.get_spans]
    @span_getters = "heron.strided_spans.v1"
    window = 128
    stride = 96

`forward(windows) -> (n_pieces, W)`: one padded batch of wordpiece windows in
(`windows.input_ids`, `windows.attention_mask`: (B, L) tensors, e.g. a featurize
`WindowChunk`), the float32 hidden states of the real pieces out (row after row).
BERT-style models (BERT, RoBERTa, XLM-R, MiniLM) skip the padding altogether outside
attention (`packed.py`, checked once against the HF forward pass); others run the plain
HF forward. Autocast (mixed_precision) and float16 loss scaling happen here too.

The module never sees a Doc: `heron.featurize.featurize_wordpieces` turns Docs into
windows with its tokenizer and `get_spans`, and `batch.transformer_batch(model, docs)`
runs the whole Docs -> FullTransformerBatch flow. Loading and saving are in
`hf_loading`: weights load lazily (first use, `initialize`, or the saved copy in
`from_disk`), so loading a saved pipeline never needs the original model; only the small
config.json is read at construction, when it is available, to learn the width.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Protocol, Tuple, cast

import torch
from torch import nn

from ..errors import Errors, HeronValueError, Warnings, warn
from ..registry import registry
from .hf_loading import hidden_width, load_pretrained, max_window_length, peek_config, save_pretrained
from .packed import PackedEncoder, verified_packed_encoder
from .safe_loading import check_tokenizer_config, check_transformer_config

SpanGetter = Callable[[List[Any]], List[List[Any]]]


class WindowBatch(Protocol):
    """What forward reads (heron.featurize.WindowChunk is one): right-padded windows."""

    input_ids: torch.Tensor  # (B, L) int64, each row's pieces first, then padding
    attention_mask: torch.Tensor  # (B, L), 1 on real pieces, 0 on padding


class TransformerModel(nn.Module):
    """A Hugging Face `AutoModel` (+ its fast tokenizer) as a tensors-in torch module.

    Attributes: `transformer` (the HF module, None until loaded), `tokenizer`,
    `hf_config`, `width` (hidden size; None while unknown), `max_length` (wordpieces
    per window, special tokens included). Settings the featurizer reads with the
    tokenizer: `get_spans` (the span getter of the config) and `max_batch_items`
    (padded wordpieces per forward call; set by the component).
    """

    # Kept out of nn.Module's registries (set through __dict__): HF objects, not submodules.
    tokenizer: Any
    hf_config: Any
    grad_scaling: Any

    def __init__(self, name: str, get_spans: SpanGetter, tokenizer_config: Dict[str, Any],
                 transformer_config: Dict[str, Any], mixed_precision: bool = False,
                 grad_scaler_config: Optional[Dict[str, Any]] = None):
        super().__init__()
        self.name = str(name)
        self.get_spans = get_spans
        # Only known-safe settings reach from_pretrained (E764-E766), checked at build time
        # so a tampered config.cfg fails before any file is read.
        self.tokenizer_config = check_tokenizer_config(tokenizer_config)
        self.transformer_config = check_transformer_config(transformer_config)
        self.mixed_precision = bool(mixed_precision)
        self.grad_scaler_config = dict(grad_scaler_config or {})
        self.max_batch_items = 4096
        # Run BERT-style models without padding (packed.py) where that is verified to give
        # the Hugging Face forward pass's result; False forces the plain HF forward.
        self.use_packed = True
        self.transformer: Optional[nn.Module] = None
        # Follows .to(device) so a model loaded later lands on the pipeline's device.
        self.register_buffer("_device_marker", torch.zeros(0), persistent=False)
        self.__dict__["tokenizer"] = None
        self.__dict__["_warned_amp"] = False
        # Training state, never saved or copied: a LossScale set by
        # training/loss_scale.py attach_grad_scalers while this model trains in float16.
        self.__dict__["grad_scaling"] = None
        self.__dict__["hf_config"] = peek_config(self.name, self.transformer_config)

    # ---- what we know before loading ------------------------------------------------
    @property
    def loaded(self) -> bool:
        return self.transformer is not None

    @property
    def width(self) -> Optional[int]:
        return hidden_width(self.hf_config)

    @property
    def device(self) -> torch.device:
        return cast(torch.Tensor, self._device_marker).device

    def needs_grad_scaler(self) -> bool:
        """True when training this model runs float16 autocast, so its gradients need loss
        scaling (torch.amp.GradScaler, settings from `grad_scaler_config`)."""
        return needs_grad_scaler(self)

    @property
    def max_length(self) -> int:
        """Wordpieces per forward window, special tokens included."""
        return max_window_length(self.hf_config, self.tokenizer)

    @property
    def pad_id(self) -> int:
        """The id padding positions get (masked: any id gives the same outputs)."""
        return getattr(self.tokenizer, "pad_token_id", None) or 0

    # ---- loading ----------------------------------------------------------------------
    def load(self, path: Optional[Path] = None) -> None:
        """Load weights, tokenizer and config from `path` (a saved copy) or else `name`."""
        config, tokenizer, model = load_pretrained(self.name, path, tokenizer_config=self.tokenizer_config,
                                                   transformer_config=self.transformer_config)
        self.__dict__["hf_config"] = config
        self.__dict__["tokenizer"] = tokenizer
        self.transformer = model.to(self.device)

    def ensure_loaded(self) -> None:
        if self.transformer is None:
            self.load()

    def save(self, path: Path) -> None:
        """Write config.json, model.safetensors and the tokenizer files into folder `path`."""
        self.ensure_loaded()
        save_pretrained(self.transformer, self.tokenizer, path)

    # ---- the forward pass -------------------------------------------------------------
    def forward(self, windows: WindowBatch) -> torch.Tensor:
        """(n_pieces, W) float32 hidden states of the real pieces of a window batch.

        windows.input_ids: (B, L) int64, each row's pieces first, then padding (right padding).
        windows.attention_mask: (B, L), 1 on real pieces, 0 on padding.
        Row b's states are rows [sum(len[:b]), sum(len[:b + 1])) of the result, so
        `torch.split(out, lengths)` gives one (len_b, W) tensor per window. Grad mode and
        train/eval mode are the caller's.
        """
        input_ids, attention_mask = check_window_batch(windows)
        self.ensure_loaded()
        packed = self._packed()
        with self._autocast():
            if packed is not None:
                hidden = packed(input_ids, attention_mask)  # (n_pieces, W): real pieces only
            else:
                hidden = self._hf_forward(input_ids, attention_mask)  # (B, L, W)
        hidden = hidden.float()
        scaling = self.__dict__.get("grad_scaling")
        if scaling is not None and hidden.requires_grad:
            # Loss scaling at the float16 boundary (as thinc's PyTorchShim does for
            # spacy-transformers): the gradient entering the autocast region is multiplied
            # by the scale, so it can't underflow in float16; the heads (float32) see true
            # gradients, and the optimizer unscales only this model's parameters.
            hidden = scaling.scale_grad(hidden)
        if packed is None:
            hidden = hidden[attention_mask.bool()]  # (B, L, W) -> (n_pieces, W), row after row
        return hidden

    def _hf_forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        assert self.transformer is not None, "loaded by forward (ensure_loaded) first"
        out = self.transformer(input_ids=ids, attention_mask=mask)
        hidden = getattr(out, "last_hidden_state", None)
        if hidden is None and isinstance(out, (tuple, list)) and out:
            hidden = out[0]
        if not isinstance(hidden, torch.Tensor):
            raise HeronValueError(Errors.E756.format(name=self.name, got=type(out).__name__))
        return hidden

    def _packed(self) -> Optional[PackedEncoder]:
        """The padding-free forward pass for this model, or None (plain HF forward);
        verified once per loaded HF model (`packed.verified_packed_encoder`)."""
        if not self.use_packed or self.transformer is None:
            return None
        cached = self.__dict__.get("_packed_encoder")
        if cached is not None and cached[0] is self.transformer:
            return cached[1]
        packed = verified_packed_encoder(self.transformer, self._hf_forward, pad_id=self.pad_id,
                                         vocab_size=int(getattr(self.hf_config, "vocab_size", 0) or 0),
                                         device=self.device)
        self.__dict__["_packed_encoder"] = (self.transformer, packed)
        return packed

    def _autocast(self) -> Any:
        if not self.mixed_precision:
            return contextlib.nullcontext()
        if self.device.type != "cuda":
            if not self.__dict__["_warned_amp"]:
                self.__dict__["_warned_amp"] = True
                warn(Warnings.W750.format(name=self.name, device=self.device.type.upper()))
            return contextlib.nullcontext()
        return torch.autocast("cuda", dtype=autocast_dtype(self.device))

    def extra_repr(self) -> str:
        return f"name={self.name!r}, width={self.width}, loaded={self.loaded}"


def check_window_batch(windows: Any) -> Tuple[torch.Tensor, torch.Tensor]:
    """(input_ids, attention_mask) of `windows`; E771 unless they are a (B, L) integer
    tensor and a (B, L) tensor."""
    input_ids = getattr(windows, "input_ids", None)
    attention_mask = getattr(windows, "attention_mask", None)
    problem = None
    if not isinstance(input_ids, torch.Tensor) or not isinstance(attention_mask, torch.Tensor):
        problem = (f"got a {type(windows).__name__} with input_ids {type(input_ids).__name__} "
                   f"and attention_mask {type(attention_mask).__name__}")
    elif input_ids.dim() != 2 or input_ids.shape != attention_mask.shape:
        problem = f"input_ids has shape {tuple(input_ids.shape)}, attention_mask {tuple(attention_mask.shape)}"
    elif input_ids.dtype.is_floating_point or input_ids.dtype == torch.bool:
        problem = f"input_ids has dtype {input_ids.dtype}"
    if problem is not None:
        raise HeronValueError(Errors.E771.format(problem=problem))
    return input_ids, attention_mask  # type: ignore[return-value]  # both checked above


def autocast_dtype(device: torch.device) -> Optional[torch.dtype]:
    """The autocast dtype of mixed_precision on `device`: bfloat16 where the GPU has it
    (Ampere and newer), else float16 (V100, T4, ...); None off CUDA (no autocast)."""
    if torch.device(device).type != "cuda":
        return None
    return torch.bfloat16 if torch.cuda.is_bf16_supported() else torch.float16


def needs_grad_scaler(model: TransformerModel) -> bool:
    """Does training `model` need loss scaling? Only float16 autocast does: bfloat16 has
    float32's exponent range and float32 needs none. (Tests monkeypatch this function to
    exercise the float16 path on CPU.)"""
    return model.mixed_precision and autocast_dtype(model.device) == torch.float16


@registry.architectures("heron.TransformerModel.v1")
def transformer_model_v1(*, name: str, get_spans: SpanGetter,
                         tokenizer_config: Dict[str, Any] = {},  # noqa: B006 (config default)
                         transformer_config: Dict[str, Any] = {},  # noqa: B006
                         mixed_precision: bool = False,
                         grad_scaler_config: Dict[str, Any] = {}) -> TransformerModel:  # noqa: B006
    """A Hugging Face transformer (any `AutoModel` with a fast tokenizer) as a trunk.

    name (str): a local folder (config.json + weights + tokenizer.json) or a hub id that
        is already in the local Hugging Face cache; nothing is downloaded (E750 says how
        to provide a model). A saved pipeline loads its own copy, never `name`.
    get_spans: a span getter (registry span_getters): heron.doc_spans.v1,
        heron.sent_spans.v1 or heron.strided_spans.v1(window, stride) (wordpieces).
        Spans longer than the model allows are split into windows automatically.
    tokenizer_config (dict): settings for AutoTokenizer.from_pretrained (e.g.
        {"use_fast": true}); only safe_loading.TOKENIZER_OPTIONS are accepted (use_fast,
        add_prefix_space, do_lower_case, model_max_length, ...; anything else E765,
        trust_remote_code E764). The tokenizer must be a fast one (E701).
    transformer_config (dict): config overrides for AutoConfig.from_pretrained (e.g.
        {"hidden_dropout_prob": 0.1}); only safe_loading.CONFIG_OPTIONS (dropouts,
        layer_norm_eps, output_* flags, attn_implementation "eager"/"sdpa").
    mixed_precision (bool): run the forward pass under torch.autocast (bfloat16 where
        supported, else float16) on GPU; ignored on CPU (W750). Outputs are float32.
    grad_scaler_config (dict): torch.amp.GradScaler settings (spacy-transformers'
        names): init_scale (65536.0), growth_factor (2.0), backoff_factor (0.5),
        growth_interval (2000), enabled (true). Used only when training runs float16
        autocast (mixed_precision on a GPU without bfloat16): gradients are scaled while
        they flow back into the transformer, unscaled before clipping, and a step whose
        gradients hold inf/nan is skipped while the scale backs off. Unknown keys: E855.
        The scaler is training state: never saved with the pipeline.
    """
    return TransformerModel(name, get_spans, tokenizer_config, transformer_config,
                            mixed_precision, grad_scaler_config)


__all__ = ["TransformerModel", "transformer_model_v1", "WindowBatch", "check_window_batch",
           "autocast_dtype", "needs_grad_scaler"]
