"""Building pipelines and components from configs (used by `heron.language`).

Every component is created by a registered factory from JSON-serialisable settings,
which are filled from the factory's `default_config` and signature, type-checked,
and kept (in the Language's PipelineState) so that `nlp.config` can always be written
out and rebuilt. Config files go through `heron.config` (one ConfigError naming every bad
key); settings passed to `add_pipe` are checked here against the factory signature.
"""
from __future__ import annotations

import copy
import difflib
import inspect
import json
import re
from pathlib import Path
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Tuple

import catalogue
from confection import Config, ConfigValidationError, Schema

from ..errors import ConfigError, Errors, HeronError, HeronTypeError, HeronValueError, Warnings, warn
from ..registry import FactoryMeta, check_factory, registry, source_of, unknown_factory_message
from .listener import bind_listeners, fill_listener_widths, iter_listeners
from .trunk import is_trunk

DEFAULT_CONFIG_PATH = Path(__file__).parent.parent / "configs" / "default.cfg"
# Keys of the factory call that are not settings (never written to the config).
_CALL_KEYS = ("@factories", "nlp", "name")


# ---- factories ---------------------------------------------------------------------


def _renamed_aliases(meta: FactoryMeta, name: str, config: Dict[str, Any]) -> Dict[str, Any]:
    """`config` with deprecated setting names (meta.aliases) renamed to the real ones."""
    found = [alias for alias in meta.aliases if alias in config]
    if not found:
        return config
    config = dict(config)
    for alias in found:
        canonical, note = meta.aliases[alias]
        value = config.pop(alias)
        if canonical in config and config[canonical] != value:
            raise ConfigError(Errors.E372.format(name=name, canonical=canonical, alias=alias, note=note))
        warn(Warnings.W303.format(name=name, alias=alias, canonical=canonical, note=note))
        config[canonical] = value
    return config


def create_pipe(nlp: Any, factory: str, name: str, config: Dict[str, Any],
                raw_config: Optional[Dict[str, Any]], validate: bool, *,
                upstream: Sequence[Tuple[str, Any]] = ()) -> Tuple[Any, Config, FactoryMeta]:
    """Build component `name`; returns (component, its config to store, FactoryMeta).

    upstream: the (name, component) pairs before it in the pipeline; a listener in its
    settings that leaves `width` empty takes it from its upstream trunk among them.
    """
    if not isinstance(factory, str):
        raise HeronTypeError(Errors.E304.format(obj=repr(factory)[:80]))
    if not isinstance(config, dict):
        raise HeronTypeError(Errors.E305.format(name=name, factory=factory, key="config",
                                                value_type=type(config).__name__))
    _check_json(config, name, factory)
    if not registry.has("factories", factory):
        registry.ensure_populated()
        if not registry.has("factories", factory):
            raise HeronValueError(unknown_factory_message(factory, name))
    meta = registry.get_factory_meta(factory)
    config = _renamed_aliases(meta, name, config)
    merged = Config(meta.default_config).merge(Config(config))
    fill_listener_widths(merged, upstream)
    if validate:
        _check_settings(factory, name, merged)
    block = {"@factories": factory, "nlp": nlp, "name": name, **merged}
    try:
        filled = registry.fill({"component": block}, validate=validate)["component"]
        component = registry.resolve({"component": filled}, validate=validate)["component"]
    except ConfigValidationError as e:
        raise ConfigError(_validation_message(e, name, factory), errors=_error_list(e, name)) from None
    except catalogue.RegistryError as e:
        raise ConfigError(Errors.E310.format(name=name, factory=factory, errors=f"  - {e}")) from None
    if not callable(component):
        raise HeronTypeError(Errors.E306.format(factory=factory, obj=repr(component)[:80], name=name))
    stored = Config({"factory": factory, **{k: v for k, v in filled.items() if k not in _CALL_KEYS}})
    if raw_config:
        # Keep the user's ${variables} (from a config file) over their interpolated values,
        # except those into [components] (they would dangle once that component is
        # removed, renamed or sourced elsewhere), and not a listener's `width = null`
        # over the width taken from its trunk.
        raw = resolve_component_references(raw_config, stored)
        stored = stored.merge(Config(raw, is_interpolated=False))
        fill_listener_widths(stored, upstream)
    return component, stored, meta


