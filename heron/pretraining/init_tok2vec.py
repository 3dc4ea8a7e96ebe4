"""Pretrained trunk weights: find the trunk, describe it, save it, load it back.

    heron pretrain config.cfg pretrain/          # writes pretrain/model-last.safetensors
    heron train config.cfg --paths.init_tok2vec pretrain/model-last.safetensors

A weights file is safetensors: the trunk's state_dict under "trunk.", the objective's
output head under "objective." (only `--resume-path` uses it), and in the metadata a
JSON description of the trunk's architecture (width, depth, embedding rows, attrs,
window size, maxout pieces, static vectors). `init_tok2vec` compares that description
with the trunk built from the current config before touching any weight, so a
mismatch is reported as the setting that differs, e.g. "depth was 4 when pretraining
but is 8 now", never as a tensor shape.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Dict, Optional, Tuple, Union

import torch
from torch import nn

from ..errors import Errors, HeronValueError
from ..util import atomic_write_bytes

FORMAT = "heron-pretrain"
FORMAT_VERSION = 1
# Where each setting lives in the two usual trunk configs: quoted in E809's fix.
SETTING_HINTS = {  # checked in this order: the first difference is the one reported
    "architecture": "the trunk's @architectures",
    "width": "width; heron.Tok2Vec.v1: encode.width",
    "attrs": "heron.HashEmbedCNN.v1: subword_features; heron.Tok2Vec.v1: embed.attrs",
    "rows": "heron.HashEmbedCNN.v1: embed_size; heron.Tok2Vec.v1: embed.rows",
    "include_static_vectors": ("heron.HashEmbedCNN.v1: pretrained_vectors; "
                               "heron.Tok2Vec.v1: embed.include_static_vectors"),
    "vectors": "[initialize] vectors: load the vectors table used when pretraining",
    "encoder": "heron.HashEmbedCNN.v1: maxout_pieces (1 = Mish blocks); heron.Tok2Vec.v1: encode.@architectures",
    "depth": "depth; heron.Tok2Vec.v1: encode.depth",
    "window_size": "window_size; heron.Tok2Vec.v1: encode.window_size",
    "maxout_pieces": "maxout_pieces; heron.Tok2Vec.v1: encode.maxout_pieces",
}


# ---- the trunk ---------------------------------------------------------------------


def get_trunk(nlp: Any, component: str = "tok2vec", layer: str = "") -> nn.Module:
    """The token-to-vector module to pretrain: component's model, or its sub-layer `layer`.

    component (str): a component with a torch model, usually "tok2vec".
    layer (str): dotted path inside the model (e.g. "tok2vec" for a tagger with an
        inline trunk); "" = the whole model. The module must take Docs through
        `embed_docs` (it has `.attrs` and `.width`); a listener doesn't own weights,
        so its upstream component is the one to pretrain.
    """
    from ..pipeline.listener import Tok2VecListener

    if component not in nlp.component_names:
        raise HeronValueError(Errors.E807.format(key="[pretraining] component", value=component,
                                                 detail=f"no such component (pipeline: {nlp.component_names})",
                                                 fix="name the component whose model to pretrain, "
                                                     "usually \"tok2vec\"."))
    model = getattr(nlp.get_pipe(component), "model", None)
    if not isinstance(model, nn.Module):
        raise HeronValueError(Errors.E807.format(key="[pretraining] component", value=component,
                                                 detail="this component has no torch model to pretrain",
                                                 fix="name a trainable component, usually \"tok2vec\"."))
    module = model
    if layer:
        try:
            module = model.get_submodule(layer)
        except AttributeError:
            names = [n for n, m in model.named_modules() if n and hasattr(m, "attrs")]
            raise HeronValueError(Errors.E807.format(
                key="[pretraining] layer", value=layer, detail=f"component {component!r} has no such sub-layer",
                fix=f"use one of {names} or \"\" for the whole model.")) from None
    if isinstance(module, Tok2VecListener):
        raise HeronValueError(Errors.E807.format(
            key="[pretraining] component/layer", value=f"{component}/{layer}",
            detail=f"that is a listener to upstream {module.upstream_name!r}, which owns no weights",
            fix="pretrain the trunk it listens to: component = \"tok2vec\", layer = \"\"."))
    if not (hasattr(module, "attrs") and hasattr(module, "width")):
        raise HeronValueError(Errors.E807.format(
            key="[pretraining] component/layer", value=f"{component}/{layer}",
            detail=f"{type(module).__name__} is not a token-to-vector layer (it needs .attrs and .width)",
            fix="point component (and layer) at a tok2vec model such as heron.HashEmbedCNN.v1 or heron.Tok2Vec.v1."))
    return module


def trunk_settings(trunk: nn.Module, vocab: Any = None) -> Dict[str, Any]:
    """The architecture settings of a trunk that decide whether weights fit it."""
    from ..nn.embed import MultiHashEmbed
    from ..nn.encode import WindowEncoder
    from ..nn.lstm import BiLSTMEncoder
    from .objectives import vectors_shape

    settings: Dict[str, Any] = {"architecture": type(trunk).__name__, "width": int(trunk.width),
                                "attrs": [str(a) for a in trunk.attrs]}
    for module in trunk.modules():
        if isinstance(module, MultiHashEmbed) and "rows" not in settings:
            settings["rows"] = [int(e.n_rows) for e in module.embeds]
            settings["include_static_vectors"] = bool(module.include_static_vectors)
        elif isinstance(module, WindowEncoder) and "encoder" not in settings:
            settings.update(encoder=type(module).__name__, depth=int(module.depth),
                            window_size=int(module.window_size),
                            maxout_pieces=getattr(module, "maxout_pieces", None))
        elif isinstance(module, BiLSTMEncoder) and "encoder" not in settings:
            settings.update(encoder=type(module).__name__, depth=int(module.depth))
    if any(getattr(m, "include_static_vectors", False) or getattr(m, "vectors_attr", None)
           for m in trunk.modules()):
        table = getattr(vocab, "vectors", None)
        shape = vectors_shape(vocab)
        settings["vectors"] = {"name": getattr(table, "name", None), "shape": list(shape) if shape else None}
    return settings


def where(layer: str) -> str:
    return f"model.{layer}" if layer else "model"


# ---- files -------------------------------------------------------------------------


def save_pretrained(path: Union[str, Path], trunk: nn.Module, objective: Optional[nn.Module],
                    info: Dict[str, Any]) -> None:
    """Write trunk (+ objective head) weights and `info` (JSON metadata) atomically."""
    from safetensors.torch import save

    tensors = {f"trunk.{k}": v.detach().to("cpu").contiguous() for k, v in trunk.state_dict().items()}
    if objective is not None:
        tensors.update({f"objective.{k}": v.detach().to("cpu").contiguous()
                        for k, v in objective.state_dict().items()})
    meta = {"format": FORMAT, "format_version": FORMAT_VERSION, **info}
    atomic_write_bytes(path, save(tensors, metadata={"heron": json.dumps(meta)}))


def read_pretrained(path: Union[str, Path]) -> Tuple[Dict[str, torch.Tensor], Dict[str, Any]]:
    """(tensors, metadata) of a file written by `save_pretrained`; E808 otherwise."""
    from safetensors import safe_open
    from safetensors.torch import load_file

    path = Path(path)
    if not path.is_file():
        raise HeronValueError(Errors.E808.format(path=path, detail="no such file"
                                                 + (" (it is a folder)" if path.is_dir() else "")))
    try:
        with safe_open(str(path), framework="pt") as f:
            raw = (f.metadata() or {}).get("heron")
        tensors = load_file(str(path), device="cpu")
    except Exception as e:  # safetensors raises its own error types for corrupt headers
        raise HeronValueError(Errors.E808.format(path=path, detail=f"not a safetensors file ({e})")) from None
    try:
        meta = json.loads(raw) if raw else {}
    except json.JSONDecodeError:
        meta = {}
    if meta.get("format") != FORMAT or "settings" not in meta:
        raise HeronValueError(Errors.E808.format(path=path, detail="it has no heron pretraining metadata "
                                                 "(it was not written by `heron pretrain`)"))
    return tensors, meta


# ---- loading -----------------------------------------------------------------------


def check_settings(saved: Dict[str, Any], current: Dict[str, Any], *, path: Any, component: str,
                   layer: str) -> None:
    """E809 naming the first architecture setting that differs."""
    for key in SETTING_HINTS:
        if key in saved or key in current:
            if _normal(saved.get(key)) != _normal(current.get(key)):
                raise HeronValueError(Errors.E809.format(
                    path=path, component=component, where=where(layer), setting=key,
                    saved=_show(saved.get(key)), current=_show(current.get(key)), hint=SETTING_HINTS[key]))


def load_trunk_weights(trunk: nn.Module, tensors: Dict[str, torch.Tensor], *, prefix: str, path: Any,
                       component: str, layer: str) -> None:
    """Copy tensors[prefix + name] into the module; E809 naming a parameter that doesn't fit."""
    state = {k[len(prefix):]: v for k, v in tensors.items() if k.startswith(prefix)}
    own = trunk.state_dict()
    for name in sorted(set(own) | set(state)):
        saved, current = state.get(name), own.get(name)
        mismatch = saved is None or current is None or (
            not isinstance(current, nn.parameter.UninitializedParameter) and saved.shape != current.shape)
        if mismatch:
            raise HeronValueError(Errors.E809.format(
                path=path, component=component, where=where(layer), setting=f"weight {name!r}",
                saved="absent" if saved is None else f"sized {tuple(saved.shape)}",
                current="absent" if current is None else _size(current),
                hint="the architecture settings must equal those used when pretraining"))
    trunk.load_state_dict(state, strict=True)


