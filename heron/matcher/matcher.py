"""Matcher: find token sequences described by attribute patterns (spaCy v3 syntax).

A pattern is a list of token specs; each spec is a dict of attribute -> value plus an
optional "OP" quantifier:

    matcher = Matcher(nlp.vocab)
    matcher.add("GREETING", [[{"LOWER": "hello"}, {"IS_PUNCT": True, "OP": "?"}, {"LOWER": "world"}]])
    matches = matcher(doc)          # [(match_id, start, end), ...] sorted by (start, end)

Values: an exact value, or a dict of predicates: IN, NOT_IN (lists), REGEX (re.search
on the string value), ==, !=, >=, <=, >, < (numbers: LENGTH and extensions), and
IS_SUBSET, IS_SUPERSET, INTERSECTS (lists; MORPH features or a single value).
`{"_": {"name": value}}` tests a custom token extension. OP: "!" (exactly one token
that does NOT match), "?" (0-1), "*" (0+), "+" (1+), "{n}", "{n,m}", "{n,}", "{,m}".

Matching is exhaustive, like spaCy's: every (start, end) a pattern can match is
returned, so "+" yields all lengths; `greedy="LONGEST"` / `"FIRST"` keep only
non-overlapping matches per key. Empty (zero-length) matches are never returned.
"""
from __future__ import annotations

from typing import Any, Callable, Dict, Iterable, List, Optional, Sequence, Tuple

from ..errors import Errors, HeronKeyError, HeronValueError
from ._attrs import Columns, doc_and_offset
from .compile import TokenSpec, compile_pattern

Match = Tuple[int, int, int]
OnMatch = Optional[Callable[["Matcher", Any, int, List[Match]], Any]]


class Matcher:
    """Match token-attribute patterns against Docs and Spans.

    vocab (Vocab): the shared vocab; string keys are added to `vocab.strings`.
    validate (bool): also check pattern value types (e.g. a bool for IS_ALPHA, a str for
        LOWER). Unknown attributes, operators and predicates are always errors.
    """

    def __init__(self, vocab, validate: bool = False):
        self.vocab = vocab
        self.validate = validate
        self._patterns: Dict[int, List[List[Dict[str, Any]]]] = {}
        self._compiled: Dict[int, List[List[TokenSpec]]] = {}
        self._callbacks: Dict[int, OnMatch] = {}
        self._filter: Dict[int, Optional[str]] = {}
        self._order: List[int] = []  # keys in insertion order: ties in output follow it
        self._index_cache = None  # (indexed, scanned) patterns; rebuilt after add/remove

    def __len__(self) -> int:
        """The number of keys (not patterns)."""
        return len(self._patterns)

    def __contains__(self, key: Any) -> bool:
        return self._normalize_key(key) in self._patterns

    def _normalize_key(self, key: Any) -> int:
        return self.vocab.strings.add(key) if isinstance(key, str) else int(key)

    def add(self, key: Any, patterns: Sequence[Sequence[Dict[str, Any]]], *,
            on_match: OnMatch = None, greedy: Optional[str] = None) -> None:
        """Add patterns under `key` (a str or a string ID); adding to a key extends it.

        on_match: called as on_match(matcher, doc, i, matches) for each match of this key.
        greedy (None | "FIRST" | "LONGEST"): keep only non-overlapping matches of this key,
            preferring the earliest ("FIRST") or the longest ("LONGEST").
        """
        if greedy not in (None, "FIRST", "LONGEST"):
            raise HeronValueError(Errors.E334.format(greedy=greedy))
        if not isinstance(patterns, (list, tuple)) or (
            patterns and isinstance(patterns[0], dict)
        ):
            raise HeronValueError(Errors.E330.format(
                i=0, key=key, pattern=repr(patterns)[:80],
                detail="`patterns` must be a list of patterns (a list of lists of dicts)",
            ))
        compiled = [compile_pattern(p, i, key, self.validate) for i, p in enumerate(patterns)]
        key_id = self._normalize_key(key)
        if key_id not in self._patterns:
            self._order.append(key_id)
        self._patterns.setdefault(key_id, []).extend([list(p) for p in patterns])
        self._compiled.setdefault(key_id, []).extend(compiled)
        self._callbacks[key_id] = on_match
        self._filter[key_id] = greedy
        self._index_cache = None

    def remove(self, key: Any) -> None:
        """Remove every pattern of `key`; an unknown key raises a coded KeyError."""
        key_id = self._normalize_key(key)
        if key_id not in self._patterns:
            raise HeronKeyError(Errors.E335.format(cls="Matcher", key=key))
        for table in (self._patterns, self._compiled, self._callbacks, self._filter):
            table.pop(key_id, None)
        self._order.remove(key_id)
        self._index_cache = None

    def get(self, key: Any, default: Any = None) -> Tuple[OnMatch, List[List[Dict[str, Any]]]]:
        """(on_match, patterns) of `key`, or `default` if it has none."""
        key_id = self._normalize_key(key)
        if key_id not in self._patterns:
            return default
        return self._callbacks[key_id], [list(p) for p in self._patterns[key_id]]

    def __call__(self, doclike, *, as_spans: bool = False) -> List[Any]:
        """Find all matches in a Doc or Span.

        Returns (match_id, start, end) triples sorted by (start, end), token offsets
        relative to `doclike` (a Span's matches count from the Span's start); with
        as_spans=True, Spans labelled with the key instead.
        """
        doc, tokens, offset = doc_and_offset(doclike)
        cols = Columns(tokens)
        found: Dict[int, set] = {key_id: set() for key_id in self._compiled}
        indexed, scanned = self._index()
        hitters: Dict[Tuple[int, int], Callable[[int, int], bool]] = {}
        for attr, table in indexed.items():
            for start, value in enumerate(cols.get(attr)):
                for key_id, p in table.get(value, ()):
                    specs = self._compiled[key_id][p]
                    hit = hitters.get((key_id, p)) or hitters.setdefault((key_id, p), _hitter(specs, cols))
                    found[key_id].update((start, end) for end in _ends(specs, start, len(cols), hit))
        for key_id, p in scanned:
            found[key_id].update(_scan(self._compiled[key_id][p], cols))
        matches = self._finish(found)
        for i, (key_id, _, _) in enumerate(matches):
            on_match = self._callbacks.get(key_id)
            if on_match is not None:
                on_match(self, doc, i, matches)
        if as_spans:
            return [_make_span(doc, offset + s, offset + e, self.vocab.strings[k])
                    for k, s, e in matches]
        return matches

    def _index(self):
        """Patterns by (attr, first-token value), and those that must be tried everywhere."""
        if self._index_cache is not None:
            return self._index_cache
        indexed: Dict[str, Dict[str, List[Tuple[int, int]]]] = {}
        scanned: List[Tuple[int, int]] = []
        for key_id, compiled in self._compiled.items():
            for p, specs in enumerate(compiled):
                if specs[0].exact is None:
                    scanned.append((key_id, p))
                else:
                    attr, value = specs[0].exact
                    indexed.setdefault(attr, {}).setdefault(value, []).append((key_id, p))
        self._index_cache = (indexed, scanned)
        return self._index_cache

    def _finish(self, found: Dict[int, set]) -> List[Match]:
        rank = {key: i for i, key in enumerate(self._order)}
        matches: List[Match] = []
        for key_id, spans in found.items():
            spans = sorted(spans)
            if self._filter.get(key_id):
                spans = _filter_spans(spans, self._filter[key_id])
            matches.extend((key_id, s, e) for s, e in spans)
        matches.sort(key=lambda m: (m[1], m[2], rank[m[0]]))
        return matches


