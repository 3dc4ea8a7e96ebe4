"""Validation of a config: top-level sections, the pipeline, and every function block.

`validate_config` collects every problem before raising, so the user sees ONE
ConfigError listing each offending `section.key` with the expected type and the fix:
sections are checked against `heron.schemas`, [components.*] blocks against their
factory (or the keys a sourced component may set), and every `@registry = "name"`
block against its registered function's signature.
"""
from __future__ import annotations

import configparser
import inspect
import json
from typing import Any, Dict, Optional, Tuple, Union

from confection import Config, ConfigValidationError, Schema
from confection.util import is_promise

from ._config_errors import ErrorList, config_error, missing_nlp
from ._config_messages import _short, _unknown_function
from .errors import ConfigError, Errors
from .registry import registry
from .schemas import SECTION_SCHEMAS, check_fields, check_section, suggest


def validate_config(config: Union[Config, Dict[str, Any]], *, sections: bool = True) -> None:
    """Check the whole config; raise ONE ConfigError listing every problem found.

    sections (bool): also check the top-level sections against heron.schemas.
        Pass False for a fragment such as {"model": {"@architectures": ...}}.
    """
    interpolated = _interpolated(config)
    errors: ErrorList = []
    if sections:
        errors.extend(_check_sections(interpolated))
    errors.extend(_check_blocks(interpolated, ""))
    if errors:
        raise config_error(errors)


def _interpolated(config: Union[Config, Dict[str, Any]]) -> Dict[str, Any]:
    if isinstance(config, Config) and not config.is_interpolated:
        try:
            return Config(config).interpolate()
        except (ConfigValidationError, configparser.Error, ValueError) as e:
            raise ConfigError(Errors.E208.format(where="", detail=_short(e))) from None
    return config


def _check_sections(config: Dict[str, Any]) -> ErrorList:
    errors: ErrorList = []
    allowed = list(SECTION_SCHEMAS)
    for name, values in config.items():
        if name not in SECTION_SCHEMAS:
            errors.append((name, (
                f"unknown section [{name}].{suggest(name, allowed)} "
                f"Allowed sections: {', '.join(allowed)}. Fix: rename or remove it."
            )))
            continue
        errors.extend(check_section(name, values))
    errors.extend(missing_nlp(config) if "nlp" not in config else [])
    errors.extend(_check_pipeline(config))
    return errors


def _check_pipeline(config: Dict[str, Any]) -> ErrorList:
    """nlp.pipeline, disabled and frozen/annotating components must name real components."""
    nlp = config.get("nlp") if isinstance(config.get("nlp"), dict) else {}
    components = config.get("components") if isinstance(config.get("components"), dict) else {}
    pipeline = nlp.get("pipeline") if isinstance(nlp.get("pipeline"), list) else []
    errors: ErrorList = []
    for name in pipeline:
        if isinstance(name, str) and name not in components:
            errors.append(("nlp.pipeline", (
                f"component {name!r} has no [components.{name}] block; add one "
                f"(with factory = \"...\") or remove {name!r} from the pipeline"
            )))
    checks = [("nlp", "disabled")]
    training = config.get("training")
    if isinstance(training, dict):
        checks += [("training", "frozen_components"), ("training", "annotating_components")]
    for section, key in checks:
        values = (config.get(section) or {}).get(key)
        for name in values if isinstance(values, list) else []:
            if name not in pipeline:
                errors.append((f"{section}.{key}", (
                    f"{name!r} is not in nlp.pipeline {pipeline}; "
                    f"list only pipeline components.{suggest(str(name), pipeline)}"
                )))
    for name, block in components.items():
        errors.extend(_check_component(name, block))
    return errors


def _check_component(name: str, block: Any) -> ErrorList:
    path = f"components.{name}"
    if not isinstance(block, dict):
        return [(path, f"must be a section [{path}] with factory = \"...\"")]
    if "factory" not in block and "source" not in block:
        return [(path, (
            "needs factory = \"<name>\" (build a new component) or source = \"<pipeline>\" "
            "(copy one from a saved pipeline)"
        ))]
    factory = block.get("factory")
    if "source" in block:
        return _check_sourced(path, block)
    if "replace_listeners" in block:
        return [(f"{path}.replace_listeners", (
            "applies only to a component copied from a saved pipeline (source = \"path\"); "
            "a component built here from its factory gets its own tok2vec from its model block "
            "(e.g. an inline heron.Tok2Vec.v1 instead of a listener), or from "
            "nlp.replace_listeners(...) in Python. Fix: remove the setting, or add source = ..."
        ))]
    if not isinstance(factory, str):
        return []
    registry.ensure_populated()
    if factory not in registry.factories:
        names = registry.get_names("factories")
        return [(f"{path}.factory", (
            f"unknown component factory {factory!r}.{suggest(factory, names)} "
            f"Available: {', '.join(names) or '(none registered)'}. "
            f"Use --code to import custom components"
        ))]
    return _check_args(registry.factories.get(factory), block, path,
                       what=f"component factory {factory!r}", skip=("nlp", "name", "factory"),
                       fill=factory_default_config(factory))


