"""Saving and loading pipelines (behind `Language.to_disk/from_disk/to_bytes/from_bytes`).

A saved pipeline is a folder (DESIGN.md section 5):

    config.cfg      the complete config; `Language.from_config` rebuilds the components
    meta.json       name, version, lang, heron_version, pipeline, components, labels, ...,
                    and "files": what was written for each part (checked at load)
    vocab/          strings.json (+ vectors later)
    tokenizer       the tokenizer rules as JSON
    <component>/    one folder per component with state (cfg.json, patterns.jsonl,
                    model.safetensors, ...)

Writes go to a temp folder renamed into place (`atomic_output_dir`): a failure
leaves no folder, or the previous one untouched. Loading reads JSON, msgpack and
safetensors only: it never unpickles and never runs code from the folder. Before
reading any state it refuses links out of the folder and missing files
(`_integrity.py`).
"""
from __future__ import annotations

import inspect
import json
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, Optional, Set, Tuple

import msgpack

from ..about import __version__
from ..errors import Errors, HeronValueError, Warnings, warn
from ..util import PathLike, atomic_output_dir, ensure_path
from ._integrity import (
    FILES_KEY,
    PipelineContentError,
    PipelineLoadError,
    check_links,
    check_saved_files,
    is_trained,
    saved_files_record,
)
from .component import get_labels, read_json

# meta.json keys that describe the live pipeline (recomputed) or one saved folder
# ("files"): never loaded over the live pipeline's meta.
_LIVE_KEYS = ("pipeline", "components", "disabled", "labels", FILES_KEY)
_META_DEFAULTS = {"name": "pipeline", "version": "0.0.0", "description": "", "author": "",
                  "email": "", "url": "", "license": ""}


def current_meta(nlp: Any) -> Dict[str, Any]:
    meta = nlp._meta
    meta["lang"] = nlp.lang
    for key, value in _META_DEFAULTS.items():
        meta.setdefault(key, value)
    meta.setdefault("heron_version", __version__)
    meta["pipeline"] = nlp.pipe_names
    meta["components"] = nlp.component_names
    meta["disabled"] = nlp.disabled
    meta["labels"] = {n: get_labels(p) for n, p in nlp.components}
    return meta


def _call(method: Callable, *args: Any, exclude: Iterable[str] = ()) -> Any:
    """Call a component's to_/from_ method, passing `exclude` only if it takes it."""
    try:
        params = inspect.signature(method).parameters.values()
        takes = any(p.name == "exclude" or p.kind == p.VAR_KEYWORD for p in params)
    except (TypeError, ValueError):
        takes = False
    return method(*args, exclude=tuple(exclude)) if takes else method(*args)


