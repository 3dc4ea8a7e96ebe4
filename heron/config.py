"""Load, override, validate, fill and resolve config files, with coded errors.

A heron config is a confection config: INI-style sections, JSON values,
`${section.key}` variables and `@registry = "name"` blocks that name registered
functions. This module is the single place that talks to confection, so every user
mistake surfaces as ONE `heron.errors.ConfigError` that names each offending
`section.key`, the expected type and the fix:

    config = load_config("config.cfg", overrides={"paths.train": "train.heron"})
    filled = fill_config(config)        # every default written in
    resolved = resolve_config(filled)   # registered functions called

`validate_config` checks the top-level sections against `heron.schemas` and every
function block against its function's signature; fill/resolve call it first.
"""
from __future__ import annotations

import configparser
import difflib
import importlib.util
import inspect
import json
import os
import re
import sys
import traceback
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

import catalogue
from confection import Config, ConfigValidationError, Schema
from confection.util import is_promise, try_load_json

from ._config_errors import (
    check_config_text,
    config_error,
    decode_config_bytes,
    empty_config_error,
    errors_in_file,
    locate_setting,
    missing_nlp,
    read_config_text,
)
from .errors import ConfigError, Errors, HeronError, Warnings, warn
from .registry import registry
from .schemas import (
    DEFAULT_SECTIONS,
    SECTION_SCHEMAS,
    check_fields,
    check_section,
    section_defaults,
    suggest,
)
from .util import atomic_write_text

PathLike = Union[str, "os.PathLike[str]"]
# Shipped defaults (owned by the Language package); schema defaults apply without it.
DEFAULT_CONFIG_PATH = Path(__file__).parent / "configs" / "default.cfg"
ErrorList = List[Tuple[str, str]]


# ---- loading ---------------------------------------------------------------------


def load_config(
    path: PathLike, overrides: Optional[Dict[str, Any]] = None, interpolate: bool = False
) -> Config:
    """Read a config file; `overrides` maps "section.key" to a value (see parse_cli_overrides).

    interpolate (bool): replace `${...}` variables now. Keep False (the default) to
        preserve variables when the config is filled and written back out.
    Path "-" reads the config from stdin.
    """
    if str(path) == "-":
        stdin = getattr(sys.stdin, "buffer", None)
        text = decode_config_bytes(stdin.read(), "<stdin>") if stdin is not None else sys.stdin.read()
        return load_config_from_str(text, overrides, interpolate, source="<stdin>", whole=True)
    path = Path(path)
    if not path.is_file():
        raise ConfigError(Errors.E201.format(path=path, cwd=Path.cwd()))
    text = read_config_text(path)
    return load_config_from_str(text, overrides, interpolate, source=str(path), whole=True)


def load_config_from_str(
    text: str,
    overrides: Optional[Dict[str, Any]] = None,
    interpolate: bool = False,
    *,
    source: str = "<string>",
    whole: bool = False,
) -> Config:
    """Parse config text; `source` names it in error messages (a file path or "<string>").

    whole (bool): the text is a whole config (a file): having no sections is an error.
    """
    overrides = dict(overrides or {})
    parser = _raw_parse(text, source)
    check_config_text(text, parser, source)
    if (whole or overrides) and not parser.sections():
        # Empty: say so before overrides are reported as naming unknown sections.
        raise empty_config_error(source)
    _check_overrides(overrides, parser)
    try:
        return Config().from_str(text, interpolate=interpolate, overrides=overrides)
    except (ConfigValidationError, configparser.Error, ValueError) as e:
        # ValueError: configparser's complaint about a malformed ${...} in an override.
        raise ConfigError(format_config_error(e, config_path=source)) from None


