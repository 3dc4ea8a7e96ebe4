"""Language (`nlp`): a tokenizer plus an ordered list of named components.

    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    doc = nlp("Hello world. Bye!")
    nlp.to_disk("my_pipeline"); nlp = heron.load("my_pipeline")

Components are built by registered factories (`@registry.factory`, or spaCy's names
`@Language.factory` and `@Language.component`) from JSON-serialisable settings, so
`nlp.config` always describes the pipeline and `Language.from_config(nlp.config)`
rebuilds it. Their learned state travels separately through `to_disk`/`to_bytes`.
To keep each file small, this module holds the public API (the training methods are
in _language_training.py) and delegates to `pipeline/_build.py` (factories, configs),
`pipeline/_manage.py` (add/remove/rename/select), `pipeline/_serialize.py` (disk,
bytes, heron.load) and `pipeline/_parallel.py` (`pipe(n_process=N)`). The components,
their configs, factory metas and disabled names have one owner, `PipelineState`
(pipeline/_state.py).
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, Iterator, List, Optional, Tuple, Union

from confection import Config

from ._language_pipes import LanguagePipesMixin  # disable_pipes, analyze_pipes, memory_zone
from ._language_training import LanguageTrainingMixin  # initialize, update, evaluate, ...
from .errors import ConfigError, Errors, HeronTypeError, HeronValueError
from .pipeline import _build, _manage, _serialize  # components register themselves (registry.py)
from .pipeline._state import PipelineState
from .registry import FactoryMeta, registry
from .util import PathLike


class Language(LanguageTrainingMixin, LanguagePipesMixin):
    """A text-processing pipeline: `nlp(text) -> Doc`.

    vocab (Vocab | True): the shared vocab; True creates `Vocab(lang=lang)`.
    lang (str): language code ("en", "xx", ...): picks tokenizer rules and lexical
        attributes. Defaults to the vocab's language, else "xx" (multi-language).
    meta (dict): name, version, description, ... written to meta.json.
    create_tokenizer (callable | None): `nlp -> Tokenizer`; None = "heron.Tokenizer.v1".
    max_length (int): longest text accepted (characters), a guard against feeding a
        whole corpus as one string. Default 1,000,000.
    batch_size (int): default batch size of `nlp.pipe`.
    """

    def __init__(self, vocab: Any = True, *, lang: Optional[str] = None,
                 meta: Optional[Dict[str, Any]] = None,
                 create_tokenizer: Optional[Callable[["Language"], Any]] = None,
                 max_length: int = 10 ** 6, batch_size: int = 1000):
        from .tokens import Vocab

        if vocab is True or vocab is None:
            vocab = Vocab(lang=lang or "xx")
        elif not isinstance(vocab, Vocab):
            raise HeronTypeError(Errors.E325.format(obj=type(vocab).__name__))
        self.vocab = vocab
        self.lang: str = lang or getattr(vocab, "lang", None) or "xx"
        self._meta: Dict[str, Any] = dict(meta or {})
        self.max_length = max_length
        self.batch_size = batch_size
        self._state = PipelineState()
        self._config: Config = _build.default_config(self.lang)
        if create_tokenizer is None:
            create_tokenizer = _build.resolve_block({"@tokenizers": "heron.Tokenizer.v1"}, "nlp.tokenizer")
        self.tokenizer = create_tokenizer(self)

    # ---- factories (registered in heron.registry; these are spaCy's names) -----------
    @classmethod
    def factory(cls, name: str, *, default_config: Optional[Dict[str, Any]] = None,
                assigns: Iterable[str] = (), requires: Iterable[str] = (),
                retokenizes: bool = False,
                default_score_weights: Optional[Dict[str, Optional[float]]] = None,
                func: Optional[Callable] = None) -> Callable:
        """Register a component factory `(nlp, name, **settings) -> component`: the same
        decorator as `registry.factory` (see there)."""
        return registry.factory(name, default_config=default_config, assigns=assigns,
                                requires=requires, retokenizes=retokenizes,
                                default_score_weights=default_score_weights, func=func)

    @classmethod
    def component(cls, name: str, *, assigns: Iterable[str] = (), requires: Iterable[str] = (),
                  retokenizes: bool = False, func: Optional[Callable] = None) -> Callable:
        """Register a stateless function `doc -> doc` as a component named `name`."""
        return registry.component(name, assigns=assigns, requires=requires,
                                  retokenizes=retokenizes, func=func)

    @classmethod
    def has_factory(cls, name: str) -> bool:
        return registry.has("factories", name)

    @classmethod
    def get_factory_meta(cls, name: str) -> FactoryMeta:
        """What factory `name` declared; a plain FactoryMeta for one registered by hand."""
        return registry.get_factory_meta(name)

    @property
    def factory_names(self) -> List[str]:
        return sorted(registry.factories.get_all())

    # ---- pipeline state -----------------------------------------------------------
    @property
    def pipeline(self) -> List[Tuple[str, Any]]:
        """(name, component) of the enabled components, in order."""
        return self._state.enabled

    @property
    def pipe_names(self) -> List[str]:
        return self._state.enabled_names

    @property
    def components(self) -> List[Tuple[str, Any]]:
        """(name, component) of all components, disabled ones included."""
        return list(self._state.components)

    @property
    def component_names(self) -> List[str]:
        return self._state.names

    @property
    def disabled(self) -> List[str]:
        return self._state.disabled_names

    @property
    def pipe_factories(self) -> Dict[str, str]:
        return {n: self._state.metas[n].factory for n in self.component_names}

    @property
    def pipe_labels(self) -> Dict[str, List[str]]:
        from .pipeline.component import get_labels

        return {n: get_labels(p) for n, p in self._state.components if get_labels(p)}

    def get_pipe_meta(self, name: str) -> FactoryMeta:
        self._require(name)
        return self._state.metas[name]

    def get_pipe_config(self, name: str) -> Config:
        self._require(name)
        return self._state.configs[name].copy()

    @property
    def meta(self) -> Dict[str, Any]:
        """meta.json contents; pipeline/components/labels reflect the current state."""
        return _serialize.current_meta(self)

    @meta.setter
    def meta(self, value: Dict[str, Any]) -> None:
        self._meta = dict(value)

    @property
    def config(self) -> Config:
        """A complete config that rebuilds this pipeline with `Language.from_config`."""
        return _build.current_config(self)

    def _require(self, name: str) -> None:
        if name not in self.component_names:
            raise _manage.unknown_component(self._state, name)

    # ---- pipeline management (see pipeline/_manage.py) ----------------------------
    def add_pipe(self, factory_name: str, name: Optional[str] = None, *,
                 before: Union[str, int, None] = None, after: Union[str, int, None] = None,
                 first: Optional[bool] = None, last: Optional[bool] = None,
                 source: Optional["Language"] = None, config: Optional[Dict[str, Any]] = None,
                 raw_config: Optional[Dict[str, Any]] = None, validate: bool = True) -> Any:
        """Create a component with factory `factory_name` and add it; returns it.

        name: defaults to the factory name; must be unique. Position: at most one of
        before/after (a name or index), first=True, last=True (the default).
        config: the factory's settings (JSON-serialisable); missing ones use defaults.
        source: copy component `factory_name` from another Language instead.
        """
        component = _manage.add_pipe(self, self._state, factory_name, name, before=before, after=after,
                                     first=first, last=last, source=source, config=config or {},
                                     raw_config=raw_config, validate=validate)
        self._bind_listeners(strict=False)
        return component

    def create_pipe(self, factory_name: str, name: Optional[str] = None, *,
                    config: Optional[Dict[str, Any]] = None,
                    raw_config: Optional[Dict[str, Any]] = None, validate: bool = True) -> Any:
        """Build a component with a registered factory without adding it."""
        component, _, _ = _build.create_pipe(self, factory_name, name or factory_name,
                                             config or {}, raw_config, validate,
                                             upstream=self._state.components)
        return component

    def get_pipe(self, name: str) -> Any:
        component = self._state.get(name)
        if component is None:
            raise _manage.unknown_component(self._state, name)
        return component

    def has_pipe(self, name: str) -> bool:
        return name in self.component_names

    def remove_pipe(self, name: str) -> Tuple[str, Any]:
        """Remove component `name`; returns (name, component)."""
        removed = _manage.remove_pipe(self._state, name)
        _manage.sync_initialize_settings(self._config, name, None)
        self._bind_listeners(strict=False)
        return removed

    def rename_pipe(self, old_name: str, new_name: str) -> None:
        """Rename component `old_name`; listeners naming it as their upstream and its
        [initialize.components] settings follow."""
        _manage.rename_pipe(self._state, old_name, new_name)
        if old_name != new_name:
            _manage.sync_initialize_settings(self._config, old_name, new_name)
        self._bind_listeners(strict=False)

    def replace_pipe(self, name: str, factory_name: str, *,
                     config: Optional[Dict[str, Any]] = None, validate: bool = True) -> Any:
        """Replace component `name` with a new one from `factory_name`, same position."""
        component = _manage.replace_pipe(self, self._state, name, factory_name, config=config or {},
                                         validate=validate)
        self._bind_listeners(strict=False)
        return component

    def disable_pipe(self, name: str) -> None:
        """Keep component `name` loaded (and saved) but skip it when processing."""
        self._require(name)
        self._state.disable(name)

    def enable_pipe(self, name: str) -> None:
        self._require(name)
        self._state.enable(name)

    def select_pipes(self, *, disable: Union[str, Iterable[str], None] = None,
                     enable: Union[str, Iterable[str], None] = None) -> "_manage.DisabledPipes":
        """Disable components until `.restore()` or the end of a `with` block.

        Pass disable= (names to switch off) or enable= (names to keep; all others off).
        """
        return _manage.select_pipes(self, self._state, disable=disable, enable=enable)

    # ---- processing ---------------------------------------------------------------
    def make_doc(self, text: str):
        """Tokenize `text` (no components)."""
        if len(text) > self.max_length:
            raise HeronValueError(Errors.E314.format(length=len(text), max_length=self.max_length))
        return self.tokenizer(text)

    def _ensure_doc(self, doc_like: Any):
        from .tokens import Doc

        if isinstance(doc_like, Doc):
            return doc_like
        if isinstance(doc_like, str):
            return self.make_doc(doc_like)
        if isinstance(doc_like, bytes):
            return Doc(self.vocab).from_bytes(doc_like)
        raise HeronTypeError(Errors.E313.format(type=type(doc_like).__name__))

    def __call__(self, text: Any, *, disable: Iterable[str] = (),
                 component_cfg: Optional[Dict[str, Dict[str, Any]]] = None):
        """Process one text (str) or Doc through the enabled components."""
        doc = self._ensure_doc(text)
        component_cfg = component_cfg or {}
        disable = [disable] if isinstance(disable, str) else list(disable)
        for name, proc in self.pipeline:
            if name in disable:
                continue
            result = proc(doc, **component_cfg.get(name, {}))
            if result is None or not hasattr(result, "vocab"):
                raise HeronTypeError(Errors.E307.format(name=name, obj=type(result).__name__))
            doc = result
        return doc

    def pipe(self, texts: Iterable[Any], *, as_tuples: bool = False,
             batch_size: Optional[int] = None, disable: Iterable[str] = (),
             component_cfg: Optional[Dict[str, Dict[str, Any]]] = None,
             n_process: int = 1, start_method: Optional[str] = None) -> Iterator[Any]:
        """Process a stream of texts (or Docs) lazily, in order.

        as_tuples (bool): items are (text, context); yields (doc, context). Contexts
            never leave this process.
        batch_size (int): texts per batch (default nlp.batch_size).
        n_process (int): worker processes; -1 = one per CPU. Workers rebuild the
            pipeline from nlp.config + nlp.to_bytes() and send Docs back as bytes, so
            results are identical to n_process=1. Worth it from ~thousands of texts.
        start_method (str | None): multiprocessing start method ("fork", "spawn",
            "forkserver"); None = the platform default.
        """
        from .pipeline import _pipe_errors

        yield from _pipe_errors.pipe(self, texts, as_tuples=as_tuples, batch_size=batch_size,
                                     disable=disable, component_cfg=component_cfg,
                                     n_process=n_process, start_method=start_method)

    def set_error_handler(self, error_handler: Callable[[str, Any, List[Any], Exception], Any]) -> None:
        """Call `error_handler(component_name, component, docs, error)` for each document that
        fails in nlp.pipe (any n_process) instead of raising E040; e.g. heron.pipeline.ignore_error
        skips failing documents. See pipeline/_pipe_errors.py."""
        self.default_error_handler = error_handler

    def _bind_listeners(self, *, strict: bool) -> None:
        from .pipeline.listener import bind_listeners

        bind_listeners(self, strict=strict)

    # ---- config and serialisation (see pipeline/_serialize.py) ---------------------
    @classmethod
    def from_config(cls, config: Union[Config, Dict[str, Any]], *, vocab: Any = True,
                    disable: Iterable[str] = (), enable: Iterable[str] = (),
                    exclude: Iterable[str] = (), meta: Optional[Dict[str, Any]] = None,
                    auto_fill: bool = True, validate: bool = True) -> "Language":
        """Build a pipeline from a config with [nlp] and [components] sections.

        disable: build these components but leave them disabled. enable: disable all
        others. exclude: don't build these at all. auto_fill: fill missing settings
        with defaults. validate: raise a ConfigError (naming each bad key) first.
        """
        return _build.from_config(cls, config, vocab=vocab, disable=disable, enable=enable,
                                  exclude=exclude, meta=meta, auto_fill=auto_fill,
                                  validate=validate)

    def to_disk(self, path: PathLike, *, exclude: Iterable[str] = ()) -> None:
        """Save to folder `path` atomically: config.cfg, meta.json, vocab/, tokenizer, one
        folder per component. `exclude` names parts to skip ("vocab", "tokenizer", names)."""
        _serialize.to_disk(self, path, exclude=exclude)

    def from_disk(self, path: PathLike, *, exclude: Iterable[str] = (),
                  allow_symlinks: bool = False) -> "Language":
        """Load state saved by `to_disk` into this (already configured) pipeline.

        allow_symlinks: follow symbolic links that lead out of the folder (refused by
        default, E365); only for folders you trust.
        """
        return _serialize.from_disk(self, path, exclude=exclude, allow_symlinks=allow_symlinks)

    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        """msgpack bytes of config, meta, vocab, tokenizer and component states."""
        return _serialize.to_bytes(self, exclude=exclude)

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> "Language":
        return _serialize.from_bytes(self, data, exclude=exclude)

    def __repr__(self) -> str:
        return f"<heron.Language lang={self.lang!r} pipeline={self.pipe_names}>"


def blank(lang: str, *, vocab: Any = True, config: Optional[Dict[str, Any]] = None,
          meta: Optional[Dict[str, Any]] = None) -> Language:
    """An empty pipeline (tokenizer only) for language code `lang` ("en", "xx", ...).

    config: settings merged into the default config, e.g. {"nlp": {"batch_size": 64}}.
    """
    _build.check_lang(lang)
    base = Config({"nlp": {"lang": lang}}, is_interpolated=False)
    if config:
        base = base.merge(Config(config, is_interpolated=False))
        base["nlp"]["lang"] = lang
    return _language_class(lang).from_config(base, vocab=vocab, meta=meta)


def _language_class(lang: str) -> type:
    """heron.lang's class for `lang` (English for "en", as spaCy's blank/load give), else Language."""
    from .util import get_lang_class

    try:
        return get_lang_class(lang)
    except HeronValueError:
        return Language


def load(path: PathLike, *, vocab: Any = True, disable: Iterable[str] = (),
         enable: Iterable[str] = (), exclude: Iterable[str] = (),
         config: Optional[Dict[str, Any]] = None, allow_symlinks: bool = False) -> Language:
    """Load a pipeline folder written by `nlp.to_disk`, or an installed pipeline package
    by name ("en_core_sm", built by `heron package`); never runs code from either.

    disable/enable/exclude: as in `Language.from_config`. config: overrides as
    {"section.key": value}, e.g. {"nlp.batch_size": 64}. allow_symlinks: follow
    symbolic links that lead out of the folder (refused by default, E365); only for
    folders you trust. Missing files of any part being loaded are refused (E364), and so
    is a folder whose meta.json heron_version range excludes this heron (E572).
    """
    from .packaging.installed import resolve_pipeline

    path = resolve_pipeline(path)  # a package name -> its data folder (E574 if unknown)
    return _serialize.load(_language_class, path, vocab=vocab, disable=disable, enable=enable,
                           exclude=exclude, overrides=config, allow_symlinks=allow_symlinks)


__all__ = ["Language", "FactoryMeta", "blank", "load", "ConfigError"]
