"""TransformerTok2Vec: a head's OWN transformer (spacy-transformers' Tok2VecTransformer).

    [components.ner.model.tok2vec]
    @architectures = "heron.TransformerTok2Vec.v1"
    name = "roberta-base"
    grad_factor = 1.0
    width = 768                       # optional while `name` is available locally

    [components.ner.model.tok2vec.get_spans]
    @span_getters = "heron.strided_spans.v1"

    [components.ner.model.tok2vec.pooling]
    @layers = "heron.reduce_mean.v1"

The inline form of a `transformer` component + `heron.TransformerListener.v1`: the head
runs its private Hugging Face model over the docs and pools the wordpieces into one
vector per heron token with the same pooling layers, so heads see the same
`(X (B, T, W), mask (B, T))` either way. `nlp.replace_listeners("transformer", "ner",
["model.tok2vec"])` produces this block and module (weights copied at that moment, then
trained independently); it can also be written in a config directly.

Saving: the Hugging Face weights are part of the head's state_dict, so they land in the
head's `model.safetensors`. The HF config and the tokenizer files (JSON/text, small
beside the weights) go into the head's cfg.json under "inline_transformers" (bound by
`bind_listeners`), so a saved pipeline reloads with no hub, no network and without the
folder `name` points at: when `name` is not available, the architecture is rebuilt from
the saved HF config right before the weights are loaded. When `name` IS available the
pretrained weights are loaded when the module is built (so `nlp.initialize()` sees all
parameters for the optimizer), and a saved pipeline's weights then replace them.
"""
from __future__ import annotations

import base64
import copy
import json
import tempfile
from pathlib import Path
from typing import Any, Dict, Optional, Sequence, Tuple, Union

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..featurize.span_pieces import require_fast_tokenizer
from ..nn.grad import GradFactor, GradFactorValue, grad_factor_attribute
from ..registry import registry
from .encoder_tok2vec import encode_and_pool
from .hf_loading import require_transformers
from .model import SpanGetter, TransformerModel
from .pooling import Pooling
from .safe_loading import check_model_folder, from_pretrained, offline
from .safe_loading import quiet as _quiet

CFG_KEY = "inline_transformers"  # in the owning component's cfg: {dotted path: saved files}
_B64 = "base64:"  # prefix of a file stored base64-encoded (not UTF-8 text)


