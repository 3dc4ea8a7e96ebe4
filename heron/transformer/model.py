"""TransformerModel: any Hugging Face encoder as a torch module that reads heron Docs.

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

forward(docs) -> FullTransformerBatch, in five steps:

1. the span getter cuts each Doc into spans (whole doc, sentences, or wordpiece windows);
2. each span's text is tokenized ONCE by the fast tokenizer (character offsets kept);
3. spans longer than the model allows are cut into overlapping windows (never truncated;
   W700 names heron.strided_spans.v1), windows are sorted by length and run in chunks
   of at most `max_batch_items` padded wordpieces, so padding and memory stay small;
   BERT-style models (BERT, RoBERTa, XLM-R, MiniLM) then skip the padding altogether
   outside attention (`packed.py`, checked once against the HF forward pass);
4. window outputs are averaged per wordpiece (overlaps) into each doc's flat piece list;
5. heron tokens are aligned to those pieces by character overlap (`align.align_doc`).

`batch.extra["pieces"]` is the (n_pieces_in_batch, width) float32 tensor (in the autograd
graph while training); listeners pool it into token vectors. `batch.doc_data` holds the
compact CPU numpy copies that become `doc._.trf_data`.

Nothing is downloaded and no code shipped with a model runs, ever: every call into
transformers goes through `safe_loading` (local files only, trust_remote_code=False, hub
offline, an allowlist of tokenizer_config/transformer_config keys, model folders checked
for auto_map & co. first, safetensors weights only). Weights are loaded lazily (first use, `initialize`, or the saved copy in `from_disk`) so loading a
saved pipeline never needs the original model; only the small config.json is read at
construction, when it is available, to learn the width.
"""
from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

from ..errors import Errors, HeronError, HeronValueError, Warnings, warn
from ..registry import registry
from ..util import length_chunks
from .data import FullTransformerBatch, TransformerData
from .packed import PackedEncoder
from .safe_loading import (check_model_folder, check_safetensors_weights, check_tokenizer_config,
                           check_transformer_config, from_pretrained, hf_cache_dir, local_model_folder,
                           quiet as _quiet, resolve_name)

SpanGetter = Callable[[List[Any]], List[List[Any]]]
# RoBERTa-family position ids start after padding_idx: max_position_embeddings - 2 usable.
_OFFSET_POSITION_MODELS = ("roberta", "xlm-roberta", "camembert", "longformer", "bart", "mpnet")


class MissingTransformersError(HeronError, ImportError):
    """The optional `transformers` package is not installed."""


def require_transformers(what: str = "The transformer component") -> Any:
    """Import `transformers` (slow: seconds), or raise E700 naming pip install heron[transformers]."""
    try:
        import transformers
    except ImportError as e:
        raise MissingTransformersError(Errors.E700.format(what=what, err=e)) from None
    return transformers


