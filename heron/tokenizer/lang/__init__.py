"""Registry of per-language tokenizer rules.

`get_lang_defaults(code)` returns a fresh `TokenizerRules` for a language code; add a
language with `register_lang(code, get_rules)` or a `heron/tokenizer/lang/<code>/`
package exposing `get_rules()`.
"""
from __future__ import annotations

import importlib
from typing import Callable, Dict, List

from ...errors import Errors, HeronValueError
from ..rules import TokenizerRules

_BUILTIN = ("en", "xx")
_CUSTOM: Dict[str, Callable[[], TokenizerRules]] = {}


def register_lang(code: str, get_rules: Callable[[], TokenizerRules]) -> None:
    """Make `get_lang_defaults(code)` return `get_rules()` (a fresh TokenizerRules each call)."""
    _CUSTOM[code] = get_rules


def available_langs() -> List[str]:
    return sorted(set(_BUILTIN) | set(_CUSTOM))


def get_lang_defaults(code: str) -> TokenizerRules:
    """Fresh tokenizer rules for `code` ("en", "xx", ...); raises E108 for unknown codes.

    The result is a copy: modify its `prefixes`/`suffixes`/`infixes`/`exceptions` lists
    freely and pass it to `Tokenizer(vocab, rules)`.
    """
    if code in _CUSTOM:
        return _CUSTOM[code]()
    if code not in _BUILTIN:
        raise HeronValueError(Errors.E108.format(lang=code, available=available_langs()))
    module = importlib.import_module(f"{__name__}.{code}")
    return module.get_rules()


__all__ = ["get_lang_defaults", "register_lang", "available_langs"]
