"""A static check that keeps regular expressions read from files from hanging the process.

Python's `re` backtracks. A pattern such as `^(a+)+$` needs time exponential in the input
length to reject "aaaa...b" (26 a's: seconds; 40: hours), and `re` cannot be interrupted.
Tokenizer rules and entity-ruler patterns are saved as regex sources in pipeline folders,
so a folder from someone else could carry such a pattern. heron's trust boundary:

- patterns given in code (`Tokenizer(..., token_match=...)`, `ruler.add_patterns(...)` from
  Python) are the user's own code and are compiled as given;
- patterns read from a pipeline folder, bytes or a config (`from_disk`, `from_bytes`,
  `heron.load`) are data: each one is checked here before it is compiled, unless it is
  one of heron's own built-in tokenizer patterns.

The check rejects the shapes that cause exponential backtracking: a repeated group whose
body can itself match in more than one way (a nested quantifier such as `(a+)+`,
`(a*b?)*`, or alternatives that can start with the same character, `(a|ab)+`), unless
each repetition is pinned by a delimiter: a required first or last character that
nothing else in the body can match (`(?:[a-z0-9]+\\.)+` is fine: every repetition ends
at its own "."). Possessive quantifiers (`(?:a+)++`) and atomic groups (`(?>(a+)+)`)
never backtrack into the repetition and are accepted. Polynomial patterns (`\\w*\\w*\\w*$`)
are not exponential and are accepted. The check is conservative: a rejected pattern can
always be rewritten with a possessive quantifier or an atomic group.
"""
from __future__ import annotations

import re
from typing import Callable, Iterable, List, Optional, Set

try:  # Python 3.11+
    import re._constants as _c
    import re._parser as _parser
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _parser  # type: ignore[no-redef]

from .errors import Errors, HeronValueError

