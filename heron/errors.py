"""Coded, actionable errors and warnings.

Every user-facing mistake raises a subclass of `HeronError` whose message starts
with its code, e.g. "[E201] ...", names the file/line, config key or argument at
fault, and says how to fix it. Codes are grouped by area so that several people
can add codes without colliding:

    E001-E099  tokens (Doc, Token, Span, Vocab, DocBin, extensions)
    E100-E149  tokenizer
    E200-E299  registry and config
    E300-E399  Language, pipeline components, serialisation
    E400-E499  CLI and corpus conversion
    W001-...   warnings (same grouping by hundreds)

Use: `raise Errors.E001(name="foo")` style is NOT used; instead each area defines
its messages as format strings in the `Errors` class below and raises
`HeronError(Errors.E001.format(...))` or a more specific subclass.
"""
from __future__ import annotations

import warnings


class HeronError(Exception):
    """Base class of every error heron raises for a user mistake."""


class HeronValueError(HeronError, ValueError):
    pass


class HeronKeyError(HeronError, KeyError):
    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class HeronTypeError(HeronError, TypeError):
    pass


class ConfigError(HeronValueError):
    """A config file or override is invalid. `.errors` lists (section.key, message)."""

    def __init__(self, message: str, errors: list[tuple[str, str]] | None = None):
        super().__init__(message)
        self.errors = errors or []


class DataError(HeronValueError):
    """Malformed input data. `.path` and `.line` name the place at fault."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None):
        super().__init__(message)
        self.path = path
        self.line = line


class HeronWarning(UserWarning):
    pass


def warn(message: str) -> None:
    warnings.warn(message, HeronWarning, stacklevel=3)


class Errors:
    # ---- E001-E099 tokens -------------------------------------------------
    # ---- E100-E149 tokenizer ----------------------------------------------
    # ---- E200-E299 registry and config ------------------------------------
    # ---- E300-E399 Language, pipeline, serialisation ----------------------
    # ---- E400-E499 CLI and conversion -------------------------------------
    pass


class Warnings:
    # ---- W001-W099 tokens --------------------------------------------------
    # ---- W100-W149 tokenizer -----------------------------------------------
    # ---- W200-W299 registry and config -------------------------------------
    # ---- W300-W399 Language, pipeline --------------------------------------
    # ---- W400-W499 CLI and conversion --------------------------------------
    pass
