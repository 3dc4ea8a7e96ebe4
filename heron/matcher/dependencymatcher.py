"""DependencyMatcher: find subtrees of a dependency parse (spaCy v3's pattern format).

A pattern is a list of nodes. The first (the anchor) names a token by its attributes;
every later node names one more token by its attributes AND its relation to an earlier
node:

    pattern = [
        {"RIGHT_ID": "verb", "RIGHT_ATTRS": {"POS": "VERB"}},
        {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "subject", "RIGHT_ATTRS": {"DEP": "nsubj"}},
    ]
    matcher = DependencyMatcher(nlp.vocab)
    matcher.add("SUBJECT_OF", [pattern])
    matcher(doc)    # [(match_id, [verb_i, subject_i]), ...]: token indices in node order

RIGHT_ATTRS is a Matcher token pattern (heron/matcher/compile.py: the same attributes,
predicates, extensions and "!" negation). The REL_OP operators and their meaning are
listed in _deptree.py. As in spaCy, all nodes of a match lie in one tree, matches come
per key (in the order keys were added), per pattern, then ordered by the nodes' token
indices, and two nodes may match the same token when their relations allow it (add
attributes that tell them apart, or filter the results).
"""
from __future__ import annotations

import difflib
from typing import Any, Callable, Dict, List, NamedTuple, Optional, Sequence, Tuple

from ..errors import Errors, HeronKeyError, HeronTypeError, HeronValueError, Warnings, warn
from ._attrs import Columns
from ._deptree import OPERATORS, DepTree
from .compile import TokenSpec, compile_token

DepMatch = Tuple[int, List[int]]
OnMatch = Optional[Callable[["DependencyMatcher", Any, int, List[DepMatch]], Any]]
NODE_KEYS = ("LEFT_ID", "REL_OP", "RIGHT_ID", "RIGHT_ATTRS")


class _Node(NamedTuple):
    spec: TokenSpec
    left: int  # index of the LEFT_ID node in the pattern; -1 for the anchor
    op: str


class DependencyMatcher:
    """Match dependency-tree patterns against parsed Docs and Spans.

    vocab (Vocab): the shared vocab; string keys are added to `vocab.strings`.
    validate (bool): also check the value types in RIGHT_ATTRS (as Matcher(validate=True)).
        The pattern structure, operators and attribute names are always checked.
    """

    def __init__(self, vocab, validate: bool = False):
        self.vocab = vocab
        self.validate = validate
        self._raw: Dict[int, List[List[Dict[str, Any]]]] = {}
        self._compiled: Dict[int, List[List[_Node]]] = {}
        self._callbacks: Dict[int, OnMatch] = {}

    def __len__(self) -> int:
        """The number of keys (not patterns)."""
        return len(self._raw)

    def __contains__(self, key: Any) -> bool:
        return self._normalize_key(key) in self._raw

    def has_key(self, key: Any) -> bool:
        return key in self

    def _normalize_key(self, key: Any) -> int:
        return self.vocab.strings.add(key) if isinstance(key, str) else int(key)

    def add(self, key: Any, patterns: Sequence[Sequence[Dict[str, Any]]], *,
            on_match: OnMatch = None) -> None:
        """Add patterns under `key` (a str or a string ID); adding to a key extends it.

        on_match: called as on_match(matcher, doc, i, matches) for each match of this key.
        RAISES: E416-E419, E422 (naming the key, the pattern and the node at fault),
            E331-E333 for bad token attributes, E423 for an on_match that isn't callable.
        """
        if on_match is not None and not callable(on_match):
            raise HeronTypeError(Errors.E423.format(key=key, type=type(on_match).__name__))
        if not isinstance(patterns, (list, tuple)):
            raise HeronValueError(Errors.E416.format(
                key=key, detail=f"`patterns` must be a list of patterns, got {type(patterns).__name__}"))
        offset = len(self._raw.get(self._normalize_key(key), []))
        compiled = [self._compile(pattern, offset + i, key) for i, pattern in enumerate(patterns)]
        key_id = self._normalize_key(key)
        self._raw.setdefault(key_id, []).extend([[dict(node) for node in p] for p in patterns])
        self._compiled.setdefault(key_id, []).extend(compiled)
        self._callbacks[key_id] = on_match

    def remove(self, key: Any) -> None:
        """Remove every pattern of `key`; an unknown key raises a coded KeyError (E335)."""
        key_id = self._normalize_key(key)
        if key_id not in self._raw:
            raise HeronKeyError(Errors.E335.format(cls="DependencyMatcher", key=key))
        for table in (self._raw, self._compiled, self._callbacks):
            table.pop(key_id, None)

    def get(self, key: Any, default: Any = None) -> Tuple[OnMatch, List[List[Dict[str, Any]]]]:
        """(on_match, patterns) of `key`, or `default` if it has none."""
        key_id = self._normalize_key(key)
        if key_id not in self._raw:
            return default
        return self._callbacks[key_id], [[dict(node) for node in p] for p in self._raw[key_id]]

    def __call__(self, doclike) -> List[DepMatch]:
        """Every match in a Doc or a Span: (match_id, token indices in node order).

        A Span is matched as `span.as_doc()` (like spaCy): indices count from the span's
        start, and heads outside the span make their tokens roots.
        """
        doc = _as_doc(doclike)
        if not self._compiled:
            return []
        if len(doc) and not (doc.has_annotation("DEP") or doc.has_annotation("HEAD")) and any(
                len(nodes) > 1 for patterns in self._compiled.values() for nodes in patterns):
            warn(Warnings.W406)
        tree = DepTree.from_doc(doc)
        cols = Columns(list(doc))
        related: Dict[Tuple[str, int], List[int]] = {}
        matches: List[DepMatch] = []
        for key_id, patterns in self._compiled.items():  # insertion order
            for nodes in patterns:
                matches.extend((key_id, ids) for ids in _search(nodes, tree, cols, related))
        for i, (key_id, _) in enumerate(matches):
            on_match = self._callbacks.get(key_id)
            if on_match is not None:
                on_match(self, doc, i, matches)
        return matches

    def _compile(self, pattern: Any, i: int, key: Any) -> List[_Node]:
        if not isinstance(pattern, (list, tuple)) or not pattern:
            raise HeronValueError(Errors.E416.format(
                key=key, detail=f"pattern {i} must be a non-empty list of node dicts, got {repr(pattern)[:80]}"))
        ids: Dict[str, int] = {}
        nodes = []
        for j, node in enumerate(pattern):
            if not isinstance(node, dict):
                raise HeronValueError(Errors.E416.format(
                    key=key, detail=f"node {j} of pattern {i} must be a dict, got {repr(node)[:80]}"))
            left, op = _check_node(node, i, j, key, ids)
            attrs = node["RIGHT_ATTRS"]
            spec = compile_token(attrs, key, i, f"{j} (RIGHT_ID {node['RIGHT_ID']!r})", self.validate)
            if (spec.min_count, spec.max_count) != (1, 1):
                raise HeronValueError(Errors.E422.format(i=i, key=key, j=j, op=attrs["OP"]))
            ids[node["RIGHT_ID"]] = j
            nodes.append(_Node(spec, left, op))
        return nodes


