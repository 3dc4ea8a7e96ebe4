"""PipelineState: the one owner of a Language's components and their bookkeeping.

A Language keeps its components in one `PipelineState` (`nlp._state`): the ordered
(name, component) pairs, the config each was built from (so `nlp.config` can always
be written out and rebuilt), what its factory declared (`FactoryMeta`) and which
are disabled. `pipeline/_manage.py`, `_build.py` and the listener binding receive
this object and change it only through its methods, which keep the four consistent
(a component always has a config and a meta; a disabled name is always a component).
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Set, Tuple

from confection import Config

from ..registry import FactoryMeta


class PipelineState:
    """Components in order, with their configs, factory metas and disabled flags."""

    def __init__(self) -> None:
        self.components: List[Tuple[str, Any]] = []
        self.configs: Dict[str, Config] = {}
        self.metas: Dict[str, FactoryMeta] = {}
        self.disabled: Set[str] = set()
        # nlp.update calls so far: the step grad_factor schedules read when update()
        # is not given one (the training loop always gives it).
        self.n_updates = 0

    # ---- reading ---------------------------------------------------------------------
    @property
    def names(self) -> List[str]:
        return [name for name, _ in self.components]

    @property
    def enabled(self) -> List[Tuple[str, Any]]:
        return [(n, p) for n, p in self.components if n not in self.disabled]

    @property
    def enabled_names(self) -> List[str]:
        return [n for n, _ in self.components if n not in self.disabled]

    @property
    def disabled_names(self) -> List[str]:
        """Disabled component names in pipeline order."""
        return [n for n, _ in self.components if n in self.disabled]

    def get(self, name: str) -> Optional[Any]:
        """Component `name`, or None."""
        for pipe_name, component in self.components:
            if pipe_name == name:
                return component
        return None

    def index(self, name: str) -> int:
        return self.names.index(name)

    # ---- changing --------------------------------------------------------------------
    def insert(self, index: int, name: str, component: Any, config: Config, meta: FactoryMeta) -> None:
        self.components.insert(index, (name, component))
        self.configs[name] = config
        self.metas[name] = meta

    def replace(self, name: str, component: Any, config: Config, meta: FactoryMeta) -> None:
        """Put `component` in `name`'s place (a disabled one stays disabled)."""
        self.components[self.index(name)] = (name, component)
        self.configs[name] = config
        self.metas[name] = meta

    def remove(self, name: str) -> Tuple[str, Any]:
        removed = self.components.pop(self.index(name))
        self.configs.pop(name, None)
        self.metas.pop(name, None)
        self.disabled.discard(name)
        return removed

    def rename(self, old_name: str, new_name: str) -> Any:
        """Rename component `old_name` (same position, config, meta, enabled state);
        returns the component."""
        index = self.index(old_name)
        component = self.components[index][1]
        self.components[index] = (new_name, component)
        self.configs[new_name] = self.configs.pop(old_name)
        self.metas[new_name] = self.metas.pop(old_name)
        if old_name in self.disabled:
            self.disabled.discard(old_name)
            self.disabled.add(new_name)
        return component

    def disable(self, name: str) -> None:
        self.disabled.add(name)

    def enable(self, name: str) -> None:
        self.disabled.discard(name)

    def training_step(self, step: Optional[int]) -> int:
        """The global step of this nlp.update call: `step` if given, else the number of
        update calls before this one. Every grad-factor user reads this one step."""
        current = self.n_updates if step is None else int(step)
        self.n_updates += 1
        return current


__all__ = ["PipelineState"]
