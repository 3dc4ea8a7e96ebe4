"""Dependency-tree arrays of one Doc, computed once from the HEAD column and cached.

Token.children/lefts/rights/left_edge/right_edge/subtree and Span.root read these arrays,
so walking every token of a 10,000-token Doc costs one vectorised pass (a few numpy calls
per tree level), not one pass per token.

Caching: the arrays are kept on `doc._tree` together with the HEAD column they were
computed from, and that column is made read-only. Any change of heads therefore either
replaces the column (from_array, the constructor, `doc._cols[HEAD] = ...`) or goes through
`doc._col(HEAD)`, which swaps a read-only column for a writable copy; both change the
column's identity, which invalidates the cache. An in-place write into a frozen column
fails loudly (numpy's "assignment destination is read-only") instead of leaving stale edges.

Malformed heads (cycles) never loop: nodes that no root reaches keep their own index as
edges and their subtree walk guards against revisits.
"""
from __future__ import annotations

from typing import Optional

import numpy as np

from .attrs import DEP, HEAD, SENT_START


class TreeArrays:
    """Arrays over the n tokens of a Doc (all int64 unless noted).

    heads: absolute head index (a root is its own head).
    child_order, child_start: children grouped by head in token order (CSR layout):
        the children of i are child_order[child_start[i]:child_start[i + 1]].
    n_lefts, n_rights: number of children left / right of each token.
    l_edge, r_edge: smallest / largest token index of each token's subtree.
    depth: arcs from the token up to its root; -1 where no root is reachable (a cycle).
    contiguous_order (bool): the subtree is every token from l_edge to r_edge, and every
        subtree inside it is contiguous too, so its in-order walk is plain index order.
    """

    __slots__ = ("source", "n", "heads", "child_order", "child_start", "n_lefts", "n_rights",
                 "l_edge", "r_edge", "depth", "contiguous_order", "_heads_list")

    def __init__(self, source: Optional[np.ndarray], n: int):
        self.source = source
        self.n = n
        base = np.arange(n, dtype=np.int64)
        heads = base if source is None else base + source
        self.heads = heads
        non_roots = np.flatnonzero(heads != base)
        parents = heads[non_roots]
        self.child_order = non_roots[np.argsort(parents, kind="stable")]
        counts = np.bincount(parents, minlength=n)
        self.child_start = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        self.n_lefts = np.bincount(parents[non_roots < parents], minlength=n)
        self.n_rights = counts - self.n_lefts
        self._heads_list: Optional[list] = None
        self._compute_edges(base)

    def _levels(self, base: np.ndarray) -> list[np.ndarray]:
        """Tokens by depth, from the roots down (breadth first over the CSR children)."""
        frontier = np.flatnonzero(self.heads == base)
        levels = []
        while frontier.size:
            levels.append(frontier)
            counts = self.child_start[frontier + 1] - self.child_start[frontier]
            total = int(counts.sum())
            if not total:
                break
            # Positions of every child of every frontier token in child_order, in one go.
            offsets = np.repeat(self.child_start[frontier] - (np.cumsum(counts) - counts), counts)
            frontier = self.child_order[offsets + np.arange(total)]
        return levels

    def _compute_edges(self, base: np.ndarray) -> None:
        n, heads = self.n, self.heads
        l_edge, r_edge = base.copy(), base.copy()
        size = np.ones(n, dtype=np.int64)
        depth = np.full(n, -1, dtype=np.int64)
        levels = self._levels(base)
        for d, level in enumerate(levels):
            depth[level] = d
        broken = depth < 0  # unreachable from a root: walk these the careful way
        for level in reversed(levels[1:]):  # deepest first: a level's subtrees are complete
            parents = heads[level]
            broken[level] |= r_edge[level] - l_edge[level] + 1 != size[level]
            np.minimum.at(l_edge, parents, l_edge[level])
            np.maximum.at(r_edge, parents, r_edge[level])
            np.add.at(size, parents, size[level])
            np.logical_or.at(broken, parents, broken[level])
        if levels:
            roots = levels[0]
            broken[roots] |= r_edge[roots] - l_edge[roots] + 1 != size[roots]
        self.l_edge, self.r_edge, self.depth = l_edge, r_edge, depth
        self.contiguous_order = ~broken

    def heads_list(self) -> list:
        """Heads as a Python list, for scalar walks (ancestors, conj chains)."""
        if self._heads_list is None:
            self._heads_list = self.heads.tolist()
        return self._heads_list

    def children(self, i: int) -> np.ndarray:
        return self.child_order[self.child_start[i]:self.child_start[i + 1]]

    def subtree(self, i: int) -> list[int]:
        """The subtree of i in spaCy's order: lefts' subtrees, i, rights' subtrees.

        That is index order unless the tree is non-projective below i.
        """
        if self.contiguous_order[i]:
            return list(range(int(self.l_edge[i]), int(self.r_edge[i]) + 1))
        out: list[int] = []
        seen = {i}
        # Stack of (token, expanded?): an unexpanded token pushes its rights, itself and
        # its lefts so that they pop in order.
        stack = [(i, False)]
        while stack:
            node, expanded = stack.pop()
            if expanded:
                out.append(node)
                continue
            kids = [k for k in self.children(node).tolist() if k not in seen]
            seen.update(kids)
            stack.extend((k, False) for k in reversed(kids) if k > node)
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids) if k < node)
        return out