# What a [components.NAME] block that copies a component from a saved pipeline may set.
SOURCED_KEYS = ("source", "component", "replace_listeners")


def _check_sourced(path: str, block: Dict[str, Any]) -> ErrorList:
    """source = "path" blocks: known keys only (an unknown one would be ignored), and
    replace_listeners a list of dotted paths."""
    errors: ErrorList = []
    for key in block:
        if key == "factory":
            errors.append((f"{path}.factory", (
                "a block sets either factory (build a new component) or source (copy a trained "
                "one), not both. Fix: remove one of them")))
        elif key not in SOURCED_KEYS:
            errors.append((f"{path}.{key}", (
                f"a component copied with source = ... takes only {', '.join(SOURCED_KEYS)}; "
                f"{key!r} would be ignored.{suggest(key, list(SOURCED_KEYS))} Its other settings "
                f"come from the source pipeline. Fix: remove it, or build the component from "
                f"its factory instead")))
    paths = block.get("replace_listeners", [])
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        errors.append((f"{path}.replace_listeners", (
            f"expected a list of dotted listener paths, got {paths!r}. "
            f"Fix: e.g. replace_listeners = [\"model.tok2vec\"]")))
    return errors


def factory_default_config(factory: str) -> Dict[str, Any]:
    """A factory's default settings: its signature's defaults, then its default_config.

    default_config comes from `registry.get_factory_meta(name).default_config` (what
    `@registry.factory` / `@Language.factory` declared; empty for a factory
    registered by hand).
    """
    defaults: Dict[str, Any] = {}
    if not registry.has("factories", factory):
        return defaults
    func = registry.get("factories", factory)
    for name, param in inspect.signature(func).parameters.items():
        if name not in ("nlp", "name") and _is_config_value(param.default):
            defaults[name] = param.default
    defaults.update(registry.get_factory_meta(factory).default_config or {})
    return defaults


def _is_config_value(value: Any) -> bool:
    """Whether a signature default can be written into a config file (JSON)."""
    if value is inspect.Parameter.empty:
        return False
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


def _check_blocks(node: Any, path: str) -> ErrorList:
    """Check every registered-function block below `node`; paths are dotted from the root."""
    errors: ErrorList = []
    if not isinstance(node, dict):
        return errors
    if is_promise(node):
        errors.extend(_check_promise(node, path))
    for key, value in node.items():
        if isinstance(value, dict):
            errors.extend(_check_blocks(value, f"{path}.{key}" if path else key))
    return errors


def _check_promise(block: Dict[str, Any], path: str) -> ErrorList:
    refs = [k for k in block if k.startswith("@")]
    if len(refs) != 1:
        return [(path, f"a block may name only one registered function, got {refs}; keep one")]
    reg_name, func_name = refs[0][1:], block[refs[0]]
    where = f"{path}.{refs[0]}" if path else refs[0]
    if reg_name not in registry.names():
        names = list(registry.names())
        return [(where, Errors.E210.format(
            registry=reg_name, name=func_name, available=", ".join(names)
        ).split("] ", 1)[1] + suggest(reg_name, names))]
    registry.ensure_populated()
    if not isinstance(func_name, str) or not registry.has(reg_name, func_name):
        return [(where, _unknown_function(reg_name, func_name))]
    func = registry.get(reg_name, func_name)
    return _check_args(func, block, path, what=f"@{reg_name} = {func_name!r}")


def _check_args(
    func: Any, block: Dict[str, Any], path: str, *, what: str,
    skip: Tuple[str, ...] = (), fill: Optional[Dict[str, Any]] = None,
) -> ErrorList:
    """Unknown, missing and mistyped arguments of `func` given the settings in `block`."""
    try:
        schema = Schema.from_function(func)
    except (TypeError, ValueError):  # builtins without a signature: nothing to check
        return []
    params = inspect.signature(func).parameters.values()
    # `*args` come from the block's "*" sub-blocks (confection's positional arguments; each
    # is a function block checked on its own), not from a setting named after the parameter.
    positional = tuple(p.name for p in params if p.kind == inspect.Parameter.VAR_POSITIONAL)
    fields = {k: v for k, v in schema.model_fields.items() if k not in skip + positional}
    values = {k: v for k, v in block.items() if k not in skip and not (positional and k == "*")}
    for key, value in (fill or {}).items():
        values.setdefault(key, value)
    extra = any(p.kind == inspect.Parameter.VAR_KEYWORD for p in params)
    return check_fields(values, fields, path, extra=extra, what=what)
