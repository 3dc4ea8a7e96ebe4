"""Function registries, built on catalogue and confection.

Config files refer to registered functions with `@<registry> = "name.vN"`; confection
resolves them. Registration uses decorators that sit on the function they register:

    @registry.architectures("heron.MaxoutWindowEncoder.v1")
    def maxout_window_encoder(*, width: int, ...) -> torch.nn.Module: ...
"""
from __future__ import annotations

import inspect
from typing import Any, Callable, Dict

import catalogue
import confection

# Registered functions live in these namespaces. Entry points under
# "heron_<name>" let third-party packages register without an import.
_NAMES = (
    "languages", "factories", "architectures", "layers", "span_getters",
    "annotation_setters", "readers", "batchers", "optimizers", "schedules",
    "loggers", "scorers", "callbacks", "misc", "tokenizers", "vectors",
)


class registry(confection.registry):
    languages = catalogue.create("heron", "languages", entry_points=True)
    factories = catalogue.create("heron", "factories", entry_points=True)
    architectures = catalogue.create("heron", "architectures", entry_points=True)
    layers = catalogue.create("heron", "layers", entry_points=True)
    span_getters = catalogue.create("heron", "span_getters", entry_points=True)
    annotation_setters = catalogue.create("heron", "annotation_setters", entry_points=True)
    readers = catalogue.create("heron", "readers", entry_points=True)
    batchers = catalogue.create("heron", "batchers", entry_points=True)
    optimizers = catalogue.create("heron", "optimizers", entry_points=True)
    schedules = catalogue.create("heron", "schedules", entry_points=True)
    loggers = catalogue.create("heron", "loggers", entry_points=True)
    scorers = catalogue.create("heron", "scorers", entry_points=True)
    callbacks = catalogue.create("heron", "callbacks", entry_points=True)
    misc = catalogue.create("heron", "misc", entry_points=True)
    tokenizers = catalogue.create("heron", "tokenizers", entry_points=True)
    vectors = catalogue.create("heron", "vectors", entry_points=True)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return _NAMES

    @classmethod
    def find(cls, registry_name: str, func_name: str) -> Dict[str, Any]:
        """Where a registered function is defined: module, file, line and docstring."""
        func: Callable = cls.get(registry_name, func_name)
        target = inspect.unwrap(func)
        try:
            file = inspect.getsourcefile(target)
            _, line = inspect.getsourcelines(target)
        except (TypeError, OSError):
            file, line = None, None
        return {
            "module": getattr(target, "__module__", None),
            "file": file,
            "line_no": line,
            "docstring": inspect.getdoc(target),
        }


__all__ = ["registry"]