def _check_node(node: Dict[str, Any], i: int, j: int, key: Any, ids: Dict[str, int]) -> Tuple[int, str]:
    """(index of the LEFT_ID node, REL_OP) after checking node j; the anchor gives (-1, "")."""
    def fail(detail: str) -> HeronValueError:
        return HeronValueError(Errors.E417.format(i=i, key=key, j=j, node=repr(node)[:120], detail=detail))

    required = ("RIGHT_ID", "RIGHT_ATTRS") if j == 0 else NODE_KEYS
    missing = [k for k in required if k not in node]
    if missing:
        raise fail(f"missing {', '.join(missing)}")
    if j == 0 and ("LEFT_ID" in node or "REL_OP" in node):
        raise fail("the anchor (first node) must not have LEFT_ID or REL_OP")
    unknown = sorted(str(k) for k in node if k not in NODE_KEYS)
    if unknown:
        warn(Warnings.W407.format(i=i, key=key, j=j, keys=", ".join(unknown)))
    if not isinstance(node["RIGHT_ATTRS"], dict):
        raise fail(f"RIGHT_ATTRS must be a dict, got {type(node['RIGHT_ATTRS']).__name__}")
    for name in ("RIGHT_ID", "LEFT_ID"):
        if name in node and not isinstance(node[name], str):
            raise fail(f"{name} must be a str, got {node[name]!r}")
    right_id = node["RIGHT_ID"]
    if right_id in ids:
        raise HeronValueError(Errors.E418.format(
            i=i, key=key, j=j, detail=f"RIGHT_ID {right_id!r} is already node {ids[right_id]}'s"))
    if j == 0:
        return -1, ""
    if node["LEFT_ID"] not in ids:
        raise HeronValueError(Errors.E418.format(i=i, key=key, j=j, detail=(
            f"LEFT_ID {node['LEFT_ID']!r} is not the RIGHT_ID of an earlier node "
            f"(earlier: {', '.join(map(repr, ids))})")))
    op = node["REL_OP"]
    if op not in OPERATORS:
        close = difflib.get_close_matches(str(op), list(OPERATORS), n=1)
        raise HeronValueError(Errors.E419.format(
            i=i, key=key, j=j, op=op, hint=f" Did you mean {close[0]!r}?" if close else "",
            supported=" ".join(OPERATORS)))
    return ids[node["LEFT_ID"]], op


def _search(nodes: List[_Node], tree: DepTree, cols: Columns,
            related: Dict[Tuple[str, int], List[int]]) -> List[List[int]]:
    """All assignments of tokens to `nodes`, depth-first in node order (so sorted by them).

    Each node's candidates come from its operator applied to its LEFT_ID node's token
    (cached per call in `related`), so only the anchor is tried at every token.
    """
    memo: Dict[Tuple[int, int], bool] = {}

    def hit(k: int, t: int) -> bool:
        value = memo.get((k, t))
        if value is None:
            value = memo[(k, t)] = nodes[k].spec.matches(cols, t)
        return value

    found: List[List[int]] = []
    chosen = [0] * len(nodes)

    def extend(k: int) -> None:
        if k == len(nodes):
            found.append(list(chosen))
            return
        node = nodes[k]
        a = chosen[node.left]
        targets = related.get((node.op, a))
        if targets is None:
            targets = related[(node.op, a)] = OPERATORS[node.op](tree, a)
        root = tree.root[chosen[0]]
        for b in targets:
            if tree.root[b] == root and hit(k, b):
                chosen[k] = b
                extend(k + 1)

    for t in range(tree.n):
        if hit(0, t):
            chosen[0] = t
            extend(1)
    return found


def _as_doc(doclike: Any):
    from ..tokens import Doc, Span  # lazy: keeps `import heron.matcher` light

    if isinstance(doclike, Doc):
        return doclike
    if isinstance(doclike, Span):
        return doclike.as_doc(copy_user_data=True)
    raise HeronTypeError(Errors.E424.format(type=type(doclike).__name__))


__all__ = ["DependencyMatcher"]