class TransformerTok2Vec(nn.Module):
    """A private transformer + pooling behind the heads' tok2vec interface.

    model (TransformerModel): the Hugging Face wrapper (own weights, trained with the head).
    pooling (nn.Module): heron.reduce_mean.v1 (default) / max / first / last / sum.
    grad_factor (float | schedule f(step)): scales the gradient into the transformer;
        1.0 = fine-tune it with the head, 0 = keep it frozen (run without autograd). A
        schedule is read at the global training step nlp.update sets (`step`), like a
        listener's, so it neither races ahead under accumulate_gradient nor restarts
        after replace_listeners.
    width (int): the transformer's hidden size (heads size their layers from it).
    """

    reads_docs = True  # embed_docs passes Docs straight to forward (no featurizing)
    reads_grad_step = True  # nlp.update sets `step` (nn/grad.py set_grad_step)

    def __init__(self, model: TransformerModel, pooling: nn.Module, width: int,
                 grad_factor: Union[GradFactorValue, GradFactor] = 1.0):
        super().__init__()
        self.model = model
        self.pooling = pooling
        self.width = int(width)
        self.grad_factor = grad_factor
        self.step: Optional[int] = None  # the global training step, set by nlp.update
        # Plain attributes (not state): where the HF config + tokenizer files are saved.
        self.__dict__["_store"] = None  # the owning component's cfg dict
        self.__dict__["_store_key"] = ""
        self.__dict__["_files"] = None  # cached {file name: text} of the loaded model

    # ---- forward ------------------------------------------------------------------------
    grad_factor = grad_factor_attribute()

    def current_grad_factor(self) -> float:
        """The grad_factor at the current global step."""
        return self.grad_factor.at(self.step, owner=self.__dict__["_store_key"] or "an inline transformer")

    def forward(self, docs: Sequence[Any]) -> Tuple[torch.Tensor, torch.Tensor]:
        """(X (B, T, W) pooled token vectors, mask (B, T)) for `docs`."""
        self.materialize()
        factor = self.current_grad_factor() if torch.is_grad_enabled() else 1.0
        return encode_and_pool(self.model, self.pooling, list(docs), factor)

    # ---- saving and restoring the HF config + tokenizer ------------------------------------
    def bind_store(self, cfg: Dict[str, Any], key: str) -> None:
        """Called by bind_listeners: keep the HF files in `cfg[CFG_KEY][key]` (cfg.json)."""
        self.__dict__["_store"] = cfg
        self.__dict__["_store_key"] = key
        if self.model.loaded:
            self._write_store()

    def _stored_files(self) -> Optional[Dict[str, str]]:
        store = self.__dict__["_store"]
        entry = (store or {}).get(CFG_KEY, {}).get(self.__dict__["_store_key"])
        return entry if isinstance(entry, dict) and entry else None

    def _write_store(self) -> None:
        store = self.__dict__["_store"]
        if store is None:
            return
        if self.__dict__["_files"] is None:
            self.__dict__["_files"] = hf_files(self.model)
        store.setdefault(CFG_KEY, {})[self.__dict__["_store_key"]] = self.__dict__["_files"]

    def materialize(self) -> None:
        """Make sure the HF model exists: from the files saved in the component's cfg.json
        (a saved pipeline: random weights, about to be replaced), else from `name`."""
        if not self.model.loaded:
            files = self._stored_files()
            if files is not None:
                build_from_files(self.model, files, self.__dict__["_store_key"])
            else:
                self.model.ensure_loaded()
        self._write_store()

    def _save_to_state_dict(self, destination: Any, prefix: str, keep_vars: bool) -> None:
        # The children (incl. the HF model) are visited after this: build it first, so a
        # state_dict always lists the transformer's weights (saving, and the shape check
        # TrainablePipe does before loading saved weights).
        self.materialize()
        super()._save_to_state_dict(destination, prefix, keep_vars)

    def _load_from_state_dict(self, state_dict: Any, prefix: str, *args: Any) -> None:
        self.materialize()
        super()._load_from_state_dict(state_dict, prefix, *args)

    def __deepcopy__(self, memo: Dict[int, Any]) -> "TransformerTok2Vec":
        # Copy the weights; share the immutable tokenizer/config; never copy the owner's cfg.
        new = TransformerTok2Vec(copy_transformer_model(self.model), copy.deepcopy(self.pooling, memo),
                                 self.width, copy.deepcopy(self.grad_factor, memo))
        new.__dict__["_files"] = self.__dict__["_files"]
        new.step = self.step
        return new

    def extra_repr(self) -> str:
        return f"width={self.width}, grad_factor={self.grad_factor!r}"


def copy_transformer_model(source: TransformerModel) -> TransformerModel:
    """A new TransformerModel with a deep copy of `source`'s (loaded) weights; the
    tokenizer and HF config objects are shared (never mutated after loading)."""
    source.ensure_loaded()
    new = TransformerModel(source.name, source.get_spans, source.tokenizer_config,
                           source.transformer_config, source.mixed_precision,
                           source.grad_scaler_config)
    new.max_batch_items = source.max_batch_items
    new.__dict__["hf_config"] = source.hf_config
    new.__dict__["tokenizer"] = source.tokenizer
    new.transformer = copy.deepcopy(source.transformer)
    return new.to(source.device)


def hf_files(model: TransformerModel) -> Dict[str, str]:
    """{file name: content} of the HF config + tokenizer (no weights); binary files base64."""
    transformers = require_transformers()
    with tempfile.TemporaryDirectory() as tmp, _quiet(transformers):
        model.hf_config.to_json_file(str(Path(tmp) / "config.json"))
        model.tokenizer.save_pretrained(tmp)
        out = {}
        for path in sorted(Path(tmp).iterdir()):
            if path.is_file():
                data = path.read_bytes()
                try:
                    out[path.name] = data.decode("utf8")
                except UnicodeDecodeError:
                    out[path.name] = _B64 + base64.b64encode(data).decode("ascii")
        return out


def build_from_files(model: TransformerModel, files: Dict[str, str], owner: str) -> None:
    """Rebuild `model`'s HF architecture (random weights) and tokenizer from `hf_files`."""
    transformers = require_transformers()
    bad_input = (OSError, ValueError, KeyError, TypeError, AttributeError, json.JSONDecodeError)
    with tempfile.TemporaryDirectory() as tmp, _quiet(transformers):
        try:
            for name, content in files.items():
                if Path(name).name != name or name in ("", ".", ".."):
                    raise ValueError(f"bad file name {name!r}")
                data = (base64.b64decode(content[len(_B64):]) if content.startswith(_B64)
                        else content.encode("utf8"))
                (Path(tmp) / name).write_bytes(data)
        except bad_input as e:
            raise HeronValueError(Errors.E763.format(owner=owner, detail=f"{type(e).__name__}: {e}")) from None
        # These files come from a saved cfg.json: the same refusals as a saved model folder.
        check_model_folder(Path(tmp), written_by_heron=True,
                           shown_as=f"cfg.json \"{CFG_KEY}\" entry {owner!r}")
        try:
            config = from_pretrained(transformers.AutoConfig, tmp)
            tokenizer = from_pretrained(transformers.AutoTokenizer, tmp, **model.tokenizer_config)
            with offline():
                hf_model = transformers.AutoModel.from_config(config, trust_remote_code=False)
        except bad_input as e:
            raise HeronValueError(Errors.E763.format(owner=owner, detail=f"{type(e).__name__}: {e}")) from None
    require_fast_tokenizer(tokenizer)
    model.__dict__["hf_config"] = config
    model.__dict__["tokenizer"] = tokenizer
    model.transformer = hf_model.to(model.device)


