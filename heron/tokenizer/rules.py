"""Tokenizer rules as data: pattern lists, special cases, and their compiled regexes.

A `TokenizerRules` holds only strings (regex sources and special-case dicts), so it
can be written to JSON and read back without executing code. `compile_*` turn the
pattern lists into the three search functions the engine calls, exactly like spaCy's
`util.compile_prefix_regex` & co.:

    prefix_search(string)   -> match anchored at the start (the prefix to split off)
    suffix_search(string)   -> match anchored at the end (the suffix to split off)
    infix_finditer(string)  -> iterator of matches inside the string (split points)
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from typing import Callable, Dict, Iterable, List, Optional

from ..errors import Errors, HeronTypeError, HeronValueError

# Token attributes a special case may set. ORTH pieces must concatenate to the string;
# NORM is the normalised form (e.g. "n't" -> "not").
SPECIAL_CASE_ATTRS = ("ORTH", "NORM")

SpecialCases = Dict[str, List[Dict[str, str]]]


def compile_prefix_regex(entries: Iterable[str]) -> re.Pattern:
    """One regex matching any of `entries` at the start of a string ("^a|^b|...")."""
    return _compile("|".join("^" + piece for piece in entries), "prefixes")


def compile_suffix_regex(entries: Iterable[str]) -> re.Pattern:
    """One regex matching any of `entries` at the end of a string ("a$|b$|...")."""
    return _compile("|".join(piece + "$" for piece in entries), "suffixes")


def compile_infix_regex(entries: Iterable[str]) -> re.Pattern:
    """One regex matching any of `entries` anywhere ("a|b|..."); use `.finditer`."""
    return _compile("|".join(entries), "infixes")


def _compile(pattern: str, what: str) -> re.Pattern:
    try:
        return re.compile(pattern)
    except re.error as err:
        raise HeronValueError(Errors.E101.format(what=what, err=err, pattern=pattern[:200])) from None


def validate_special_case(string: str, substrings: list) -> None:
    """Raise a coded error unless `substrings` is a list of {"ORTH": ...} dicts tiling `string`."""
    if not isinstance(string, str) or not string:
        raise HeronValueError(Errors.E102.format(string=repr(string)))
    if not isinstance(substrings, (list, tuple)) or not substrings:
        raise HeronTypeError(Errors.E103.format(string=string, got=repr(substrings)[:100]))
    for attrs in substrings:
        if not isinstance(attrs, dict) or not isinstance(attrs.get("ORTH"), str) or not attrs["ORTH"]:
            raise HeronTypeError(Errors.E103.format(string=string, got=repr(attrs)[:100]))
        unknown = sorted(set(attrs) - set(SPECIAL_CASE_ATTRS))
        if unknown:
            raise HeronValueError(Errors.E104.format(string=string, keys=unknown, allowed=list(SPECIAL_CASE_ATTRS)))
    orth = "".join(attrs["ORTH"] for attrs in substrings)
    if orth != string:
        raise HeronValueError(Errors.E100.format(string=string, orth=orth))


@dataclass
class TokenizerRules:
    """Everything that decides how a language is tokenized, as plain data.

    prefixes / suffixes / infixes (list[str]): regex sources; order does not matter for
        correctness but earlier alternatives win ties, so list longer patterns first.
    exceptions (dict[str, list[dict]]): special cases, e.g. {"don't": [{"ORTH": "do"},
        {"ORTH": "n't", "NORM": "not"}]}; matched on a whole whitespace-delimited chunk
        or on what remains of it after prefixes/suffixes are split off.
    token_match (str | None): regex; a chunk (or its core after affix splitting) that
        matches it entirely is never split further (checked before affixes).
    url_match (str | None): like token_match but checked only after prefixes/suffixes
        are split off, so "(https://x.org)" still loses its brackets.
    """

    prefixes: List[str] = field(default_factory=list)
    suffixes: List[str] = field(default_factory=list)
    infixes: List[str] = field(default_factory=list)
    exceptions: SpecialCases = field(default_factory=dict)
    token_match: Optional[str] = None
    url_match: Optional[str] = None

    def copy(self) -> "TokenizerRules":
        return copy.deepcopy(self)

    def prefix_search(self) -> Optional[Callable]:
        return compile_prefix_regex(self.prefixes).search if self.prefixes else None

    def suffix_search(self) -> Optional[Callable]:
        return compile_suffix_regex(self.suffixes).search if self.suffixes else None

    def infix_finditer(self) -> Optional[Callable]:
        return compile_infix_regex(self.infixes).finditer if self.infixes else None

    def token_match_fn(self) -> Optional[Callable]:
        return _compile(self.token_match, "token_match").match if self.token_match else None

    def url_match_fn(self) -> Optional[Callable]:
        return _compile(self.url_match, "url_match").match if self.url_match else None

    def validate(self) -> "TokenizerRules":
        for string, substrings in self.exceptions.items():
            validate_special_case(string, substrings)
        for name in ("prefixes", "suffixes", "infixes"):
            value = getattr(self, name)
            if isinstance(value, str) or not all(isinstance(p, str) for p in value):
                raise HeronTypeError(Errors.E105.format(name=name, got=repr(value)[:100]))
        return self


def pattern_of(func: Optional[Callable]) -> Optional[str]:
    """The regex source behind a bound `re.Pattern` method, or None if `func` is None.

    Raises E106 for arbitrary callables: they cannot be saved as data.
    """
    if func is None:
        return None
    owner = getattr(func, "__self__", None)
    if isinstance(owner, re.Pattern):
        return owner.pattern
    raise HeronValueError(Errors.E106.format(func=repr(func)[:100]))


__all__ = [
    "TokenizerRules", "compile_prefix_regex", "compile_suffix_regex", "compile_infix_regex",
    "validate_special_case", "pattern_of", "SPECIAL_CASE_ATTRS",
]
