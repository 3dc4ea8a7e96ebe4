"""Config text in and out: load (with overrides), command-line overrides, --code, write.

Reading checks the raw text first (`heron._config_errors`) so a syntax mistake names its
file and line, and checks each `--section.key` override against the sections the text
has; writing puts each section right above its subsections and replaces the file
atomically. `import_code` lives here too: it is how a config's registered functions that
live in the user's own Python file get registered before the config is read.
"""
from __future__ import annotations

import configparser
import difflib
import importlib.util
import os
import sys
import traceback
from pathlib import Path
from typing import Any, Dict, Iterable, List, Optional, Tuple, Union

from confection import Config, ConfigValidationError
from confection.util import try_load_json

from ._config_errors import (
    check_config_text,
    decode_config_bytes,
    empty_config_error,
    read_config_text,
)
from ._config_messages import format_config_error
from .errors import ConfigError, Errors, Warnings, warn
from .registry import registry
from .schemas import SECTION_SCHEMAS, suggest
from .util import atomic_write_text

PathLike = Union[str, "os.PathLike[str]"]


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
