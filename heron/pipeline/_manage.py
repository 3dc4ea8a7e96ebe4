"""Pipeline management behind `Language`: add, remove, rename, replace, select.

Kept apart from language.py so each file stays readable. Every function receives the
Language's `PipelineState` (pipeline/_state.py), the one owner of its components,
configs, factory metas and disabled names, and changes it only through its methods;
adding and replacing also take the Language, which factories are called with.
"""
from __future__ import annotations

import difflib
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from ..errors import Errors, HeronKeyError, HeronTypeError, HeronValueError
from . import _build
from ._state import PipelineState
from .listener import config_blocks, iter_listeners

# Names used by files of a saved pipeline folder; a component can't have them.
RESERVED_NAMES = ("vocab", "tokenizer", "config.cfg", "meta.json")


def unknown_component(state: PipelineState, name: Any, where: str = "") -> HeronKeyError:
    names = state.names
    close = difflib.get_close_matches(str(name), names, n=1)
    return HeronKeyError(Errors.E303.format(
        name=name, where=where, hint=f" Did you mean {close[0]!r}?" if close else "",
        names=names or "(none)",
    ))


def _check_name(state: PipelineState, name: Any, factory: str) -> None:
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name in RESERVED_NAMES:
        raise HeronValueError(Errors.E324.format(name=name, reserved=", ".join(RESERVED_NAMES)))
    if name in state.names:
        raise HeronValueError(Errors.E301.format(name=name, factory=factory, names=state.names))


def pipe_index(state: PipelineState, before: Any = None, after: Any = None, first: Any = None,
               last: Any = None) -> int:
    """Where to insert a component, from at most one of before/after/first/last."""
    first, last = first or None, last or None
    given = {k: v for k, v in dict(before=before, after=after, first=first, last=last).items()
             if v is not None}
    names = state.names
    if len(given) > 1:
        raise HeronValueError(Errors.E302.format(
            detail=f"got {', '.join(f'{k}={v!r}' for k, v in given.items())}", names=names
        ))
    if not given or last:
        return len(names)
    if first:
        return 0
    key, target = next(iter(given.items()))
    if isinstance(target, str):
        if target not in names:
            raise unknown_component(state, target, where=f" (add_pipe {key}=)")
        index = names.index(target)
    elif isinstance(target, int) and not isinstance(target, bool) and 0 <= target < len(names):
        index = target
    else:
        raise HeronValueError(Errors.E302.format(
            detail=f"{key}={target!r} is not a component name or an index in 0..{len(names) - 1}",
            names=names,
        ))
    return index if key == "before" else index + 1


def add_pipe(nlp: Any, state: PipelineState, factory: Any, name: Optional[str], *, before: Any,
             after: Any, first: Any, last: Any, source: Any, config: Dict[str, Any],
             raw_config: Optional[Dict[str, Any]], validate: bool) -> Any:
    if not isinstance(factory, str):
        raise HeronTypeError(Errors.E304.format(obj=repr(factory)[:80]))
    name = name if name is not None else factory
    _check_name(state, name, factory)
    index = pipe_index(state, before, after, first, last)
    if source is not None:
        from ._serialize import copy_from_source

        component, stored, meta = copy_from_source(nlp, source, factory, name)
    else:
        component, stored, meta = _build.create_pipe(nlp, factory, name, config, raw_config, validate,
                                                     upstream=state.components[:index])
    state.insert(index, name, component, stored, meta)
    return component


def remove_pipe(state: PipelineState, name: str) -> Tuple[str, Any]:
    if name not in state.names:
        raise unknown_component(state, name)
    return state.remove(name)


def rename_pipe(state: PipelineState, old_name: str, new_name: str) -> None:
    if old_name not in state.names:
        raise unknown_component(state, old_name)
    if new_name == old_name:
        return
    _check_name(state, new_name, state.metas[old_name].factory)
    component = state.rename(old_name, new_name)
    if hasattr(component, "name"):
        try:
            component.name = new_name
        except AttributeError:  # a read-only name: the pipeline's name still changes
            pass
    _rename_upstreams(state, old_name, new_name)


def _rename_upstreams(state: PipelineState, old_name: str, new_name: str) -> None:
    """Listeners naming a renamed trunk (upstream = "tok2vec") follow it, in the live
    model and in the config blocks, so the pipeline still saves and reloads."""
    for name, component in state.components:
        for _, listener in iter_listeners(component):
            if listener.upstream_name == old_name:
                listener.upstream_name = new_name
        for block in config_blocks(state.configs[name]):
            if "@architectures" in block and block.get("upstream") == old_name:
                block["upstream"] = new_name


def sync_initialize_settings(config: Dict[str, Any], old_name: str, new_name: Optional[str]) -> None:
    """Move [initialize.components.OLD] to NEW (None: drop it) after a rename (remove), as
    spaCy does, so a saved pipeline's config never names a component it lacks."""
    settings = (config.get("initialize") or {}).get("components")
    if isinstance(settings, dict) and old_name in settings:
        block = settings.pop(old_name)
        if new_name is not None:
            settings[new_name] = block


def replace_pipe(nlp: Any, state: PipelineState, name: str, factory: str, *,
                 config: Dict[str, Any], validate: bool) -> Any:
    if name not in state.names:
        raise unknown_component(state, name)
    if not isinstance(factory, str):
        raise HeronTypeError(Errors.E304.format(obj=repr(factory)[:80]))
    # Build first so a bad factory/config leaves the pipeline untouched.
    component, stored, meta = _build.create_pipe(nlp, factory, name, config, None, validate,
                                                 upstream=state.components[:state.index(name)])
    state.replace(name, component, stored, meta)
    return component


class DisabledPipes(list):
    """The names `select_pipes` disabled; `.restore()` (or leaving `with`) re-enables them."""

    def __init__(self, nlp: Any, names: List[str]):
        super().__init__(names)
        self.nlp = nlp  # spaCy's attribute
        for name in names:
            nlp.disable_pipe(name)

    def __enter__(self) -> "DisabledPipes":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.restore()

    def restore(self) -> None:
        """Re-enable the components (those removed meanwhile are skipped)."""
        for name in self:
            if name in self.nlp.component_names:
                self.nlp.enable_pipe(name)
        self[:] = []


def _as_list(value: Union[str, Iterable[str], None]) -> Optional[List[str]]:
    if value is None:
        return None
    return [value] if isinstance(value, str) else list(value)


def select_pipes(nlp: Any, state: PipelineState, *, disable: Any = None, enable: Any = None) -> DisabledPipes:
    disable, enable = _as_list(disable), _as_list(enable)
    if disable is None and enable is None:
        raise HeronValueError(Errors.E311.format(detail="neither was given"))
    for name in (disable or []) + (enable or []):
        if name not in state.names:
            raise unknown_component(state, name, where=" (select_pipes)")
    if enable is not None:
        implied = [n for n in state.enabled_names if n not in enable]
        if disable is not None and set(disable) - set(implied):
            raise HeronValueError(Errors.E311.format(
                detail=f"disable={disable} contradicts enable={enable}"
            ))
        disable = implied
    to_disable = [n for n in state.enabled_names if n in set(disable or [])]
    return DisabledPipes(nlp, to_disable)


__all__ = ["add_pipe", "remove_pipe", "rename_pipe", "replace_pipe", "select_pipes", "sync_initialize_settings",
           "DisabledPipes", "pipe_index", "unknown_component", "RESERVED_NAMES"]