def to_disk(nlp: Any, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
    from ..config import config_to_str

    exclude = set(exclude)
    with atomic_output_dir(ensure_path(path)) as tmp:
        (tmp / "config.cfg").write_text(config_to_str(nlp.config), encoding="utf8")
        if "tokenizer" not in exclude:
            _call(nlp.tokenizer.to_disk, tmp / "tokenizer", exclude=("vocab",))
        for name, proc in nlp.components:
            if name not in exclude and hasattr(proc, "to_disk"):
                _call(proc.to_disk, tmp / name, exclude=("vocab",))
        # Last: components may have added strings while saving.
        if "vocab" not in exclude:
            nlp.vocab.to_disk(tmp / "vocab")
        parts = ["tokenizer", "vocab"] + nlp.component_names
        meta = dict(current_meta(nlp), heron_version=__version__)
        meta[FILES_KEY] = saved_files_record(tmp, parts, exclude)
        (tmp / "meta.json").write_text(json.dumps(meta, indent=2, ensure_ascii=False), encoding="utf8")


def from_disk(nlp: Any, path: PathLike, *, exclude: Iterable[str] = (),
              allow_symlinks: bool = False) -> Any:
    path = _check_pipeline_dir(path, needs=("meta.json",), allow_symlinks=allow_symlinks)
    return _load_state(nlp, path, read_json(path / "meta.json"), set(exclude))


def _load_state(nlp: Any, path: Any, meta: Dict[str, Any], exclude: Set[str]) -> Any:
    """Load the folder's state into `nlp` after checking nothing it needs is missing."""
    check_saved_files(nlp, path, meta, exclude)
    nlp._meta.update({k: v for k, v in meta.items() if k not in _LIVE_KEYS})
    if "vocab" not in exclude and (path / "vocab").exists():
        nlp.vocab.from_disk(path / "vocab")
    if "tokenizer" not in exclude and (path / "tokenizer").exists():
        _call(nlp.tokenizer.from_disk, path / "tokenizer", exclude=("vocab",))
    for name, proc in nlp.components:
        # A component without saved state (e.g. a plain function) has no folder;
        # check_saved_files made sure one that saved state has it.
        if name not in exclude and hasattr(proc, "from_disk") and (path / name).exists():
            _call(proc.from_disk, path / name, exclude=("vocab",))
    return nlp


def to_bytes(nlp: Any, *, exclude: Iterable[str] = ()) -> bytes:
    from ..config import config_to_str

    exclude = set(exclude)
    msg: Dict[str, Any] = {
        "config": config_to_str(nlp.config),
        "meta": json.dumps(dict(current_meta(nlp), heron_version=__version__)),
        "components": {},
        # Components left out on purpose: loading warns (W302) instead of refusing (E366).
        "excluded": sorted(exclude & set(nlp.component_names)),
    }
    if "tokenizer" not in exclude:
        msg["tokenizer"] = _call(nlp.tokenizer.to_bytes, exclude=("vocab",))
    for name, proc in nlp.components:
        if name not in exclude and hasattr(proc, "to_bytes"):
            msg["components"][name] = _call(proc.to_bytes, exclude=("vocab",))
    if "vocab" not in exclude:
        msg["vocab"] = nlp.vocab.to_bytes()
    return msgpack.packb(msg, use_bin_type=True)


def from_bytes(nlp: Any, data: bytes, *, exclude: Iterable[str] = ()) -> Any:
    exclude = set(exclude)
    try:
        msg = msgpack.unpackb(data, raw=False)
        meta = json.loads(msg["meta"])
        components = msg["components"]
        excluded_at_save = set(msg.get("excluded", ()))
    except Exception as e:  # any decoding problem means "not our bytes"
        raise HeronValueError(Errors.E326.format(detail=f"{type(e).__name__}: {e}")) from None
    for name, proc in nlp.components:
        if name in exclude or name in components or not is_trained(proc):
            continue
        if name not in excluded_at_save:
            raise HeronValueError(Errors.E366.format(name=name, saved=sorted(components)))
        warn(Warnings.W302.format(name=name, source="these bytes"))
    nlp._meta.update({k: v for k, v in meta.items() if k not in _LIVE_KEYS})
    if "vocab" not in exclude and "vocab" in msg:
        nlp.vocab.from_bytes(msg["vocab"])
    if "tokenizer" not in exclude and "tokenizer" in msg:
        _call(nlp.tokenizer.from_bytes, msg["tokenizer"], exclude=("vocab",))
    for name, proc in nlp.components:
        if name not in exclude and name in components and hasattr(proc, "from_bytes"):
            _call(proc.from_bytes, components[name], exclude=("vocab",))
    return nlp


def _check_pipeline_dir(path: PathLike, needs: Tuple[str, ...] = ("config.cfg", "meta.json"),
                        allow_symlinks: bool = False) -> Path:
    from pathlib import Path

    path = ensure_path(path)
    if not path.exists():
        raise PipelineLoadError(Errors.E316.format(path=path, cwd=Path.cwd()))
    if not path.is_dir():
        raise PipelineLoadError(Errors.E317.format(path=path, missing="a folder (this is a file)"))
    if not allow_symlinks:  # first: before any file of the folder is opened
        check_links(path)
    missing = [name for name in needs if not (path / name).is_file()]
    if missing:
        raise PipelineLoadError(Errors.E317.format(path=path, missing=" and ".join(missing)))
    return path


def _check_version(meta: Dict[str, Any], path: Any) -> None:
    """E572 if meta.json's heron_version range excludes this heron; W300 for a plain
    version of another minor series (see heron/packaging/versions.py)."""
    from ..packaging.versions import check_saved_version

    check_saved_version(meta, path, current=__version__)


def load(cls: Any, path: PathLike, *, vocab: Any, disable: Iterable[str], enable: Iterable[str],
         exclude: Iterable[str], overrides: Optional[Dict[str, Any]], allow_symlinks: bool = False) -> Any:
    from ..config import load_config

    path = _check_pipeline_dir(path, allow_symlinks=allow_symlinks)
    config = load_config(path / "config.cfg", overrides=overrides or None)
    meta = read_json(path / "meta.json")
    _check_version(meta, path)
    if not isinstance(cls, type):  # a function of the language code -> its class (English for "en")
        cls = cls(config.get("nlp", {}).get("lang", ""))
    nlp = cls.from_config(config, vocab=vocab, disable=disable, enable=enable, exclude=exclude,
                          meta={k: v for k, v in meta.items() if k not in _LIVE_KEYS})
    return _load_state(nlp, path, meta, set(exclude))


# ---- sourcing components from other pipelines ---------------------------------------


def copy_from_source(nlp: Any, source: Any, source_name: str, name: str):
    """Rebuild component `source_name` of pipeline `source` in `nlp` under `name`.

    The copy is built by the same factory with the same settings, then loaded with the
    source component's bytes, so it uses `nlp`'s vocab. Returns (component, config, meta).
    """
    from . import _build

    _check_source(source, source_name, name)
    # Self-contained: the source's ${paths...} etc. mean nothing in this pipeline.
    stored = _build.interpolated_block(source, source_name)
    settings = {k: v for k, v in stored.items() if k != "factory"}
    original = source.get_pipe(source_name)
    if source.vocab is not nlp.vocab:
        for string in source.vocab.strings:
            nlp.vocab.strings.add(string)
    component, config, meta = _build.create_pipe(nlp, stored["factory"], name, settings, None, False)
    _bring_vectors(nlp, source, original, component)
    if hasattr(original, "to_bytes") and hasattr(component, "from_bytes"):
        _call(component.from_bytes, _call(original.to_bytes, exclude=("vocab",)), exclude=("vocab",))
    else:
        component = original  # stateless or unserialisable: share the object
    return component, config, meta


def _bring_vectors(nlp: Any, source: Any, original: Any, component: Any) -> None:
    """A copied model that reads static vectors (itself or through the trunk it listens to)
    needs its source's table: a pipeline with none gets a copy of it (data, as `[initialize]
    vectors` would load), and the copy's layers are sized for it before the weights arrive.
    A pipeline with its own vectors keeps them (the tok2vec's initialize names a mismatch,
    E654)."""
    from torch import nn

    from ..nn.static_vectors import set_vectors_dim, vectors_attr
    from ..vectors import Vectors
    from .listener import iter_listeners

    model, table = getattr(original, "model", None), source.vocab.vectors
    if not isinstance(model, nn.Module) or table is None or not table.shape[0]:
        return
    # The model itself, or a trunk it listens to (replace_listeners copies that trunk in).
    models = [model] + [getattr(listener.upstream, "model", None) for _, listener in iter_listeners(original)]
    if not any(isinstance(m, nn.Module) and vectors_attr(m) is not None for m in models):
        return
    if nlp.vocab.vectors is None or not nlp.vocab.vectors.shape[0]:
        rows = table.key2row
        nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=table.data.copy(), name=table.name,
                                    keys=sorted(rows, key=rows.__getitem__))
    if isinstance(getattr(component, "model", None), nn.Module):
        set_vectors_dim(component.model, int(nlp.vocab.vectors.shape[1]))