def _check_settings(factory: str, name: str, settings: Dict[str, Any]) -> None:
    """Unknown, missing and mistyped settings, all at once, with "did you mean" hints."""
    from ..schemas import check_fields

    func = registry.get("factories", factory)
    try:
        fields = dict(Schema.from_function(func).model_fields)
        params = inspect.signature(func).parameters.values()
    except (TypeError, ValueError):  # no introspectable signature: confection checks later
        return
    fields = {k: v for k, v in fields.items() if k not in ("nlp", "name")}
    extra = any(p.kind == p.VAR_KEYWORD for p in params)
    errors = check_fields(dict(settings), fields, f"components.{name}", extra=extra,
                          what=f"component factory {factory!r}")
    if errors:
        lines = "\n".join(f"  - {key}: {msg}" for key, msg in errors)
        raise ConfigError(Errors.E310.format(name=name, factory=factory, errors=lines), errors=errors)


def _check_json(config: Dict[str, Any], name: str, factory: str) -> None:
    for key, value in config.items():
        try:
            json.dumps(value)
        except (TypeError, ValueError):
            raise HeronTypeError(Errors.E305.format(
                name=name, factory=factory, key=key, value_type=type(value).__name__
            )) from None


def _error_list(e: ConfigValidationError, name: str) -> List[Tuple[str, str]]:
    out = []
    for err in e.errors or []:
        loc = [str(p) for p in err.get("loc", []) if str(p) != "component"]
        out.append((".".join(["components", name] + loc), str(err.get("msg"))))
    return out or [(f"components.{name}", str(e.title or e))]


def _validation_message(e: ConfigValidationError, name: str, factory: str) -> str:
    lines = "\n".join(f"  - {key}: {msg}" for key, msg in _error_list(e, name))
    return Errors.E310.format(name=name, factory=factory, errors=lines)


# ---- configs -----------------------------------------------------------------------

_DEFAULT_TEXT: Optional[str] = None


def default_config(lang: str) -> Config:
    """The shipped default config (configs/default.cfg) with [nlp] lang set."""
    global _DEFAULT_TEXT
    if _DEFAULT_TEXT is None:
        _DEFAULT_TEXT = DEFAULT_CONFIG_PATH.read_text(encoding="utf8")
    config = Config().from_str(_DEFAULT_TEXT, interpolate=False)
    config["nlp"]["lang"] = lang
    config.setdefault("components", {})
    return config


def resolve_block(block: Dict[str, Any], where: str) -> Any:
    """Call the registered function named in one `{"@registry": "name", ...}` block."""
    registry.ensure_populated()
    try:
        return registry.resolve({"block": block})["block"]
    except HeronError:
        raise
    except (ConfigValidationError, catalogue.RegistryError) as e:
        raise ConfigError(Errors.E318.format(where=where, detail=_short(e))) from None


def _short(e: Exception) -> str:
    if isinstance(e, ConfigValidationError):
        return "; ".join(f"{'.'.join(map(str, x.get('loc', [])))}: {x.get('msg')}"
                         for x in e.errors or []) or str(e.title)
    return " ".join(str(e).split())


def current_config(nlp: Any) -> Config:
    """nlp's config: the stored sections plus live [nlp] and [components]."""
    config = Config(nlp._config, is_interpolated=False).copy()
    section = {"lang": nlp.lang, "pipeline": nlp.component_names, "disabled": nlp.disabled,
               "batch_size": nlp.batch_size}
    section.update({k: v for k, v in config.get("nlp", {}).items() if k not in section})
    config["nlp"] = section
    config["components"] = {n: nlp.get_pipe_config(n) for n in nlp.component_names}
    return Config(config, is_interpolated=False, section_order=list(config))


def check_lang(lang: Any) -> None:
    """Raise E315 unless `lang` has tokenizer rules or is in registry.languages."""
    from ..tokenizer import available_langs

    registry.ensure_populated()
    known = set(available_langs()) | set(registry.languages.get_all())
    if not isinstance(lang, str) or lang not in known:
        close = difflib.get_close_matches(str(lang), sorted(known), n=1)
        raise HeronValueError(Errors.E315.format(
            lang=lang, hint=f" Did you mean {close[0]!r}?" if close else "",
            available=", ".join(sorted(known)),
        ))