# Keys of a heron.TransformerModel.v1 block that heron.TransformerTok2Vec.v1 takes as is.
MODEL_KEYS = ("name", "get_spans", "tokenizer_config", "transformer_config", "mixed_precision",
              "grad_scaler_config")


def inline_config(trunk_model_cfg: Dict[str, Any], listener_cfg: Dict[str, Any],
                  width: int) -> Tuple[Dict[str, Any], list]:
    """The heron.TransformerTok2Vec.v1 block replacing a listener's block: the trunk's
    model settings + the listener's pooling and grad_factor + the width. Returns
    (block, keys of the trunk's model block this architecture can't take)."""
    block: Dict[str, Any] = {"@architectures": "heron.TransformerTok2Vec.v1"}
    for key in MODEL_KEYS:
        if key in trunk_model_cfg:
            block[key] = copy.deepcopy(trunk_model_cfg[key])
    pooling = listener_cfg.get("pooling") if isinstance(listener_cfg, dict) else None
    block["pooling"] = copy.deepcopy(pooling) if pooling else {"@layers": "heron.reduce_mean.v1"}
    grad_factor = listener_cfg.get("grad_factor", 1.0) if isinstance(listener_cfg, dict) else 1.0
    block["grad_factor"] = copy.deepcopy(grad_factor)
    block["width"] = int(width)
    unknown = sorted(k for k in trunk_model_cfg if k != "@architectures" and k not in MODEL_KEYS)
    return block, unknown


@registry.architectures("heron.TransformerTok2Vec.v1")
def transformer_tok2vec_v1(*, name: str, get_spans: SpanGetter,
                           tokenizer_config: Dict[str, Any] = {},  # noqa: B006 (config default)
                           transformer_config: Dict[str, Any] = {},  # noqa: B006
                           mixed_precision: bool = False,
                           grad_scaler_config: Dict[str, Any] = {},  # noqa: B006
                           pooling: Optional[nn.Module] = None,
                           grad_factor: GradFactorValue = 1.0,
                           width: Optional[int] = None) -> TransformerTok2Vec:
    """A head's own transformer + pooling (no `transformer` component needed).

    name, get_spans, tokenizer_config, transformer_config, mixed_precision,
        grad_scaler_config: as in heron.TransformerModel.v1 (name: a local folder or a
        hub id already in the HF cache; nothing is downloaded).
    pooling (layer): wordpieces -> token vector: heron.reduce_mean.v1 (default when
        null), reduce_max / reduce_first / reduce_last / reduce_sum.
    grad_factor (float | schedule): scales the head's gradient into its transformer;
        1.0 = fine-tune, 0 = frozen (pretrained features only).
    width (int | null): the hidden size; null = read from `name`'s config.json (E762
        if unavailable). nlp.replace_listeners writes it, so saved configs carry it.
    """
    model = TransformerModel(name, get_spans, tokenizer_config, transformer_config,
                             mixed_precision, grad_scaler_config)
    if width is None:
        width = model.width
    if width is None or isinstance(width, bool) or not isinstance(width, int) or width < 1:
        detail = ("`name` is not available here, so its config.json can't be read" if width is None
                  else f"width = {width!r} is not an int >= 1")
        raise HeronValueError(Errors.E762.format(name=name, detail=detail))
    if model.hf_config is not None:
        # `name` is here: load the pretrained weights now, so nlp.initialize() and the
        # optimizer see every parameter (a saved pipeline's weights replace them later).
        model.ensure_loaded()
    return TransformerTok2Vec(model, pooling if pooling is not None else Pooling("mean"),
                              width, grad_factor)


__all__ = ["TransformerTok2Vec", "transformer_tok2vec_v1", "copy_transformer_model", "hf_files",
           "build_from_files", "inline_config", "CFG_KEY", "MODEL_KEYS"]
