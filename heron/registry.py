"""Function registries, built on catalogue and confection.

Config files refer to registered functions with `@<registry> = "name.vN"`; confection
resolves them. Registration uses decorators that sit on the function they register:

    @registry.architectures("heron.MaxoutWindowEncoder.v1")
    def maxout_window_encoder(*, width: int, ...) -> torch.nn.Module: ...
"""
from __future__ import annotations

import difflib
import importlib
import inspect
from typing import Any, Callable, Dict, List

import catalogue
import confection

# Modules whose import registers heron's built-in functions. Configs may name a
# built-in before anything imported its module, so config validation imports these
# first. Missing modules are skipped: the package is built in stages.
BUILTIN_MODULES = (
    "heron.tokenizer", "heron.language", "heron.pipeline", "heron.training",
    "heron.nn", "heron.vectors", "heron.scorer", "heron.transformer", "heron.pretraining",
)
_populated = False
_populating = False

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

    @classmethod
    def ensure_populated(cls) -> None:
        """Import heron's own modules once so that every built-in function is registered."""
        global _populated, _populating
        if _populated or _populating:  # done, or called again while importing
            return
        _populating = True
        try:
            for module in BUILTIN_MODULES:
                try:
                    importlib.import_module(module)
                except ModuleNotFoundError as e:
                    # Only swallow "this module does not exist (yet)"; a module that
                    # exists but fails to import is a real bug and must surface.
                    if e.name is None or not module.startswith(e.name):
                        raise
            _populated = True
        finally:
            _populating = False

    @classmethod
    def get_names(cls, registry_name: str) -> List[str]:
        """All names registered in `registry_name` (sorted); [] for an unknown registry."""
        if registry_name not in _NAMES:
            return []
        return sorted(getattr(cls, registry_name).get_all())

    @classmethod
    def suggest(cls, registry_name: str, func_name: str, n: int = 3) -> List[str]:
        """Registered names closest to `func_name`, best first (for "did you mean").

        Versioned names differ mostly in their suffix ("heron.Tagger.v9" vs "v1"), so
        a name with the same stem and another version is always offered first.
        """
        names = cls.get_names(registry_name)
        stem = func_name.rsplit(".v", 1)[0] if ".v" in func_name else func_name
        same_stem = [x for x in names if x.rsplit(".v", 1)[0] == stem and x != func_name]
        close = difflib.get_close_matches(func_name, names, n=n, cutoff=0.6)
        return list(dict.fromkeys(same_stem + close))[:n]


__all__ = ["registry", "BUILTIN_MODULES"]
