"""`nlp.replace_listeners`: turn a head's listeners into private copies of their trunk.

A tok2vec trunk's listener becomes a copy of the trunk's model (same architecture
block); a transformer trunk's listener becomes heron.TransformerTok2Vec.v1 (the
transformer's weights and settings + the listener's pooling and grad_factor). What
differs per trunk kind is asked of the listener (`private_copy`, `private_config`) and
of the trunk (`replace_listeners_error`), never decided by the trunk's module name.
"""
from __future__ import annotations

from typing import Any, Dict, List, NoReturn, Sequence, Tuple

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
        plans.append((path, block, listener))
    _install_private_copies(head, state.configs[pipe_name], plans)
    bind_listeners(nlp, strict=True)


def _install_private_copies(head: Any, head_config: Dict[str, Any],
                            plans: Sequence[Tuple[str, Dict[str, Any], Any]]) -> None:
    """For each (path, config block, listener): put the listener's private copy of its
    trunk at `path` in the head's model and `block` at `path` in its config."""
    for path, block, listener in plans:
        parent_path, _, attr = path.rpartition(".")
        setattr(_resolve_path(head, parent_path), attr, listener.private_copy())
        *parents, last = path.split(".")
        node = head_config
        for part in parents:
            node = node[part]
        node[last] = block


def plan_sourced_replacement(name: str, source: Any, source_name: str,
                             paths: Any) -> List[Tuple[str, Dict[str, Any], Any]]:
    """Check `replace_listeners = paths` of [components.NAME], a copy of component
    `source_name` of pipeline `source`, and plan it: (path, config block, listener) for
    each path, for `install_sourced_replacement` once the copy is in the pipeline.

    Each listener's private copy is made from its trunk in `source` (spaCy 3.1+), so the
    head keeps the trunk's trained state even where the new pipeline has another trunk.
    """
    from ._build import interpolated_block

    shown = paths if isinstance(paths, list) else repr(paths)
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        raise HeronValueError(Errors.E368.format(
            name=name, paths=shown, detail="it must be a list of dotted paths (strings)",
            fix="write e.g. replace_listeners = [\"model.tok2vec\"], or remove the setting."))
    original = source.get_pipe(source_name)
    found = dict(iter_listeners(original))
    block = interpolated_block(source, source_name)
    plans = []
    for path in paths:
        listener = found.get(path)
        if listener is None or paths.count(path) > 1:
            raise HeronValueError(Errors.E368.format(name=name, paths=shown, **_path_problem(
                source_name, path, sorted(found), twice=listener is not None)))
        trunk_name = next((n for n, proc in source.components if proc is listener.upstream), None)
        if trunk_name is None:
            raise HeronValueError(Errors.E369.format(
                name=name, path=path, source_name=source_name, upstream=listener.upstream_name,
                trunks=[n for n, proc in source.components if is_trunk(proc)]))
        private, unknown = listener.private_config(interpolated_block(source, trunk_name)["model"],
                                                   _config_block(block, path))
        if unknown:
            raise HeronValueError(Errors.E370.format(name=name, path=path, trunk=trunk_name,
                                                     unknown=unknown))
        plans.append((path, private, listener))
    return plans


def _path_problem(source_name: str, path: str, found: List[str], twice: bool) -> Dict[str, str]:
    if twice:
        return {"detail": f"{path!r} is listed twice", "fix": "list each listener path once."}
    if not found:
        return {"detail": f"component {source_name!r} has no listeners: it owns its token "
                          f"vectors already", "fix": "remove replace_listeners from this block."}
    return {"detail": f"component {source_name!r} has no listener at {path!r} (its listeners: {found})",
            "fix": f"list the paths of its listeners, e.g. replace_listeners = [\"{found[0]}\"]."}


def install_sourced_replacement(nlp: Any, state: PipelineState, name: str,
                                plans: Sequence[Tuple[str, Dict[str, Any], Any]]) -> None:
    """Carry out `plan_sourced_replacement` on the copy `name` now in nlp's pipeline."""
    if plans:
        _install_private_copies(state.get(name), state.configs[name], plans)
        bind_listeners(nlp, strict=False)


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


__all__ = ["replace_listeners", "plan_sourced_replacement", "install_sourced_replacement"]