def _hitter(specs: List[TokenSpec], cols: Columns) -> Callable[[int, int], bool]:
    """hit(k, i): does spec k match token i? Memoised: quantifiers revisit tokens."""
    memo: Dict[Tuple[int, int], bool] = {}

    def hit(k: int, i: int) -> bool:
        value = memo.get((k, i))
        if value is None:
            value = memo[(k, i)] = specs[k].matches(cols, i)
        return value

    return hit


def _ends(specs: List[TokenSpec], start: int, n: int, hit) -> set:
    """End positions (> start) of matches of `specs` starting at token `start`."""
    positions = {start}
    for k, spec in enumerate(specs):
        positions = _advance(positions, k, spec, n, hit)
        if not positions:
            break
    positions.discard(start)
    return positions


def _scan(specs: List[TokenSpec], cols: Columns) -> Iterable[Tuple[int, int]]:
    """Every (start, end) with end > start where `specs` match consecutive tokens."""
    n = len(cols)
    hit = _hitter(specs, cols)
    first = specs[0]
    for start in range(n):
        if first.min_count > 0 and not hit(0, start):
            continue  # cheap rejection: most starts fail on the first token
        for end in _ends(specs, start, n, hit):
            yield start, end


def _advance(positions, k: int, spec: TokenSpec, n: int, hit) -> set:
    """Positions reachable after spec k, from each of `positions`."""
    out = set()
    for pos in positions:
        if spec.min_count == 0:
            out.add(pos)
        count = 0
        while count < spec.max_count and pos + count < n and hit(k, pos + count):
            count += 1
            if count >= spec.min_count:
                out.add(pos + count)
    return out


def _filter_spans(spans: List[Tuple[int, int]], mode: str) -> List[Tuple[int, int]]:
    """Greedy non-overlapping subset: earliest-first ("FIRST") or longest-first ("LONGEST")."""
    if mode == "FIRST":
        ordered = sorted(spans, key=lambda s: (s[0], -(s[1] - s[0])))
    else:
        ordered = sorted(spans, key=lambda s: (-(s[1] - s[0]), s[0]))
    taken: set = set()
    kept = []
    for start, end in ordered:
        if not taken.intersection(range(start, end)):
            kept.append((start, end))
            taken.update(range(start, end))
    return sorted(kept)


def _make_span(doc, start: int, end: int, label: str):
    from ..tokens import Span  # lazy: tokens imports nothing from here, keep import cheap

    return Span(doc, start, end, label=label)


__all__ = ["Matcher"]