class TransformerModel(nn.Module):
    """A Hugging Face `AutoModel` + fast tokenizer behind a Docs-in interface.

    Attributes: `transformer` (the HF module, None until loaded), `tokenizer`,
    `hf_config`, `width` (hidden size; None while unknown), `max_length` (wordpieces
    per window, special tokens included), `max_batch_items` (set by the component).
    """

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
        self.__dict__["hf_config"] = None
        self.__dict__["_warned_amp"] = False
        # Training state, never saved or copied: a LossScale set by
        # training/loss_scale.py attach_grad_scalers while this model trains in float16.
        self.__dict__["grad_scaling"] = None
        self._peek_config()

    # ---- what we know before loading ------------------------------------------------
    def _peek_config(self) -> None:
        """Read only config.json of `name`, if available locally (cheap), for the width.
        A folder that would need code shipped with it is refused here already (E767)."""
        transformers = require_transformers()
        folder = local_model_folder(self.name)
        if folder is None:
            return  # not here (e.g. a saved pipeline elsewhere): from_disk or initialize tells
        check_model_folder(folder, written_by_heron=False)
        try:
            self.__dict__["hf_config"] = from_pretrained(
                transformers.AutoConfig, resolve_name(self.name), **self.transformer_config)
        except (OSError, ValueError):
            pass  # unreadable: load() reports it with the details (E750)

    @property
    def loaded(self) -> bool:
        return self.transformer is not None

    @property
    def width(self) -> Optional[int]:
        config = self.hf_config
        if config is None:
            return None
        for key in ("hidden_size", "d_model", "n_embd", "dim"):
            value = getattr(config, key, None)
            if isinstance(value, int):
                return value
        return None

    @property
    def device(self) -> torch.device:
        return self._device_marker.device

    def needs_grad_scaler(self) -> bool:
        """True when training this model runs float16 autocast, so its gradients need loss
        scaling (torch.amp.GradScaler, settings from `grad_scaler_config`)."""
        return needs_grad_scaler(self)

    @property
    def max_length(self) -> int:
        """Wordpieces per forward window, special tokens included."""
        limits = []
        tok_max = getattr(self.tokenizer, "model_max_length", None)
        if isinstance(tok_max, int) and 0 < tok_max < 1_000_000:
            limits.append(tok_max)
        positions = getattr(self.hf_config, "max_position_embeddings", None)
        if isinstance(positions, int) and positions > 0:
            model_type = str(getattr(self.hf_config, "model_type", ""))
            offset = 0
            if model_type in _OFFSET_POSITION_MODELS:
                offset = int(getattr(self.hf_config, "pad_token_id", 1) or 1) + 1
            limits.append(positions - offset)
        return min(limits) if limits else 512

    # ---- loading ----------------------------------------------------------------------
    def load(self, path: Optional[Path] = None) -> None:
        """Load weights, tokenizer and config from `path` (a saved copy) or else `name`.
        The folder is checked first (E767: code it would need; E769: pickle-only weights)."""
        transformers = require_transformers()
        saved = path is not None
        source = str(path) if saved else resolve_name(self.name)
        folder = Path(path) if saved else local_model_folder(self.name)
        if folder is not None:
            check_model_folder(folder, written_by_heron=saved)
            check_safetensors_weights(folder, self.name)
        with _quiet(transformers):
            try:
                config = from_pretrained(transformers.AutoConfig, source, **self.transformer_config)
                tokenizer = from_pretrained(transformers.AutoTokenizer, source, **self.tokenizer_config)
                model = from_pretrained(transformers.AutoModel, source, config=config, use_safetensors=True)
            except (OSError, ValueError) as e:
                raise self._load_error(source, saved, e) from None
        from .tokenize import require_fast_tokenizer

        require_fast_tokenizer(tokenizer)
        self.__dict__["hf_config"] = config
        self.__dict__["tokenizer"] = tokenizer
        self.transformer = model.to(self.device)

    def _load_error(self, source: str, saved: bool, e: Exception) -> HeronError:
        detail = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        if saved:
            return HeronValueError(Errors.E754.format(path=source, detail=detail))
        where = "a folder" if Path(source).expanduser().exists() else "not a folder here; looked in the HF cache"
        return HeronValueError(Errors.E750.format(name=self.name, where=where, detail=detail,
                                                  cache=hf_cache_dir()))

    def ensure_loaded(self) -> None:
        if self.transformer is None:
            self.load()

    def save(self, path: Path) -> None:
        """Write config.json, model.safetensors and the tokenizer files into folder `path`."""
        self.ensure_loaded()
        transformers = require_transformers()
        with _quiet(transformers):
            self.transformer.save_pretrained(str(path))
            self.tokenizer.save_pretrained(str(path))

    # ---- the forward pass -------------------------------------------------------------
    def forward(self, docs: Sequence[Any]) -> FullTransformerBatch:
        """Run the transformer over `docs` (grad mode and train/eval mode are the caller's)."""
        from .span_getters import get_span_chars, window_settings
        from .tokenize import average_windows, plan_span_windows, tokenize_spans

        self.ensure_loaded()
        docs = list(docs)
        spans = get_span_chars(self.get_spans, docs)  # per doc: [(start_char, end_char), ...]
        texts = [doc.text[start:end] for doc, doc_spans in zip(docs, spans) for start, end in doc_spans]
        pieces = tokenize_spans(self.tokenizer, texts, max_length=self.max_length)
        window, stride = window_settings(self.get_spans)
        plan = plan_span_windows(pieces, max_length=self.max_length, window=window, stride=stride,
                                 getter_name=getattr(self.get_spans, "name", "heron.doc_spans.v1"))
        outputs = self._run_windows(plan.input_ids)
        flat = torch.cat(average_windows(outputs, plan), 0) if len(plan) else \
            torch.zeros((0, int(self.width or 0)), device=self.device)  # (n_pieces_in_batch, W)
        doc_data = _doc_data(docs, spans, pieces, flat)
        padded = nn.utils.rnn.pad_sequence(outputs, batch_first=True) if outputs else None
        doc_offsets = np.concatenate([[0], np.cumsum([d.n_pieces for d in doc_data])]).astype(np.int64)
        return FullTransformerBatch(docs, spans, doc_data, padded,
                                    extra={"pieces": flat, "doc_offsets": doc_offsets})

    def _run_windows(self, windows: List[np.ndarray]) -> List[torch.Tensor]:
        """Window outputs (len_i, W) float32 in input order; sorted by length and chunked."""
        outputs: List[Optional[torch.Tensor]] = [None] * len(windows)
        lengths = np.asarray([w.size for w in windows], dtype=np.int64)
        pad_id = getattr(self.tokenizer, "pad_token_id", None) or 0
        for chunk in length_chunks(lengths, self.max_batch_items):
            width = int(lengths[chunk].max())
            ids = np.full((len(chunk), width), pad_id, dtype=np.int64)
            mask = np.zeros((len(chunk), width), dtype=np.int64)
            for row, w in enumerate(chunk):
                ids[row, : lengths[w]] = windows[w]
                mask[row, : lengths[w]] = 1
            rows = self._encode(torch.from_numpy(ids).to(self.device),
                                torch.from_numpy(mask).to(self.device), lengths[chunk].tolist())
            for w, hidden in zip(chunk, rows):
                outputs[w] = hidden
        return outputs  # type: ignore[return-value]

    def _encode(self, ids: torch.Tensor, mask: torch.Tensor, lengths: List[int]) -> List[torch.Tensor]:
        """Each row's (len_i, W) float32 hidden states, through the packed fast path if it applies."""
        packed = self._packed()
        with self._autocast():
            if packed is not None:
                hidden = packed(ids, mask)  # (n_pieces, W): real pieces only
            else:
                hidden = self._hf_forward(ids, mask)  # (n, L, W)
        hidden = hidden.float()
        scaling = self.__dict__.get("grad_scaling")
        if scaling is not None and hidden.requires_grad:
            # Loss scaling at the float16 boundary (as thinc's PyTorchShim does for
            # spacy-transformers): the gradient entering the autocast region is multiplied
            # by the scale, so it can't underflow in float16; the heads (float32) see true
            # gradients, and the optimizer unscales only this model's parameters.
            hidden = scaling.scale_grad(hidden)
        if packed is not None:
            return list(torch.split(hidden, lengths))
        return [hidden[row, :n] for row, n in enumerate(lengths)]

    def _hf_forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        out = self.transformer(input_ids=ids, attention_mask=mask)
        hidden = getattr(out, "last_hidden_state", None)
        if hidden is None and isinstance(out, (tuple, list)) and out:
            hidden = out[0]
        if not isinstance(hidden, torch.Tensor):
            raise HeronValueError(Errors.E756.format(name=self.name, got=type(out).__name__))
        return hidden

    def _packed(self) -> Optional[PackedEncoder]:
        """The padding-free forward pass for this model, or None (plain HF forward).

        Checked once per loaded model: it must reproduce the HF forward pass on a small
        probe batch, so a model whose layers compute something else (a future
        transformers release, a custom subclass) silently keeps the HF path.
        """
        if not self.use_packed or self.transformer is None:
            return None
        cached = self.__dict__.get("_packed_encoder")
        if cached is not None and cached[0] is self.transformer:
            return cached[1]
        packed = PackedEncoder(self.transformer) if PackedEncoder.supports(self.transformer) else None
        if packed is not None and not self._packed_matches(packed):
            packed = None
        self.__dict__["_packed_encoder"] = (self.transformer, packed)
        return packed

    def _packed_matches(self, packed: PackedEncoder) -> bool:
        model = self.transformer
        vocab = int(getattr(self.hf_config, "vocab_size", 0) or 0)
        if model is None or vocab < 8:
            return False
        pad_id = getattr(self.tokenizer, "pad_token_id", None) or 0
        lengths = [7, 4, 1]
        ids = torch.full((3, 7), pad_id, dtype=torch.long)
        mask = torch.zeros((3, 7), dtype=torch.long)
        for row, n in enumerate(lengths):
            ids[row, :n] = (torch.arange(n) * 7919 + 101 * (row + 1)) % vocab
            mask[row, :n] = 1
        ids, mask = ids.to(self.device), mask.to(self.device)
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                want = self._hf_forward(ids, mask).float()[mask.bool()]
                got = packed(ids, mask).float()
        except Exception:  # any structural surprise: keep the HF forward pass
            return False
        finally:
            model.train(was_training)
        return got.shape == want.shape and bool(torch.allclose(got, want, rtol=1e-4, atol=1e-4))

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