def tree_of(doc) -> TreeArrays:
    """The doc's tree arrays, rebuilt only when the HEAD column (or the length) changed."""
    col = doc._cols.get(HEAD)
    n = len(doc._words)
    tree = doc._tree
    if tree is not None and tree.source is col and tree.n == n:
        return tree
    if col is not None:
        col.flags.writeable = False  # later writes must go through doc._col(HEAD): see above
    tree = doc._tree = TreeArrays(col, n)
    return tree


# ---- sentences ------------------------------------------------------------------
def _parsed(doc) -> bool:
    # Labels without heads are a parse of one-token trees (spaCy reads them that way too).
    deps = doc._cols.get(DEP)
    return deps is not None and bool(deps.any())


def sent_starts(doc) -> Optional[np.ndarray]:
    """The SENT_START values in force: 1 starts a sentence, -1 does not, 0 unknown.

    Explicit values win (a sentencizer, senter, the parser, the user); where a parsed Doc
    has none, they come from its trees as spaCy derives them: a sentence starts at the
    first token of each labelled root's subtree. None when the Doc has neither.
    """
    col = doc._cols.get(SENT_START)
    if col is not None and (len(col) < 2 or col[1:].all()):
        return col
    if not _parsed(doc):
        return col
    tree = tree_of(doc)
    derived = np.full(tree.n, -1, dtype=np.int8)
    derived[tree.l_edge[(tree.heads == np.arange(tree.n)) & (doc._cols[DEP] != 0)]] = 1
    derived[0] = 1
    return derived if col is None else np.where(col != 0, col, derived)


def is_sent_start(doc, i: int) -> int:
    """The SENT_START value of token i (1, -1 or 0 for unknown), as sent_starts(doc)[i]."""
    col = doc._cols.get(SENT_START)
    value = col.item(i) if col is not None else int(i == 0)
    if value != 0 or not _parsed(doc):
        return value
    tree = tree_of(doc)
    heads = tree.heads_list()
    root, steps = i, 0
    while heads[root] != root and steps < tree.n:  # the root of i's tree (a cycle stops)
        root, steps = heads[root], steps + 1
    labelled_root = heads[root] == root and doc._cols[DEP][root] != 0
    return 1 if labelled_root and tree.l_edge[root] == i else -1


def sent_bounds(doc) -> list[int]:
    """Token indices where sentences start, plus len(doc) at the end."""
    n = len(doc._words)
    col = sent_starts(doc)
    if col is None or n == 0:
        return [0, n] if n else [0]
    starts = np.flatnonzero(col == 1).tolist()
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return starts + [n]


def sent_of(doc, i: int) -> tuple[int, int]:
    """(start, end) of the sentence holding token i."""
    col = sent_starts(doc)
    n = len(doc._words)
    if col is None:
        return 0, n
    start = i
    while start > 0 and col[start] != 1:
        start -= 1
    end = i + 1
    while end < n and col[end] != 1:
        end += 1
    return start, end