def _check_source(source: Any, source_name: str, name: str) -> None:
    if not hasattr(source, "component_names") or not hasattr(source, "get_pipe_config"):
        raise HeronValueError(Errors.E323.format(
            name=name, source=type(source).__name__, detail="source= must be a Language (nlp object)"
        ))
    if source_name not in source.component_names:
        raise HeronValueError(Errors.E323.format(
            name=name, source=source.meta.get("name", "pipeline"),
            detail=f"it has no component {source_name!r} (components: {source.component_names})",
        ))


def add_sourced(nlp: Any, name: str, block: Dict[str, Any], cache: Dict[str, Any]) -> None:
    """[components.NAME] source = "path" or an installed pipeline package's name, as in
    spaCy (component = "other name" and replace_listeners = ["model.tok2vec"] optional:
    the copy then owns a copy of the trunk it listened to, in the source's trained state)."""
    from ..packaging.installed import resolve_pipeline
    from ._replace import install_sourced_replacement, plan_sourced_replacement

    source = block["source"]
    source_name = block.get("component", name)
    if not isinstance(source, str):
        raise HeronValueError(Errors.E323.format(
            name=name, source=source, detail="source must be the path of a saved pipeline"
        ))
    if source not in cache:
        cache[source] = load(type(nlp), resolve_pipeline(source), vocab=True, disable=(), enable=(),
                             exclude=(), overrides=None)
    plans = []
    if "replace_listeners" in block:  # checked before the copy is added
        _check_source(cache[source], source_name, name)
        plans = plan_sourced_replacement(name, cache[source], source_name, block["replace_listeners"])
    nlp.add_pipe(source_name, name=name, source=cache[source])
    install_sourced_replacement(nlp, nlp._state, name, plans)


__all__ = ["to_disk", "from_disk", "to_bytes", "from_bytes", "load", "current_meta",
           "copy_from_source", "add_sourced", "PipelineLoadError", "PipelineContentError"]
