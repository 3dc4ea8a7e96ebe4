"""Function registries, built on catalogue and confection.

Config files refer to registered functions with `@<registry> = "name.vN"`; confection
resolves them. Registration uses decorators that sit on the function they register:

    @registry.architectures("heron.MaxoutWindowEncoder.v1")
    def maxout_window_encoder(*, width: int, ...) -> torch.nn.Module: ...

Pipeline components register here too, so a component module never imports
`heron.language` (spaCy moved its factories out of language.py for the same reason):

    @registry.factory("tagger", default_config={...}, assigns=["token.tag"])
    def make_tagger(nlp: Nlp, name: str, model: nn.Module) -> Tagger: ...

`Language.factory` and `Language.component` are the same decorators under spaCy's names.
"""
from __future__ import annotations

import difflib
import importlib
import importlib.util
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, Iterable, List, Optional, Tuple

import catalogue
import confection

from .errors import Errors, HeronTypeError, HeronValueError

# Modules whose import registers heron's built-in functions. Configs may name a
# built-in before anything imported its module, so config validation imports these
# first. Missing modules are skipped: the package is built in stages.
BUILTIN_MODULES = (
    "heron.tokenizer", "heron.language", "heron.pipeline", "heron.training",
    "heron.nn", "heron.vectors", "heron.scorer", "heron.transformer", "heron.pretraining",
)
# Packages whose every public module (no leading "_") is imported too: a new component
# file in heron/pipeline/ registers its factory with no edit anywhere else.
BUILTIN_PACKAGES = ("heron.pipeline",)
_populated = False
_populating = False


@dataclass
class FactoryMeta:
    """What a component factory declared when it was registered (`registry.factory`)."""

    factory: str
    default_config: Dict[str, Any] = field(default_factory=dict)
    assigns: Tuple[str, ...] = ()
    requires: Tuple[str, ...] = ()
    retokenizes: bool = False
    default_score_weights: Dict[str, Optional[float]] = field(default_factory=dict)
    # Deprecated setting names: {alias: (canonical name, why the alias exists)}.
    aliases: Dict[str, Tuple[str, str]] = field(default_factory=dict)
    module: Optional[str] = None  # where the factory is defined: workers import it
    file: Optional[str] = None


# What each registered factory declared, by factory name (registry.get_factory_meta).
FACTORY_META: Dict[str, FactoryMeta] = {}

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

    # ---- component factories (Language.factory / Language.component) --------------
    @classmethod
    def factory(cls, name: str, *, default_config: Optional[Dict[str, Any]] = None,
                assigns: Iterable[str] = (), requires: Iterable[str] = (),
                retokenizes: bool = False,
                default_score_weights: Optional[Dict[str, Optional[float]]] = None,
                aliases: Optional[Dict[str, Tuple[str, str]]] = None,
                func: Optional[Callable] = None) -> Callable:
        """Register a component factory `(nlp, name, **settings) -> component`.

        Use as a decorator on a function or class whose first arguments are `nlp` and
        `name`; its other arguments are the settings of `[components.NAME]`, filled from
        `default_config` and the signature's defaults and type-checked on `add_pipe`.
        assigns/requires: the Doc attributes it writes/reads ("token.tag", "doc.ents").
        default_score_weights: its scores' weights in the training score, e.g.
        {"tag_acc": 1.0}.
        aliases: deprecated setting names, {alias: (setting, note)}: a config block using
        the alias is read as the setting (W303), both at once is E372; never stored.
        """
        if not isinstance(name, str) or not name:
            raise HeronValueError(Errors.E308.format(func=func, name=name, params="(invalid name)"))
        meta = FactoryMeta(factory=name, default_config=dict(default_config or {}),
                           assigns=tuple(assigns), requires=tuple(requires),
                           retokenizes=retokenizes,
                           default_score_weights=dict(default_score_weights or {}),
                           aliases=dict(aliases or {}))

        def add_factory(factory_func: Callable) -> Callable:
            check_factory(name, factory_func)
            meta.module, meta.file = source_of(factory_func)
            FACTORY_META[name] = meta
            cls.factories.register(name, func=factory_func)
            return factory_func

        return add_factory(func) if func is not None else add_factory

    @classmethod
    def component(cls, name: str, *, assigns: Iterable[str] = (), requires: Iterable[str] = (),
                  retokenizes: bool = False, func: Optional[Callable] = None) -> Callable:
        """Register a stateless function `doc -> doc` as a component named `name`."""

        def add_component(component_func: Callable) -> Callable:
            if isinstance(component_func, type):
                raise HeronTypeError(Errors.E309.format(name=name, obj=component_func))

            def factory_func(nlp: Any, name: str) -> Callable:
                return component_func

            cls.factory(name, assigns=assigns, requires=requires, retokenizes=retokenizes,
                        func=factory_func)
            # Workers of nlp.pipe(n_process>1) import this module to re-register it.
            FACTORY_META[name].module, FACTORY_META[name].file = source_of(component_func)
            return component_func

        return add_component(func) if func is not None else add_component

    @classmethod
    def get_factory_meta(cls, name: str) -> FactoryMeta:
        """What factory `name` declared; a plain FactoryMeta for one registered by hand
        (`registry.factories.register`); E300 for an unknown name."""
        if name in FACTORY_META:
            return FACTORY_META[name]
        if not cls.has("factories", name):
            raise HeronValueError(unknown_factory_message(name, name))
        return FactoryMeta(factory=name)

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
            for module in BUILTIN_MODULES + tuple(_package_modules(BUILTIN_PACKAGES)):
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


def _package_modules(packages: Iterable[str]) -> List[str]:
    """The public modules of `packages` (found on disk, not imported yet)."""
    import pkgutil

    names = []
    for package in packages:
        spec = importlib.util.find_spec(package)
        for info in pkgutil.iter_modules(list(spec.submodule_search_locations or []) if spec else []):
            if not info.name.startswith("_"):
                names.append(f"{package}.{info.name}")
    return names

def check_factory(name: str, func: Callable) -> None:
    """A factory must accept `nlp` and `name` (positionally or by keyword): E308."""
    try:
        params = inspect.signature(func).parameters
    except (TypeError, ValueError):
        return  # builtins without a signature: trust them
    has_var_kw = any(p.kind == p.VAR_KEYWORD for p in params.values())
    if not has_var_kw and not {"nlp", "name"} <= set(params):
        raise HeronTypeError(Errors.E308.format(
            func=getattr(func, "__qualname__", func), name=name, params=list(params)
        ))


def source_of(func: Callable) -> Tuple[Optional[str], Optional[str]]:
    """(module name, file) defining `func`; a worker process imports it to re-register."""
    module = getattr(func, "__module__", None)
    try:
        file = inspect.getsourcefile(inspect.unwrap(func))
    except (TypeError, OSError):
        file = None
    return module, file


def unknown_factory_message(factory: str, name: str) -> str:
    """E300 for factory `factory` (wanted for component `name`), with a suggestion."""
    available = sorted(registry.factories.get_all())
    close = difflib.get_close_matches(factory, available, n=1, cutoff=0.5)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return Errors.E300.format(factory=factory, name=name, hint=hint,
                              available=", ".join(available) or "(none)")


__all__ = ["registry", "BUILTIN_MODULES", "FactoryMeta", "FACTORY_META", "check_factory",
           "source_of", "unknown_factory_message"]
