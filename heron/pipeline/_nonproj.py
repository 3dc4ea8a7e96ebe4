"""Pseudo-projective parsing (Nivre & Nilsson 2005, the HEAD scheme), as spaCy's nonproj.

The arc-eager parser only builds projective trees (no crossing arcs). To learn the
non-projective ones of a treebank anyway, each training tree is made projective first:
while some arc is non-projective, the shortest one (ties: leftmost child) is lifted,
its child re-attached to the grandparent (to itself, a new root, when the head is a
root), and every lifted token's label records the label of its original head:

    "nsubj" lifted from a head labelled "ccomp"  ->  "nsubj||ccomp"

The parser learns these decorated labels like any other. `deprojectivize` undoes them
on its output: for a token labelled "x||y" it searches the subtree of its predicted
head breadth-first, left to right, for the first token labelled y (not the token
itself, no whitespace token) and attaches the token there with label x; with no such
token the head stays and only the label becomes x.

An arc h -> d is non-projective when some token strictly between h and d does not have
h as an ancestor (roots are never non-projective; a token with a missing head counts as
reaching h, so missing annotation never triggers a lift). Works on plain lists (heads:
absolute indices, None = missing; labels: str, None = missing), never on a Doc. Cost:
O(arc length x depth) per arc checked, re-checked after each lift; trees are sentences
and lifts are rare, so this is linear in practice.
"""
from __future__ import annotations

from typing import List, Optional, Sequence, Tuple

DELIMITER = "||"


class CycleError(ValueError):
    """The heads contain a cycle (`token` lies on it); the caller names the Doc."""

    def __init__(self, token: int):
        super().__init__(f"cycle through token {token}")
        self.token = token


def decompose(label: str) -> Tuple[str, str]:
    """"nsubj||ccomp" -> ("nsubj", "ccomp"); an undecorated label -> (label, "")."""
    dep, _, head_dep = label.partition(DELIMITER)
    return dep, head_dep


def is_decorated(label: Optional[str]) -> bool:
    return label is not None and DELIMITER in label


def _has_ancestor(token: int, head: int, heads: Sequence[Optional[int]]) -> bool:
    """Whether `head` is an ancestor of `token` (True as well when the chain reaches a
    missing head: missing annotation is never evidence of non-projectivity)."""
    seen = {token}
    node = token
    while True:
        up = heads[node]
        if up is None or up == head:
            return True
        if up == node:  # reached a root that isn't `head`
            return False
        if up in seen:
            raise CycleError(up)
        seen.add(up)
        node = up


def is_nonproj_arc(child: int, heads: Sequence[Optional[int]]) -> bool:
    head = heads[child]
    if head is None or head == child:
        return False
    lo, hi = (head + 1, child) if head < child else (child + 1, head)
    return any(not _has_ancestor(k, head, heads) for k in range(lo, hi))


def is_nonproj_tree(heads: Sequence[Optional[int]]) -> bool:
    return any(is_nonproj_arc(i, heads) for i in range(len(heads)))


def _smallest_nonproj_arc(heads: Sequence[Optional[int]]) -> int:
    """The child of the shortest non-projective arc (leftmost on ties), or -1."""
    best, best_size = -1, len(heads) + 1
    for child, head in enumerate(heads):
        if head is None or head == child:
            continue
        size = abs(child - head)
        if size < best_size and is_nonproj_arc(child, heads):
            best, best_size = child, size
    return best


def _check_acyclic(heads: Sequence[Optional[int]]) -> None:
    """CycleError unless every head chain ends at a root or a missing head. A cycle
    that no lift has to walk through would otherwise pass unnoticed. O(n)."""
    done = [False] * len(heads)
    for i in range(len(heads)):
        path, on_path, node = [], set(), i
        while not done[node]:
            if node in on_path:
                raise CycleError(node)
            on_path.add(node)
            path.append(node)
            up = heads[node]
            if up is None or up == node:
                break
            node = up
        for k in path:
            done[k] = True


def projectivize(heads: Sequence[Optional[int]], labels: Sequence[Optional[str]]
                 ) -> Tuple[List[Optional[int]], List[Optional[str]]]:
    """A projective tree (heads, decorated labels) for a training tree; see the module
    docstring. Raises CycleError when the heads contain a cycle."""
    _check_acyclic(heads)
    proj = list(heads)
    child = _smallest_nonproj_arc(proj)
    if child < 0:
        return proj, list(labels)
    while child >= 0:
        head = proj[child]
        assert head is not None
        grand = proj[head]
        # spaCy's lift: to the grandparent, or to itself (a root) when the head is a root;
        # a missing grandparent leaves the child's head missing.
        proj[child] = child if grand == head else grand
        child = _smallest_nonproj_arc(proj)
    out: List[Optional[str]] = []
    for i, (head, label) in enumerate(zip(heads, labels)):
        if proj[i] == head or head is None:
            out.append(label)
            continue
        # A lift whose label or original head's label is missing can't be decorated:
        # its label stays missing (the arc is trained, any label is right).
        head_label = labels[head]
        out.append(None if label is None or head_label is None else f"{label}{DELIMITER}{head_label}")
    return proj, out


def deprojectivize(heads: Sequence[int], labels: Sequence[str], is_space: Sequence[bool]
                   ) -> Tuple[List[int], List[str]]:
    """Undo the decoration of a predicted tree: heads (absolute, a root is its own head),
    labels per token; see the module docstring. Tokens are processed left to right, each
    search seeing the re-attachments made before it (as spaCy's)."""
    heads, labels = list(heads), list(labels)
    decorated = [i for i, label in enumerate(labels) if DELIMITER in label]
    if not decorated:
        return heads, labels
    children: List[List[int]] = [[] for _ in heads]
    for i, head in enumerate(heads):
        if head != i:
            children[head].append(i)
    for i in decorated:
        new_label, head_label = decompose(labels[i])
        new_head = _find_new_head(i, head_label, heads, labels, children, is_space)
        if new_head != heads[i]:
            children[heads[i]].remove(i)
            children[new_head].append(i)
            children[new_head].sort()
            heads[i] = new_head
        labels[i] = new_label
    return heads, labels


def _find_new_head(token: int, head_label: str, heads: Sequence[int], labels: Sequence[str],
                   children: Sequence[List[int]], is_space: Sequence[bool]) -> int:
    """Breadth-first, left to right, from the token's head: the first descendant labelled
    `head_label` (never the token or its own subtree, which would make a cycle)."""
    start = heads[token]
    if start == token:  # a root (a lift over a root head): its subtree is all there is
        return start
    queue, seen = [start], {start, token}
    while queue:
        next_queue = []
        for node in queue:
            for child in children[node]:
                if child in seen or is_space[child]:
                    continue
                if labels[child] == head_label:
                    return child
                seen.add(child)
                next_queue.append(child)
        queue = next_queue
    return start


__all__ = ["DELIMITER", "CycleError", "decompose", "is_decorated", "is_nonproj_arc",
           "is_nonproj_tree", "projectivize", "deprojectivize"]
