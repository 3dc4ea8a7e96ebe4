"""`nlp.replace_listeners`: turn a head's listeners into private copies of their trunk.

A tok2vec trunk's listener becomes a copy of the trunk's model (same architecture
block); a transformer trunk's listener becomes heron.TransformerTok2Vec.v1 (the
transformer's weights and settings + the listener's pooling and grad_factor). What
differs per trunk kind is asked of the listener (`private_copy`, `private_config`) and
of the trunk (`replace_listeners_error`), never decided by the trunk's module name.
"""
from __future__ import annotations

from typing import Any, Dict, NoReturn, Sequence, Tuple

from ..errors import Errors, HeronValueError
from ._state import PipelineState
from .listener import bind_listeners, iter_listeners
from .trunk import is_trunk


def replace_listeners(nlp: Any, state: PipelineState, tok2vec_name: str, pipe_name: str,
                      listeners: Sequence[str]) -> None:
    """Give `pipe_name` a private copy (weights included) of trunk `tok2vec_name` in place
    of each listener at the dotted `listeners` paths (e.g. "model.tok2vec"), and rewrite
    [components.PIPE] in the pipeline's configs so it saves and reloads with the copy.

    Everything is checked before anything changes: an error leaves nlp as it was.
    """
    bind_listeners(nlp, strict=True)
    args = (tok2vec_name, pipe_name, list(listeners))
    trunk = _replace_target(state, tok2vec_name, args, trunk=True)
    head = _replace_target(state, pipe_name, args, trunk=False)
    found = dict(iter_listeners(head))
    plans = []
    for path in args[2]:
        listener = found.get(path) if isinstance(path, str) else None
        if listener is None:
            _replace_error(args, trunk, "listeners", f"{pipe_name!r} has no listener at {path!r} "
                           f"(its listeners: {sorted(found)})",
                           "pass the dotted paths of listeners in the component, e.g. [\"model.tok2vec\"].")
        if listener.upstream is not trunk:
            _replace_error(args, trunk, "tok2vec_name", f"the listener at {path!r} listens to "
                           f"{listener.upstream_name!r}, not to {tok2vec_name!r}",
                           "name the trunk it listens to as the first argument.")
        block, unknown = listener.private_config(state.configs[tok2vec_name]["model"],
                                                 _config_block(state.configs[pipe_name], path))
        if unknown:
            _replace_error(args, trunk, "tok2vec_name", f"[components.{tok2vec_name}.model] has "
                           f"settings the private copy can't take: {unknown}",
                           "use @architectures = \"heron.TransformerModel.v1\" with its documented settings.")
        plans.append((path, block))
    for path, block in plans:
        parent_path, _, attr = path.rpartition(".")
        setattr(_resolve_path(head, parent_path), attr, found[path].private_copy())
        *parents, last = path.split(".")
        node = state.configs[pipe_name]
        for part in parents:
            node = node[part]
        node[last] = block
    bind_listeners(nlp, strict=True)


def _replace_error(args: Tuple[Any, ...], trunk: Any, arg: str, detail: str, fix: str) -> NoReturn:
    """The trunk's own coded error (E357 for tok2vec, E761 naming `arg` for a transformer);
    E357 when there is no trunk to ask."""
    if is_trunk(trunk):
        raise trunk.replace_listeners_error(args[1], args[2], arg, detail, fix)
    raise HeronValueError(Errors.E357.format(trunk=args[0], pipe=args[1], listeners=args[2],
                                             detail=detail, fix=fix))


def _replace_target(state: PipelineState, name: str, args: Tuple[Any, ...], trunk: bool) -> Any:
    trunk_proc = None if trunk else state.get(args[0])
    if name not in state.names:
        _replace_error(args, trunk_proc, "tok2vec_name" if trunk else "pipe_name",
                       f"there is no component {name!r}",
                       f"use names from nlp.component_names: {state.names}.")
    proc = state.get(name)
    if trunk and not is_trunk(proc):
        _replace_error(args, None, "tok2vec_name",
                       f"{name!r} is not a tok2vec-like component (no forward_batch)",
                       "pass the name of the trunk (e.g. \"tok2vec\" or \"transformer\") first, then the head.")
    return proc


def _resolve_path(obj: Any, dotted: str) -> Any:
    for part in filter(None, dotted.split(".")):
        obj = getattr(obj, part)
    return obj


def _config_block(block: Any, path: str) -> Dict[str, Any]:
    """The config block at dotted `path` of a component's config ({} if absent)."""
    for part in path.split("."):
        block = block.get(part) if isinstance(block, dict) else None
    return block if isinstance(block, dict) else {}


__all__ = ["replace_listeners"]