_REPEATS = {_c.MAX_REPEAT, _c.MIN_REPEAT}
_POSSESSIVE = getattr(_c, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(_c, "ATOMIC_GROUP", None)
# A bounded outer repeat ({2,10}) multiplies the work by a constant at most; only larger
# or unbounded repetition can blow up.
_SMALL_REPEAT = 10
# Characters tried when deciding whether two character sets overlap: everything up to
# U+3000 plus every character the pattern names (literals and range ends).
_SAMPLE_LIMIT = 0x3000

CharTest = Callable[[str], bool]
# Patterns that passed (a customised English tokenizer's combined patterns take ~0.2 s
# to check; a process that loads many pipelines checks each once).
_CHECKED: Set[str] = set()


def check_regex(pattern: str, *, where: str) -> None:
    """Raise E110 if `pattern` can backtrack exponentially (see the module docstring).

    where (str): what to name in the error, e.g. "tokenizer file x/tokenizer, key 'token_match'".
    """
    if pattern in _CHECKED:
        return
    try:
        parsed = _parser.parse(pattern)
    except re.error as err:
        raise HeronValueError(Errors.E111.format(where=where, err=err, pattern=pattern[:200])) from None
    checker = _Checker(pattern, ignorecase=_uses_ignorecase(parsed))
    problem = checker.find_problem(list(parsed), protected=False)
    if problem is not None:
        raise HeronValueError(Errors.E110.format(where=where, problem=problem, pattern=pattern[:200]))
    if len(_CHECKED) < 10_000:
        _CHECKED.add(pattern)


def compile_checked(pattern: str, *, where: str) -> re.Pattern:
    """`re.compile(pattern)` after `check_regex` (for patterns read from files)."""
    check_regex(pattern, where=where)
    return re.compile(pattern)


class _Checker:
    def __init__(self, pattern: str, ignorecase: bool):
        self.sample = _sample_chars(pattern)
        self.ignorecase = ignorecase

    # ---- structure ---------------------------------------------------------------
    def find_problem(self, nodes: List, protected: bool) -> Optional[str]:
        """First exponential shape in `nodes`, described for the error, or None."""
        for op, arg in nodes:
            if op in _REPEATS or op == _POSSESSIVE:
                low, high, body = arg
                body = list(body)
                repeats = high == _c.MAXREPEAT or high > _SMALL_REPEAT
                if repeats and op in _REPEATS and not protected:
                    problem = self.ambiguous_repeat(body)
                    if problem:
                        return problem
                # Inside a possessive repeat the body still backtracks within one try.
                found = self.find_problem(body, protected=False)
                if found:
                    return found
            elif op == _ATOMIC:
                found = self.find_problem(list(arg), protected=True)
                if found:
                    return found
            else:
                for child in _children(op, arg):
                    found = self.find_problem(child, protected=protected and op == _c.SUBPATTERN)
                    if found:
                        return found
        return None

    def ambiguous_repeat(self, body: List) -> Optional[str]:
        """Why repeating `body` is ambiguous, or None when every split is forced."""
        if not self.variable(body):
            return None
        if self.delimited(body):
            return None
        return ("a repeated group whose body can match in more than one way "
                "(a nested quantifier or overlapping alternatives)")

    def variable(self, nodes: List) -> bool:
        """True if `nodes` can match strings in more than one way or of several lengths."""
        for op, arg in nodes:
            if op in _REPEATS or op == _POSSESSIVE:
                low, high, body = arg
                if low != high or self.variable(list(body)):
                    return True
            elif op == _c.BRANCH:
                branches = [list(b) for b in arg[1]]
                if any(self.variable(b) for b in branches) or self.overlapping_starts(branches):
                    return True
            elif op == _c.SUBPATTERN:
                if self.variable(list(arg[-1])):
                    return True
            elif op == _ATOMIC:
                continue  # matches one way once entered
            elif op == _c.GROUPREF_EXISTS:
                return True
        return False

    def overlapping_starts(self, branches: List[List]) -> bool:
        tests = [self.first_chars(b) for b in branches]
        for i in range(len(tests)):
            for j in range(i + 1, len(tests)):
                if tests[i] is None or tests[j] is None or self.overlap(tests[i], tests[j]):
                    return True
        return False

    def delimited(self, body: List) -> bool:
        """True if the body's required first or last item is a single character that no
        other item of the body can match: each repetition then starts/ends at one of those
        characters, which fixes where the repetitions split."""
        consuming = [(op, arg) for op, arg in body if op not in (_c.AT, _c.ASSERT, _c.ASSERT_NOT)]
        if len(consuming) < 2:
            return False
        for delimiter, rest in ((consuming[0], consuming[1:]), (consuming[-1], consuming[:-1])):
            test = self.single_char(*delimiter)
            if test is None:
                continue
            others = [self.all_chars([node]) for node in rest]
            if all(other is not None and not self.overlap(test, other) for other in others):
                return True
        return False

    # ---- character sets ----------------------------------------------------------
    def single_char(self, op, arg) -> Optional[CharTest]:
        if op == _c.LITERAL:
            return lambda ch, c=chr(arg): ch == c
        if op == _c.NOT_LITERAL:
            return lambda ch, c=chr(arg): ch != c
        if op == _c.ANY:
            return lambda ch: ch != "\n"
        if op == _c.IN:
            return _in_test(arg)
        return None

    def first_chars(self, nodes: List) -> Optional[CharTest]:
        """What the first consumed character of `nodes` can be (None = unknown: anything)."""
        tests: List[CharTest] = []
        for op, arg in nodes:
            if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
                continue
            single = self.single_char(op, arg)
            if single is not None:
                return _union(tests + [single])
            if op in _REPEATS or op == _POSSESSIVE:
                inner = self.first_chars(list(arg[2]))
                if inner is None:
                    return None
                tests.append(inner)
                if arg[0] > 0:
                    return _union(tests)
                continue  # optional: the next item may come first
            if op == _c.SUBPATTERN:
                inner = self.first_chars(list(arg[-1]))
            elif op == _ATOMIC:
                inner = self.first_chars(list(arg))
            elif op == _c.BRANCH:
                parts = [self.first_chars(list(b)) for b in arg[1]]
                inner = None if any(p is None for p in parts) else _union(parts)
            else:
                return None
            if inner is None:
                return None
            return _union(tests + [inner])
        return _union(tests) if tests else None

    def all_chars(self, nodes: List) -> Optional[CharTest]:
        """Every character `nodes` can consume (None = unknown: anything)."""
        tests: List[CharTest] = []
        for op, arg in nodes:
            if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
                continue
            single = self.single_char(op, arg)
            if single is not None:
                tests.append(single)
                continue
            children = _children(op, arg) if op not in _REPEATS and op != _POSSESSIVE else [list(arg[2])]
            if not children:
                return None
            for child in children:
                inner = self.all_chars(child)
                if inner is None:
                    return None
                tests.append(inner)
        return _union(tests)

    def overlap(self, a: CharTest, b: CharTest) -> bool:
        if self.ignorecase:
            a, b = _caseless(a), _caseless(b)
        return any(a(ch) and b(ch) for ch in self.sample)


def _children(op, arg) -> List[List]:
    if op == _c.SUBPATTERN:
        return [list(arg[-1])]
    if op == _c.BRANCH:
        return [list(b) for b in arg[1]]
    if op == _ATOMIC:
        return [list(arg)]
    if op in (_c.ASSERT, _c.ASSERT_NOT):
        return [list(arg[1])]
    if op == _c.GROUPREF_EXISTS:
        return [list(part) for part in arg[1:] if part is not None]
    return []


def _uses_ignorecase(parsed) -> bool:
    if parsed.state.flags & re.IGNORECASE:
        return True

    def walk(nodes) -> bool:
        for op, arg in nodes:
            if op == _c.SUBPATTERN and arg[1] & re.IGNORECASE:
                return True
            children = [list(arg[2])] if op in _REPEATS or op == _POSSESSIVE else _children(op, arg)
            if any(walk(child) for child in children):
                return True
        return False

    return walk(list(parsed))


def _caseless(test: CharTest) -> CharTest:
    def caseless(ch: str) -> bool:
        return any(test(v) for v in (ch, ch.lower(), ch.upper()) if len(v) == 1)
    return caseless


def _union(tests: Iterable[CharTest]) -> CharTest:
    tests = list(tests)
    return lambda ch: any(t(ch) for t in tests)


_CATEGORIES = {
    "CATEGORY_DIGIT": str.isdecimal,
    "CATEGORY_NOT_DIGIT": lambda ch: not ch.isdecimal(),
    "CATEGORY_SPACE": str.isspace,
    "CATEGORY_NOT_SPACE": lambda ch: not ch.isspace(),
    "CATEGORY_WORD": lambda ch: ch.isalnum() or ch == "_",
    "CATEGORY_NOT_WORD": lambda ch: not (ch.isalnum() or ch == "_"),
}


def _in_test(items) -> CharTest:
    negate = False
    tests: List[CharTest] = []
    for op, arg in items:
        if op == _c.NEGATE:
            negate = True
        elif op == _c.LITERAL:
            tests.append(lambda ch, c=chr(arg): ch == c)
        elif op == _c.RANGE:
            tests.append(lambda ch, lo=arg[0], hi=arg[1]: lo <= ord(ch) <= hi)
        elif op == _c.CATEGORY:
            tests.append(_CATEGORIES.get(str(arg), lambda ch: True))
        else:  # unknown item kind: assume it can match anything
            tests.append(lambda ch: True)
    inner = _union(tests)
    return (lambda ch: not inner(ch)) if negate else inner


def _sample_chars(pattern: str) -> List[str]:
    named: Set[str] = set(pattern)
    return [chr(i) for i in range(_SAMPLE_LIMIT)] + sorted(named - {chr(i) for i in range(_SAMPLE_LIMIT)})


__all__ = ["check_regex", "compile_checked"]