def init_tok2vec(nlp: Any, path: Union[str, Path], *, component: str = "tok2vec",
                 layer: str = "") -> Dict[str, Any]:
    """Load weights saved by `heron pretrain` into the trunk; returns the file's metadata.

    Call after `nlp.initialize()` (which sizes lazily built layers) and before
    training. component/layer: which module to fill, as [pretraining] component and
    layer (weights pretrained from one trunk load into any trunk of the same
    architecture, e.g. a tagger's inline tok2vec). Raises E808 for a missing or
    foreign file and E809 naming the setting that differs (width, depth, rows, attrs,
    window_size, maxout_pieces, static vectors, ...).
    """
    trunk = get_trunk(nlp, component, layer)
    tensors, meta = read_pretrained(path)
    check_settings(meta["settings"], trunk_settings(trunk, nlp.vocab), path=path, component=component,
                   layer=layer)
    load_trunk_weights(trunk, tensors, prefix="trunk.", path=path, component=component, layer=layer)
    return meta


def init_tok2vec_from_config(nlp: Any, path: Union[str, Path, None], config: Any) -> Optional[Dict[str, Any]]:
    """`[initialize] init_tok2vec`: load into the [pretraining] component/layer (defaults
    "tok2vec" / ""); does nothing for a null path."""
    if not path:
        return None
    section = (config.get("pretraining") if hasattr(config, "get") else None) or {}
    return init_tok2vec(nlp, path, component=section.get("component", "tok2vec"),
                        layer=section.get("layer", "") or "")


def _normal(value: Any) -> Any:
    return json.loads(json.dumps(value))  # tuples -> lists, as read back from JSON


def _show(value: Any) -> str:
    return "absent" if value is None else repr(value)


def _size(tensor: torch.Tensor) -> str:
    return f"sized {tuple(tensor.shape)}"


__all__ = ["init_tok2vec", "init_tok2vec_from_config", "get_trunk", "trunk_settings", "save_pretrained",
           "read_pretrained", "check_settings", "load_trunk_weights", "SETTING_HINTS"]