def _raw_parse(text: str, source: str) -> configparser.ConfigParser:
    """`text` parsed raw (no interpolation), to report syntax errors with their line."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # type: ignore[assignment]  # keys are case-sensitive
    try:
        parser.read_string(text, source=source)
    except configparser.Error as e:
        raise ConfigError(format_config_error(e, config_path=source)) from None
    return parser


def _check_overrides(overrides: Dict[str, Any], parser: configparser.ConfigParser) -> None:
    sections = parser.sections()
    for key in overrides:
        if "." not in key:
            raise ConfigError(Errors.E203.format(
                arg=f"--{key}", detail="whole top-level sections can't be overridden."
            ))
        section, name = key.rsplit(".", 1)
        if section not in sections:
            close = difflib.get_close_matches(section, sections, n=1, cutoff=0.6)
            hint = f" Did you mean --{close[0]}.{name}?" if close else ""
            raise ConfigError(Errors.E204.format(
                key=key, section=section, hint=hint, sections=", ".join(sections) or "(none)"))
        # A typo'd override (--paths.trian) would silently add a setting. Function
        # blocks legitimately gain arguments this way, so they don't warn; nor do
        # sections whose schema forbids unknown keys: validation reports those as
        # errors naming the override (see errors_in_file).
        options = parser.options(section)
        strict = section in SECTION_SCHEMAS and SECTION_SCHEMAS[section].model_config.get("extra") == "forbid"
        if name not in options and not strict and not any(o.startswith("@") for o in options):
            hint = suggest(name, options)
            warn(Warnings.W201.format(key=key, section=section, hint=hint))


# ---- command-line overrides ------------------------------------------------------


def parse_cli_overrides(args: Iterable[str]) -> Dict[str, Any]:
    """Turn ["--paths.train", "x.heron", "--training.max_epochs=5"] into a dict.

    Values are read like config values (JSON: 5, 0.1, true, null, ["a", "b"]);
    anything that isn't valid JSON is kept as a string, so paths need no quotes.
    An option with no value (`--training.flag`) means true. `-` in a key's last
    part becomes `_` (--training.max-epochs == --training.max_epochs).
    """
    args = list(args)
    result: Dict[str, Any] = {}
    while args:
        arg = args.pop(0)
        if not arg.startswith("--"):
            raise ConfigError(Errors.E203.format(
                arg=arg, detail="expected an option starting with '--'."
            ))
        key = arg[2:]
        if "=" in key:
            key, value = key.split("=", 1)
        elif not args or args[0].startswith("--"):
            value = "true"
        else:
            value = args.pop(0)
        if "." not in key or not all(key.split(".")):
            raise ConfigError(Errors.E203.format(
                arg=arg, detail="the name must be section.key (top-level sections can't be replaced)."
            ))
        section, name = key.rsplit(".", 1)
        result[f"{section}.{name.replace('-', '_')}"] = _parse_value(value)
    return result


def _parse_value(value: str) -> Any:
    parsed = try_load_json(value)
    # Python spellings are a common slip on the command line; accept them.
    return {"True": True, "False": False, "None": None}.get(parsed, parsed) if isinstance(parsed, str) else parsed


# ---- user code -------------------------------------------------------------------


def import_code(path: Optional[PathLike]) -> None:
    """Import a Python file so the functions it registers can be named in configs.

    None does nothing. A missing file or one that fails to import raises a
    ConfigError naming the file (and the line, for errors raised in it).
    """
    if path is None or str(path) == "":
        return
    # Built-ins first, so that user code may deliberately replace one of them.
    registry.ensure_populated()
    path = Path(path)
    if not path.is_file():
        raise ConfigError(Errors.E205.format(path=path))
    name = f"heron_user_code.{path.stem}"
    spec = importlib.util.spec_from_file_location(name, str(path))
    if spec is None or spec.loader is None:
        raise ConfigError(Errors.E206.format(path=path, line="", detail="not a Python file."))
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as e:  # any failure in user code is the user's to fix: name it
        sys.modules.pop(name, None)
        line = _line_in_file(e, path)
        detail = f"{type(e).__name__}: {e}"
        raise ConfigError(Errors.E206.format(path=path, line=line, detail=detail)) from e


def _line_in_file(exc: BaseException, path: Path) -> str:
    if isinstance(exc, SyntaxError) and exc.lineno:
        return f" (line {exc.lineno})"
    target = str(path.resolve())
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if os.path.abspath(frame.filename) == target:
            return f" (line {frame.lineno})"
    return ""


# ---- validation ------------------------------------------------------------------


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


def _unknown_function(reg_name: str, func_name: Any) -> str:
    close = registry.suggest(reg_name, str(func_name))
    if close:
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?"
    else:
        hint = f" (registered: {', '.join(registry.get_names(reg_name)) or 'none'})."
    return f"@{reg_name} = {func_name!r} is not registered{hint} Use --code to import custom functions"


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


# ---- fill and resolve ------------------------------------------------------------


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


# ---- writing ---------------------------------------------------------------------


def config_to_str(config: Union[Config, Dict[str, Any]], *, interpolate: bool = False) -> str:
    """Serialise a config with each section followed by its subsections.

    confection writes sections breadth-first ([components] ... [components.ner.model]
    far apart); a reader expects [components.ner] right above [components.ner.model].
    """
    config = config if isinstance(config, Config) else Config(config)
    text = config.to_str(interpolate=interpolate)
    chunks: Dict[str, str] = {}
    name = None
    for line in text.splitlines(keepends=True):
        if line.startswith("[") and line.rstrip().endswith("]"):
            name = line.strip()[1:-1]
            chunks[name] = ""
        if name is not None:
            chunks[name] += line
    order = [n for n in _section_paths(config, ()) if n in chunks]
    order += [n for n in chunks if n not in order]
    return "\n\n".join(chunks[n].strip() for n in order) + "\n"


def _section_paths(node: Dict[str, Any], path: Tuple[str, ...]) -> List[str]:
    names = []
    for key, value in node.items():
        if isinstance(value, dict):
            names.append(".".join(path + (key,)))
            names.extend(_section_paths(value, path + (key,)))
    return names


def save_config(config: Union[Config, Dict[str, Any]], path: PathLike) -> None:
    """Write `config` to `path` atomically (variables kept); "-" writes to stdout."""
    text = config_to_str(config)
    if str(path) == "-":
        sys.stdout.write(text)
    else:
        atomic_write_text(path, text)


# ---- error formatting ------------------------------------------------------------

_REGISTRY_RE = re.compile(r"find '(.+?)' in registry \w+ -> (\w+)")
_LINE_RE = re.compile(r"\[line\s+(\d+)\]|line:? (\d+)")


def format_config_error(exc: BaseException, config_path: Optional[PathLike] = None) -> str:
    """A one-paragraph, coded message for any config error (parse, validation, registry)."""
    source = str(config_path) if config_path is not None else None
    if isinstance(exc, ConfigError):
        return str(exc)
    if isinstance(exc, configparser.Error) or (
        isinstance(exc, ConfigValidationError) and not exc.errors and exc.desc
    ):
        text = _short(exc)
        if isinstance(exc, configparser.InterpolationError) or "interpolat" in text.lower():
            return Errors.E208.format(where=f" in {source}" if source else "", detail=text)
        match = _LINE_RE.search(str(exc))
        line_no = getattr(exc, "lineno", None) or (match and (match.group(1) or match.group(2)))
        line = f", line {line_no}" if line_no else ""
        return Errors.E202.format(path=source or "<string>", line=line, detail=text)
    if isinstance(exc, ConfigValidationError):
        errors = [(".".join(str(p) for p in e.get("loc", [])) or "config", str(e.get("msg")))
                  for e in exc.errors or []]
        where = f" in {source}" if source else ""
        return str(config_error(errors or [("config", _short(exc))], where))
    if isinstance(exc, catalogue.RegistryError):
        match = _REGISTRY_RE.search(str(exc))
        detail = _unknown_function(match.group(2), match.group(1)) if match else str(exc)
        return Errors.E207.format(where=f" in {source}" if source else "", n=1, s="", errors=f"  - {detail}")
    return f"{type(exc).__name__}: {exc}"


def _short(exc: BaseException) -> str:
    """The useful part of a confection/configparser message, on one line."""
    if isinstance(exc, ConfigValidationError):
        parts = [exc.title or "", exc.desc or ""]
        parts += [f"{'.'.join(map(str, e.get('loc', [])))}: {e.get('msg')}" for e in exc.errors or []]
        text = " ".join(p for p in parts if p and p != "Config validation error")
    else:
        text = str(exc)
    text = text.replace("Make sure the sections and values are formatted correctly.", "")
    return " ".join(text.split())


__all__ = [
    "load_config", "load_config_from_str", "parse_cli_overrides", "import_code",
    "fill_config", "resolve_config", "validate_config", "format_config_error",
    "config_to_str", "save_config", "errors_in_file", "locate_setting",
]
