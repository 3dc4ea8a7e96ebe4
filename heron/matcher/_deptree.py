"""One Doc's dependency tree as flat lists, and the DependencyMatcher's relation operators.

Every operator maps a token index `a` (the LEFT_ID node) to the ascending list of token
indices `b` that may fill the RIGHT_ID node, with spaCy's semantics
(spacy/matcher/dependencymatcher.pyx):

    <   b is a's head (a root has none)        >   b is a child of a
    <<  b is an ancestor of a                  >>  b is a descendant of a
    .   b directly follows a                   .*  b follows a
    ;   b directly precedes a                  ;*  b precedes a
    $+  b is the sibling right after a         $-  b is the sibling right before a
    $++ b is a sibling to the right of a       $-- b is a sibling to the left of a
    >+  b is the child right after a           >-  b is the child right before a
    >++ b is a child to the right of a         >-- b is a child to the left of a
    <+  b is the head, right after a           <-  b is the head, right before a
    <++ b is the head, to the right of a       <-- b is the head, to the left of a

"Follows"/"precedes" stay inside a's tree: from its root's left edge to its right edge
(a sentence, for a parsed Doc). A root is its own head, so, as in spaCy, the "siblings"
of a root are its own children. The tree is read once per matcher call from the HEAD
column, so the matcher does not depend on Token's per-call tree walks (O(n) each).
"""
from __future__ import annotations

from typing import Callable, Dict, List

import numpy as np


class DepTree:
    """Heads, children, roots and tree spans of one Doc's tokens (plain lists: scalar reads)."""

    def __init__(self, heads: np.ndarray):
        n = len(heads)
        self.n = n
        self.heads: List[int] = heads.tolist()
        self.children: List[List[int]] = [[] for _ in range(n)]
        for i, head in enumerate(self.heads):
            if head != i:
                self.children[head].append(i)  # ascending: i grows
        roots = _roots(heads)
        index = np.arange(n, dtype=np.int64)
        first = np.full(n, n, dtype=np.int64)
        last = np.full(n, -1, dtype=np.int64)
        np.minimum.at(first, roots, index)
        np.maximum.at(last, roots, index)
        self.root: List[int] = roots.tolist()
        self.tree_start: List[int] = first[roots].tolist()  # root's left edge, per token
        self.tree_end: List[int] = (last[roots] + 1).tolist()  # one past its right edge
        self._descendants: Dict[int, List[int]] = {}

    @classmethod
    def from_doc(cls, doc) -> "DepTree":
        n = len(doc)
        if n == 0 or not doc.has_annotation("HEAD"):
            return cls(np.arange(n, dtype=np.int64))
        offsets = doc.to_array("HEAD").view(np.int64)  # relative, two's complement in uint64
        return cls(np.arange(n, dtype=np.int64) + offsets)

    def ancestors(self, a: int) -> List[int]:
        seen = {a}
        out = []
        head = self.heads[a]
        while head not in seen:  # the seen-set also ends a malformed (cyclic) chain
            out.append(head)
            seen.add(head)
            head = self.heads[head]
        return sorted(out)

    def descendants(self, a: int) -> List[int]:
        cached = self._descendants.get(a)
        if cached is None:
            found, stack = set(), list(self.children[a])
            while stack:
                node = stack.pop()
                if node not in found and node != a:
                    found.add(node)
                    stack.extend(self.children[node])
            cached = self._descendants[a] = sorted(found)
        return cached


def _roots(heads: np.ndarray) -> np.ndarray:
    """The top ancestor of every token, by pointer jumping (log2(n) vectorised steps)."""
    roots = heads.copy()
    for _ in range(max(1, len(heads)).bit_length() + 1):
        nxt = roots[roots]
        if np.array_equal(nxt, roots):
            break
        roots = nxt
    return roots


def _head(t: DepTree, a: int) -> List[int]:
    h = t.heads[a]
    return [] if h == a else [h]


def _sibling_at(t: DepTree, a: int, b: int) -> List[int]:
    h = t.heads[a]
    return [b] if 0 <= b < t.n and b != h and t.heads[b] == h else []


def _child_at(t: DepTree, a: int, b: int) -> List[int]:
    return [b] if 0 <= b < t.n and t.heads[b] == a else []


def _head_if(t: DepTree, a: int, ok: Callable[[int], bool]) -> List[int]:
    h = t.heads[a]
    return [h] if h != a and ok(h) else []


def _siblings(t: DepTree, a: int) -> List[int]:
    return t.children[t.heads[a]]


OPERATORS: Dict[str, Callable[[DepTree, int], List[int]]] = {
    "<": _head,
    ">": lambda t, a: t.children[a],
    "<<": DepTree.ancestors,
    ">>": DepTree.descendants,
    ".": lambda t, a: [a + 1] if a + 1 < t.tree_end[a] else [],
    ".*": lambda t, a: list(range(a + 1, t.tree_end[a])),
    ";": lambda t, a: [a - 1] if a - 1 >= t.tree_start[a] else [],
    ";*": lambda t, a: list(range(t.tree_start[a], a)),
    "$+": lambda t, a: _sibling_at(t, a, a + 1),
    "$-": lambda t, a: _sibling_at(t, a, a - 1),
    "$++": lambda t, a: [c for c in _siblings(t, a) if c > a],
    "$--": lambda t, a: [c for c in _siblings(t, a) if c < a],
    ">+": lambda t, a: _child_at(t, a, a + 1),
    ">-": lambda t, a: _child_at(t, a, a - 1),
    ">++": lambda t, a: [c for c in t.children[a] if c > a],
    ">--": lambda t, a: [c for c in t.children[a] if c < a],
    "<+": lambda t, a: _head_if(t, a, lambda h: h == a + 1),
    "<-": lambda t, a: _head_if(t, a, lambda h: h == a - 1),
    "<++": lambda t, a: _head_if(t, a, lambda h: h > a),
    "<--": lambda t, a: _head_if(t, a, lambda h: h < a),
}

__all__ = ["DepTree", "OPERATORS"]
