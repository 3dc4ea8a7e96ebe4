"""Coded, one-paragraph messages for the exceptions confection and its helpers raise.

confection reports a config mistake as a configparser.Error, a ConfigValidationError or a
catalogue.RegistryError, each worded for confection's own internals. `format_config_error`
turns any of them into heron's coded message (E202 syntax, E207 validation/registry,
E208 variables); `heron.config` and its loading and validation modules all word their
errors through here, so one mistake reads the same wherever it is found.
"""
from __future__ import annotations

import configparser
import re
from typing import TYPE_CHECKING, Any, Optional

import catalogue
from confection import ConfigValidationError

from ._config_errors import config_error
from .errors import ConfigError, Errors
from .registry import registry

if TYPE_CHECKING:
    from ._config_io import PathLike

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


# Here, not with validation: an unknown `@registry = "name"` reads the same whether
# heron's validation finds it or confection raises a RegistryError for it.
def _unknown_function(reg_name: str, func_name: Any) -> str:
    close = registry.suggest(reg_name, str(func_name))
    if close:
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?"
    else:
        hint = f" (registered: {', '.join(registry.get_names(reg_name)) or 'none'})."
    return f"@{reg_name} = {func_name!r} is not registered{hint} Use --code to import custom functions"

