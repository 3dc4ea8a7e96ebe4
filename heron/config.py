"""Load, override, validate, fill and resolve config files, with coded errors.

A heron config is a confection config: INI-style sections, JSON values,
`${section.key}` variables and `@registry = "name"` blocks that name registered
functions. This module (with the private modules below) is the single place that talks
to confection, so every user mistake surfaces as ONE `heron.errors.ConfigError` that
names each offending `section.key`, the expected type and the fix:

    config = load_config("config.cfg", overrides={"paths.train": "train.heron"})
    filled = fill_config(config)        # every default written in
    resolved = resolve_config(filled)   # registered functions called

`validate_config` checks the top-level sections against `heron.schemas` and every
function block against its function's signature; fill/resolve call it first.

This module holds filling and resolving, and re-exports the rest, so that every name is
imported from here:
- `heron._config_io`: load_config(_from_str), parse_cli_overrides, import_code,
  config_to_str, save_config;
- `heron._config_validate`: validate_config, factory_default_config;
- `heron._config_messages`: format_config_error;
- `heron._config_errors`: raw-text checks, errors_in_file, locate_setting.
"""
from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any, Dict, Union

import catalogue
from confection import Config, ConfigValidationError

from ._config_errors import (
    ErrorList,
    config_error,
    empty_config_error,
    errors_in_file,
    locate_setting,
    missing_nlp,
)
from ._config_io import (
    PathLike,  # noqa: F401  (re-exported: heron.config.PathLike)
    config_to_str,
    import_code,
    load_config,
    load_config_from_str,
    parse_cli_overrides,
    save_config,
)
from ._config_messages import format_config_error
from ._config_validate import (
    SOURCED_KEYS,  # noqa: F401  (re-exported: heron.config.SOURCED_KEYS)
    factory_default_config,
    validate_config,
)
from .errors import ConfigError, HeronError
from .registry import registry
from .schemas import DEFAULT_SECTIONS, SECTION_SCHEMAS, section_defaults

# Shipped defaults (owned by the Language package); schema defaults apply without it.
DEFAULT_CONFIG_PATH = Path(__file__).parent / "configs" / "default.cfg"


def fill_config(
    config: Union[Config, Dict[str, Any]], *, validate: bool = True, sections: bool = True
) -> Config:
    """Return a copy of `config` with every default written in.

    Fills missing top-level sections and settings from heron.schemas, component
    settings from their factory's default_config, and every registered function's
    default arguments. Variables (${...}) are kept. validate (bool): raise ONE
    ConfigError for everything wrong first (recommended). sections (bool): treat
    `config` as a whole config (False: a fragment; only function blocks are filled).
    """
    config = config if isinstance(config, Config) else Config(config)
    missing: ErrorList = []
    if sections:
        if validate and not config:
            raise empty_config_error()
        missing = missing_nlp(config)
        config = _fill_sections(config)
    if validate:
        _validate_filled(config, sections, missing)
    try:
        return registry.fill(config, validate=False)
    except (ConfigValidationError, catalogue.RegistryError, configparser.Error) as e:
        raise ConfigError(format_config_error(e)) from None


def _validate_filled(config: Config, sections: bool, missing: ErrorList) -> None:
    """validate_config, reporting a missing [nlp]/lang as such, not as the filled-in null."""
    try:
        validate_config(config, sections=sections)
    except ConfigError as e:
        if not missing:
            raise
        keys = tuple(key for key, _ in missing)
        others = [(k, m) for k, m in e.errors if not (k in keys or k.startswith(tuple(f"{x}." for x in keys)))]
        raise config_error(missing + others) from None
    if missing:
        raise config_error(missing)


def _fill_sections(config: Config) -> Config:
    defaults = Config({name: section_defaults(name) for name in DEFAULT_SECTIONS}, is_interpolated=False)
    if DEFAULT_CONFIG_PATH.is_file():  # the shipped defaults refine the schema's
        defaults = defaults.merge(load_config(DEFAULT_CONFIG_PATH))
    for name, block in (config.get("components") or {}).items():
        factory = block.get("factory") if isinstance(block, dict) else None
        if isinstance(factory, str):
            defaults["components"][name] = factory_default_config(factory)
    order = [s for s in SECTION_SCHEMAS if s in defaults or s in config]
    filled = Config(defaults, is_interpolated=False).merge(config)
    # merge() keeps the defaults' key order; put sections in canonical order.
    ordered = {k: filled[k] for k in order if k in filled}
    ordered.update({k: v for k, v in filled.items() if k not in ordered})
    result = Config(ordered, is_interpolated=False, section_order=order)
    # Defaults may hold variables (seed = ${system.seed}); an already-interpolated
    # config must stay interpolated.
    return result.interpolate() if config.is_interpolated else result


def resolve_config(
    config: Union[Config, Dict[str, Any]], *, validate: bool = True, sections: bool = True
) -> Dict[str, Any]:
    """Fill `config`, then call every registered function; returns a plain dict.

    Exceptions raised inside a registered function propagate unchanged: a
    HeronError already names its fix, and anything else is a bug to see in full.
    """
    filled = fill_config(config, validate=validate, sections=sections)
    try:
        return registry.resolve(filled, validate=False)
    except HeronError:
        raise
    except (ConfigValidationError, catalogue.RegistryError, configparser.Error) as e:
        raise ConfigError(format_config_error(e)) from None


__all__ = [
    "load_config", "load_config_from_str", "parse_cli_overrides", "import_code",
    "fill_config", "resolve_config", "validate_config", "format_config_error",
    "config_to_str", "save_config", "errors_in_file", "locate_setting",
]