def _doc_data(docs: List[Any], spans: List[List[Tuple[int, int]]], pieces: List[Any],
              flat: torch.Tensor) -> List[TransformerData]:
    """One TransformerData per doc, each with its own compact float32 CPU copy of its rows."""
    from .align import align_doc

    hidden = flat.detach().to("cpu", torch.float32).numpy()
    out, offset = [], 0
    for doc, doc_spans, group in zip(docs, spans, _per_doc(pieces, spans)):
        n = sum(len(p) for p in group)
        out.append(TransformerData(
            [w for p in group for w in p.wordpieces],
            np.concatenate([p.input_ids for p in group]) if group else np.zeros(0, np.int64),
            np.array(hidden[offset:offset + n], dtype=np.float32),  # a copy: not a view of the batch
            align_doc(doc, [start for start, _ in doc_spans], group)))
        offset += n
    return out


def _per_doc(pieces: List[Any], spans: List[List[Tuple[int, int]]]) -> Iterator[List[Any]]:
    start = 0
    for doc_spans in spans:
        yield pieces[start:start + len(doc_spans)]
        start += len(doc_spans)


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


__all__ = ["TransformerModel", "transformer_model_v1", "require_transformers", "length_chunks",
           "resolve_name", "MissingTransformersError", "autocast_dtype", "needs_grad_scaler"]
