"""Turn Matcher pattern dicts into TokenSpecs (tests + quantifier), with coded errors.

Every error names the key, the pattern's index in the list passed to `add` and the
token's index in that pattern, so a bad entry in a long pattern file can be found.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

from ..errors import Errors, HeronValueError
from ._attrs import BOOL_ATTRS, GETTERS, INT_ATTRS, STRING_ATTRS, Columns, normalize_attr

UNBOUNDED = 1 << 62
_OPS = {"?": (0, 1), "*": (0, UNBOUNDED), "+": (1, UNBOUNDED), "1": (1, 1), "!": (1, 1)}
_RANGE_OP = re.compile(r"^\{(\d*)(,?)(\d*)\}$")
_COMPARE: Dict[str, Callable[[Any, Any], bool]] = {
    "==": lambda a, b: a == b, "!=": lambda a, b: a != b, ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b, ">": lambda a, b: a > b, "<": lambda a, b: a < b,
}
_SET_OPS = ("IS_SUBSET", "IS_SUPERSET", "INTERSECTS")
PREDICATES = ("IN", "NOT_IN", "REGEX", *_COMPARE, *_SET_OPS)
Test = Callable[[Any], bool]


@dataclass
class TokenSpec:
    """One compiled token of a pattern: all tests must pass (or none, for OP "!")."""

    tests: List[Tuple[Any, Test]] = field(default_factory=list)  # (attr or ("_", name), test)
    min_count: int = 1
    max_count: int = 1
    negate: bool = False
    # (attr, value) of an exact string test: lets the Matcher index patterns by their
    # first token instead of trying every pattern at every position.
    exact: Optional[Tuple[str, str]] = None

    def matches(self, cols: Columns, i: int) -> bool:
        ok = True
        for attr, test in self.tests:
            col = cols.get_ext(attr[1]) if isinstance(attr, tuple) else cols.get(attr)
            if not test(col[i]):
                ok = False
                break
        return ok != self.negate


class _Where:
    """Names the place at fault in error messages."""

    def __init__(self, key: Any, i: int, j: Any):
        self.key, self.i, self.j = key, i, j

    def fail(self, attr: str, detail: str) -> HeronValueError:
        return HeronValueError(Errors.E333.format(
            key=self.key, i=self.i, j=self.j, attr=attr, detail=detail
        ))


def compile_pattern(pattern: Any, i: int, key: Any, validate: bool) -> List[TokenSpec]:
    """Compile pattern number `i` of `key`; raises E330-E333 for malformed input."""
    if not isinstance(pattern, (list, tuple)) or not pattern or not all(
        isinstance(t, dict) for t in pattern
    ):
        raise HeronValueError(Errors.E330.format(
            i=i, key=key, pattern=repr(pattern)[:80],
            detail="a pattern must be a non-empty list of dicts, one per token",
        ))
    return [_compile_token(spec, _Where(key, i, j), validate) for j, spec in enumerate(pattern)]


def compile_token(spec: Dict[str, Any], key: Any, i: int, j: Any, validate: bool) -> TokenSpec:
    """Compile one token dict on its own (the DependencyMatcher's node attributes).

    `j` names the token in error messages; it may be text such as "1 (RIGHT_ID 'verb')".
    """
    return _compile_token(spec, _Where(key, i, j), validate)


def _compile_token(spec: Dict[str, Any], where: _Where, validate: bool) -> TokenSpec:
    token = TokenSpec()
    for name, value in spec.items():
        if name == "OP":
            token.min_count, token.max_count, token.negate = _parse_op(value, where)
        elif name == "_":
            token.tests.extend(_compile_extensions(value, where, validate))
        else:
            attr = normalize_attr(name)
            if attr not in GETTERS:
                raise HeronValueError(Errors.E331.format(
                    key=where.key, i=where.i, j=where.j, attr=name,
                    hint=_hint(attr, list(GETTERS) + ["TEXT", "OP", "_"]),
                    supported=", ".join(sorted(GETTERS)),
                ))
            token.tests.append((attr, _compile_value(attr, value, where, validate)))
            if token.exact is None and attr in STRING_ATTRS and isinstance(value, str):
                token.exact = (attr, value)
    if token.negate or token.min_count == 0:
        token.exact = None  # the token may be absent or must NOT equal the value
    return token


def _parse_op(op: Any, where: _Where) -> Tuple[int, int, bool]:
    if isinstance(op, str) and op in _OPS:
        low, high = _OPS[op]
        return low, high, op == "!"
    match = _RANGE_OP.match(op) if isinstance(op, str) else None
    if match and (match.group(1) or match.group(3)):
        low_s, comma, high_s = match.groups()
        low = int(low_s) if low_s else 0
        high = (int(high_s) if high_s else UNBOUNDED) if comma else low
        if high >= low:
            return low, high, False
    raise HeronValueError(Errors.E332.format(key=where.key, i=where.i, j=where.j, op=op))


def _compile_value(attr: str, value: Any, where: _Where, validate: bool) -> Test:
    if isinstance(value, dict):
        return _compile_predicates(attr, value, where, validate)
    if validate:
        _check_type(attr, value, where)
    if attr in BOOL_ATTRS and attr != "SENT_START":
        wanted = bool(value)
        return lambda v: v == wanted
    if attr == "SENT_START":
        return lambda v: v is not None and bool(v) == bool(value)
    return lambda v: v == value


def _check_type(attr: str, value: Any, where: _Where) -> None:
    if attr in STRING_ATTRS and not isinstance(value, str):
        raise where.fail(attr, f"expected a string, got {value!r}")
    if attr in BOOL_ATTRS and not isinstance(value, bool):
        raise where.fail(attr, f"expected true or false, got {value!r}")
    if attr in INT_ATTRS and (isinstance(value, bool) or not isinstance(value, int)):
        raise where.fail(attr, f"expected an integer, got {value!r}")


def _compile_predicates(attr: str, preds: Dict[str, Any], where: _Where, validate: bool) -> Test:
    if not preds:
        raise where.fail(attr, "empty predicate dict; use a value or e.g. {\"IN\": [...]}")
    tests = [_compile_predicate(attr, op, arg, where, validate) for op, arg in preds.items()]
    if len(tests) == 1:
        return tests[0]
    return lambda v: all(t(v) for t in tests)


def _compile_predicate(attr: str, op: str, arg: Any, where: _Where, validate: bool) -> Test:
    if op in ("IN", "NOT_IN"):
        if not isinstance(arg, (list, tuple, set)):
            raise where.fail(attr, f"{op} takes a list of values, got {arg!r}")
        if validate:
            for item in arg:
                _check_type(attr, item, where)
        values = set(arg)
        return (lambda v: v in values) if op == "IN" else (lambda v: v not in values)
    if op == "REGEX":
        if not isinstance(arg, str):
            raise where.fail(attr, f"REGEX takes a regular expression string, got {arg!r}")
        try:
            search = re.compile(arg).search
        except re.error as e:
            raise where.fail(attr, f"invalid regular expression {arg!r}: {e}") from None
        return lambda v: v is not None and search(str(v)) is not None
    if op in _COMPARE:
        return _compile_compare(attr, op, arg, where)
    if op in _SET_OPS:
        return _compile_set_op(attr, op, arg, where)
    raise where.fail(attr, (
        f"unknown predicate {op!r}.{_hint(op, list(PREDICATES))} "
        f"Supported: {', '.join(PREDICATES)}"
    ))


def _compile_compare(attr: str, op: str, arg: Any, where: _Where) -> Test:
    if attr not in INT_ATTRS and attr != "_" and op not in ("==", "!="):
        raise where.fail(attr, f"{op} compares numbers; use it with LENGTH or an extension")
    if op in ("==", "!=") and attr not in INT_ATTRS:
        compare = _COMPARE[op]
        return lambda v: compare(v, arg)
    if isinstance(arg, bool) or not isinstance(arg, (int, float)):
        raise where.fail(attr, f"{op} takes a number, got {arg!r}")
    compare = _COMPARE[op]
    return lambda v: isinstance(v, (int, float)) and compare(v, arg)


def _compile_set_op(attr: str, op: str, arg: Any, where: _Where) -> Test:
    if not isinstance(arg, (list, tuple, set)):
        raise where.fail(attr, f"{op} takes a list of values, got {arg!r}")
    wanted = set(arg)

    def as_set(v: Any) -> set:
        if v is None or v == "":
            return set()
        if attr == "MORPH":  # "Case=Nom|Number=Sing" -> features
            return set(str(v).split("|"))
        return set(v) if isinstance(v, (list, tuple, set)) else {v}

    if op == "IS_SUBSET":
        return lambda v: as_set(v) <= wanted
    if op == "IS_SUPERSET":
        return lambda v: as_set(v) >= wanted
    return lambda v: bool(as_set(v) & wanted)


def _compile_extensions(value: Any, where: _Where, validate: bool) -> List[Tuple[Any, Test]]:
    if not isinstance(value, dict) or not value:
        raise where.fail("_", f"expected a dict of extension name -> value, got {value!r}")
    tests = []
    for name, ext_value in value.items():
        if isinstance(ext_value, dict):
            test = _compile_predicates("_", ext_value, where, validate=False)
        else:
            test = (lambda wanted: (lambda v: v == wanted))(ext_value)
        tests.append((("_", name), test))
    return tests


def _hint(name: str, options: Sequence[str]) -> str:
    close = difflib.get_close_matches(str(name).upper(), list(options), n=1, cutoff=0.6)
    return f" Did you mean {close[0]!r}?" if close else ""


__all__ = ["TokenSpec", "compile_pattern", "compile_token", "PREDICATES", "UNBOUNDED"]