def _fill(config: Dict[str, Any], validate: bool) -> Config:
    from ..config import fill_config

    return fill_config(config, validate=validate)


# A ${...} reference, or "$$" (the escape of a literal "$"): scanned together, so the
# text "$${x}" is never taken for a reference.
_REFERENCE_OR_ESCAPE = re.compile(r"\$\$|\$\{([\w.:]+)\}")


def references(value: Any) -> Iterator[str]:
    """The dotted paths of the ${...} references in a raw config value (a string, list or
    section), e.g. "components.tok2vec.model.width" ("a:b" is read as "a.b")."""
    if isinstance(value, dict):
        for item in value.values():
            yield from references(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from references(item)
    elif isinstance(value, str):
        for match in _REFERENCE_OR_ESCAPE.finditer(value):
            if match.group(1):
                yield match.group(1).replace(":", ".")


def refers_to_components(value: Any) -> bool:
    """Whether a raw config value holds a ${components...} reference."""
    return any(path.split(".")[0] == "components" for path in references(value))


def resolve_component_references(raw: Dict[str, Any], interpolated: Dict[str, Any]) -> Config:
    """`raw` with each value that refers into [components] replaced by its value in
    `interpolated` (the same config with variables resolved); a value missing there is
    dropped. Other variables (${paths.train}, ${system.seed}) are kept, as spaCy keeps
    them: those sections never leave a pipeline's config, while a component block can be
    removed, renamed, or copied into a pipeline without the block it points to."""

    def walk(node: Dict[str, Any], done: Any) -> Dict[str, Any]:
        done = done if isinstance(done, dict) else {}
        out: Dict[str, Any] = {}
        for key, value in node.items():
            if isinstance(value, dict):
                out[key] = walk(value, done.get(key))
            elif not refers_to_components(value):
                out[key] = value
            elif key in done:
                out[key] = copy.deepcopy(done[key])
        return out

    order = raw.section_order if isinstance(raw, Config) else None
    return Config(walk(raw, interpolated), is_interpolated=False, section_order=order)


def _interpolate(config: Config) -> Config:
    if config.is_interpolated:
        return config
    try:
        return Config(config).interpolate()
    except Exception as e:  # confection raises several types for bad ${...}
        raise ConfigError(Errors.E208.format(where="", detail=_short(e))) from None


def interpolated_block(nlp: Any, name: str) -> Config:
    """Component `name`'s config block with every ${...} resolved against nlp's whole
    config (spaCy's create_pipe_from_source): what a copy of it in another pipeline needs."""
    block = nlp.get_pipe_config(name)
    if not any(references(block)):
        return block
    return Config(_interpolate(nlp.config)["components"][name])


def from_config(cls: Any, config: Any, *, vocab: Any, disable: Iterable[str],
                enable: Iterable[str], exclude: Iterable[str], meta: Optional[Dict[str, Any]],
                auto_fill: bool, validate: bool) -> Any:
    """Build a Language from [nlp] and [components]; see `Language.from_config`."""
    if not isinstance(config, Config) and isinstance(config, dict):
        # A plain dict may hold ${variables}; marking it uninterpolated keeps them.
        config = Config(config, is_interpolated=False)
    if not isinstance(config, dict) or not isinstance(config.get("nlp"), dict):
        raise ConfigError(Errors.E319.format(name="[nlp]", detail="the config has no [nlp] section"))
    filled = _fill(config, validate) if auto_fill else Config(config)
    if not auto_fill and validate:
        from ..config import validate_config

        validate_config(filled)
    resolved = _interpolate(filled)
    # nlp.config keeps the config's variables, except references into [components]:
    # each component block is self-contained (see resolve_component_references).
    filled = resolve_component_references(filled, resolved)
    nlp_cfg = resolved["nlp"]
    check_lang(nlp_cfg.get("lang"))
    hooks = {k: resolve_block(nlp_cfg[k], f"nlp.{k}") for k in
             ("tokenizer", "before_creation", "after_creation", "after_pipeline_creation")
             if isinstance(nlp_cfg.get(k), dict)}
    if "before_creation" in hooks:
        cls = hooks["before_creation"](cls)
    nlp = cls(vocab, lang=nlp_cfg["lang"], meta=meta, create_tokenizer=hooks.get("tokenizer"),
              batch_size=nlp_cfg.get("batch_size", 1000))
    if "after_creation" in hooks:
        nlp = hooks["after_creation"](nlp)
    _add_components(nlp, resolved, filled, set(exclude), validate)
    _set_disabled(nlp, nlp_cfg.get("disabled") or [], disable, enable)
    _check_sourced_listeners(nlp, resolved.get("components") or {})
    # Heads listening to a trunk are bound now that every component exists (E351-E353).
    bind_listeners(nlp, strict=True)
    kept = Config(filled, is_interpolated=False)
    kept["nlp"] = {k: v for k, v in kept["nlp"].items() if k not in ("pipeline", "disabled")}
    nlp._config = kept
    if "after_pipeline_creation" in hooks:
        nlp = hooks["after_pipeline_creation"](nlp)
    return nlp


def _add_components(nlp: Any, resolved: Dict[str, Any], raw: Dict[str, Any],
                    exclude: set, validate: bool) -> None:
    from ._serialize import add_sourced

    components = resolved.get("components") or {}
    raw_components = raw.get("components") or {}
    sources: Dict[str, Any] = {}
    for name in resolved["nlp"].get("pipeline") or []:
        if name in exclude:
            continue
        block = components.get(name)
        if not isinstance(block, dict):
            raise ConfigError(Errors.E319.format(
                name=name, detail=f"nlp.pipeline lists {name!r} but there is no [components.{name}]"
            ))
        block = dict(block)
        if "factory" in block:
            factory = block.pop("factory")
            nlp.add_pipe(factory, name=name, config=block, raw_config=raw_components.get(name),
                         validate=validate)
        elif "source" in block:
            add_sourced(nlp, name, block, sources)
        else:
            raise ConfigError(Errors.E319.format(
                name=name, detail=f"[components.{name}] needs factory = \"...\" or source = \"path\""
            ))


def _check_sourced_listeners(nlp: Any, blocks: Dict[str, Any]) -> None:
    """E371 for a sourced head still listening, with no trunk for it here: the fix is
    replace_listeners (or sourcing the trunk too), not a new trunk (E351's advice). A
    trunk that is there but doesn't fit is left to bind_listeners (E352, E353)."""
    components = nlp.components
    for index, (name, proc) in enumerate(components):
        block = blocks.get(name)
        if not isinstance(block, dict) or "source" not in block:
            continue
        before = [n for n, p in components[:index] if is_trunk(p)]
        unbound = [path for path, listener in iter_listeners(proc) if listener.upstream is None and not (
            before if listener.upstream_name == "*" else listener.upstream_name in nlp.component_names)]
        if unbound:
            raise HeronValueError(Errors.E371.format(name=name, source=block["source"], paths=unbound))


def _set_disabled(nlp: Any, from_config: Iterable[str], disable: Iterable[str],
                  enable: Iterable[str]) -> None:
    names = set(nlp.component_names)
    enable = [enable] if isinstance(enable, str) else list(enable)
    disable = [disable] if isinstance(disable, str) else list(disable)
    wanted = set(from_config) | set(disable)
    if enable:
        wanted |= names - set(enable)
    for name in nlp.component_names:
        if name in wanted:
            nlp.disable_pipe(name)


def initialize_settings(nlp: Any) -> Dict[str, Dict[str, Any]]:
    """Resolved [initialize.components] settings per component name ({} if none)."""
    section = (nlp._config.get("initialize") or {}).get("components") or {}
    if not section:
        return {}
    try:
        interpolated = _interpolate(Config({"initialize": {"components": section},
                                            **{k: v for k, v in nlp._config.items() if k != "initialize"}},
                                           is_interpolated=False))
        resolved = registry.resolve({"c": interpolated["initialize"]["components"]})["c"]
    except (ConfigValidationError, catalogue.RegistryError) as e:
        raise ConfigError(Errors.E318.format(where="initialize.components", detail=_short(e))) from None
    return {k: dict(v) for k, v in resolved.items() if isinstance(v, dict)}


__all__ = ["FactoryMeta", "unknown_factory_message", "create_pipe", "from_config", "current_config", "default_config",
           "resolve_block", "check_lang", "check_factory", "source_of", "initialize_settings",
           "resolve_component_references", "refers_to_components", "references", "interpolated_block"]
