"""Edit trees (Chrupała 2008; spaCy's `edittrees.pyx`): how a word form becomes its lemma.

A tree is one of two nodes:

- match (prefix_len, suffix_len, prefix_tree, suffix_tree): keep the middle of the form,
  the part between its first `prefix_len` and last `suffix_len` characters, and rewrite
  the prefix and the suffix with the subtrees (NULL_TREE = nothing to rewrite);
- subst (orig, subst): the whole (part of the) form must equal `orig` and becomes `subst`.

`add(form, lemma)` builds the tree from the longest common SUBSTRING of form and lemma
(contiguous, as spaCy's `find_lcs` despite its name; the first longest one on ties), recursing
into the pairs left of it and right of it. So "ge[gooi]d" -> "[gooi]en" becomes
match(2, 1, subst("ge" -> ""), subst("d" -> "en")), and the same tree lemmatizes every
"ge...d" participle. Trees are interned: equal trees get one id, subtrees get lower ids
than their parents (so a tree file can't describe a cycle).

The JSON form is spaCy's `label_data` format: a list of dicts, `{"prefix_len", "suffix_len",
"prefix_tree", "suffix_tree"}` or `{"orig", "subst"}` (strings), NULL_TREE = 2**32 - 1.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Sequence, Tuple, Union

from ..errors import Errors, HeronValueError

NULL_TREE = 0xFFFFFFFF  # spaCy's UINT32_MAX "no subtree", kept so its label_data loads as is
MATCH_KEYS = ("prefix_len", "suffix_len", "prefix_tree", "suffix_tree")
SUBST_KEYS = ("orig", "subst")
# apply() results are memoised per (tree, form): words repeat (Zipf), so at inference
# almost every token is one dict lookup. Cleared when full to bound memory.
_MEMO_MAX = 500_000

# A match node is (prefix_len, suffix_len, prefix_tree, suffix_tree), a subst node (orig, subst).
Node = Union[Tuple[int, int, int, int], Tuple[str, str]]


def longest_common_substring(source: str, target: str) -> Tuple[int, int, int, int]:
    """(source_begin, source_end, target_begin, target_end) of the first longest common
    substring, (0, 0, 0, 0) when they share no character (spaCy's find_lcs)."""
    best = (0, 0, 0, 0)
    longest = 0
    prev = [0] * len(target)
    for i, s in enumerate(source):
        cur = [0] * len(target)
        for j, t in enumerate(target):
            if s == t:
                n = cur[j] = prev[j - 1] + 1 if i and j else 1
                if n > longest:  # strictly longer: the first of equally long ones wins
                    longest = n
                    best = (i - n + 1, i + 1, j - n + 1, j + 1)
        prev = cur
    return best


class EditTrees:
    """An interning store of edit trees; see the module docstring."""

    def __init__(self) -> None:
        self._nodes: List[Node] = []
        self._ids: Dict[Node, int] = {}
        self._memo: Dict[Tuple[int, str], Optional[str]] = {}

    def __len__(self) -> int:
        return len(self._nodes)

    def __getitem__(self, tree_id: int) -> Dict[str, Any]:
        """The tree's node as a JSON dict (spaCy's format)."""
        node = self._nodes[tree_id]
        keys = MATCH_KEYS if len(node) == 4 else SUBST_KEYS
        return dict(zip(keys, node))

    # ---- building ---------------------------------------------------------------------
    def add(self, form: str, lemma: str) -> int:
        """The id of the tree rewriting `form` into `lemma`, interned (with its subtrees)."""
        tree_id = self._build(form, lemma, intern=True)
        assert tree_id is not None
        return tree_id

    def find(self, form: str, lemma: str) -> Optional[int]:
        """The id of the tree rewriting `form` into `lemma` if it (and every subtree) is
        stored, else None. Stores nothing: the loss asks this for every gold pair."""
        return self._build(form, lemma, intern=False)

    def _build(self, form: str, lemma: str, intern: bool) -> Optional[int]:
        if not form and not lemma:  # the LCS of two empty strings is empty, yet they match
            return self._node_id((0, 0, NULL_TREE, NULL_TREE), intern)
        s_begin, s_end, t_begin, t_end = longest_common_substring(form, lemma)
        if s_end == s_begin:
            return self._node_id((form, lemma), intern)
        prefix = suffix = NULL_TREE
        if s_begin or t_begin:
            found = self._build(form[:s_begin], lemma[:t_begin], intern)
            if found is None:
                return None
            prefix = found
        if s_end != len(form) or t_end != len(lemma):
            found = self._build(form[s_end:], lemma[t_end:], intern)
            if found is None:
                return None
            suffix = found
        return self._node_id((s_begin, len(form) - s_end, prefix, suffix), intern)

    def _node_id(self, node: Node, intern: bool) -> Optional[int]:
        tree_id = self._ids.get(node)
        if tree_id is None and intern:
            tree_id = self._ids[node] = len(self._nodes)
            self._nodes.append(node)
        return tree_id

    # ---- applying ---------------------------------------------------------------------
    def apply(self, tree_id: int, form: str) -> Optional[str]:
        """The lemma tree `tree_id` makes of `form`, or None if it doesn't fit the form
        (too short for the match, or a substitution whose original differs)."""
        key = (tree_id, form)
        try:
            return self._memo[key]
        except KeyError:
            pass
        pieces: List[str] = []
        lemma = "".join(pieces) if self._apply(tree_id, form, pieces) else None
        if len(self._memo) >= _MEMO_MAX:
            self._memo.clear()
        self._memo[key] = lemma
        return lemma

    def _apply(self, tree_id: int, form: str, pieces: List[str]) -> bool:
        node = self._nodes[tree_id]
        if len(node) == 2:
            orig, subst = node
            if form != orig:
                return False
            pieces.append(subst)
            return True
        prefix_len, suffix_len, prefix_tree, suffix_tree = node
        if prefix_len + suffix_len > len(form):
            return False
        suffix_start = len(form) - suffix_len
        # spaCy drops an affix whose subtree is NULL; trees built by add() never have one.
        if prefix_tree != NULL_TREE and not self._apply(prefix_tree, form[:prefix_len], pieces):
            return False
        pieces.append(form[prefix_len:suffix_start])
        if suffix_tree != NULL_TREE and not self._apply(suffix_tree, form[suffix_start:], pieces):
            return False
        return True

    def tree_to_str(self, tree_id: int) -> str:
        """The tree as an S-expression, spaCy's debugging format:
        (m prefix_len suffix_len prefix suffix) / (s 'orig' 'subst'), () = no subtree."""
        node = self._nodes[tree_id]
        if len(node) == 2:
            return f"(s '{node[0]}' '{node[1]}')"
        prefix_len, suffix_len, prefix, suffix = node
        sub = [self.tree_to_str(t) if t != NULL_TREE else "()" for t in (prefix, suffix)]
        return f"(m {prefix_len} {suffix_len} {sub[0]} {sub[1]})"

    # ---- JSON -------------------------------------------------------------------------
    def to_json(self) -> List[Dict[str, Any]]:
        return [self[i] for i in range(len(self._nodes))]

    @classmethod
    def from_json(cls, trees: Sequence[Any], where: str = "") -> "EditTrees":
        """Trees from `to_json()` (or spaCy's label_data["trees"]); a malformed tree is
        E930 naming its index and `where` (the file or setting it came from)."""
        store = cls()
        if not isinstance(trees, (list, tuple)):
            raise HeronValueError(Errors.E930.format(where=where, i="-", problem=(
                f"expected a list of trees, got {type(trees).__name__}")))
        for i, tree in enumerate(trees):
            node = _node_from_json(tree, i, where)
            if node in store._ids:
                raise HeronValueError(Errors.E930.format(where=where, i=i, problem=(
                    f"it repeats tree {store._ids[node]}")))
            store._ids[node] = i
            store._nodes.append(node)
        return store


def _node_from_json(tree: Any, i: int, where: str) -> Node:
    def bad(problem: str) -> HeronValueError:
        return HeronValueError(Errors.E930.format(where=where, i=i, problem=problem))

    if not isinstance(tree, dict):
        raise bad(f"expected a dict, got {type(tree).__name__}")
    keys = set(tree)
    if keys == set(SUBST_KEYS):
        if not all(isinstance(tree[k], str) for k in SUBST_KEYS):
            raise bad("orig and subst must be strings")
        return (tree["orig"], tree["subst"])
    if keys != set(MATCH_KEYS):
        raise bad(f"keys {sorted(keys)} are neither {list(MATCH_KEYS)} nor {list(SUBST_KEYS)}")
    values = [tree[k] for k in MATCH_KEYS]
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
        raise bad("prefix_len, suffix_len, prefix_tree and suffix_tree must be ints >= 0")
    for key in ("prefix_tree", "suffix_tree"):
        # Subtrees are stored before their parents, so this also rules out cycles.
        if tree[key] != NULL_TREE and tree[key] >= i:
            raise bad(f"{key} = {tree[key]} is not an earlier tree (nor {NULL_TREE}, none)")
    return (values[0], values[1], values[2], values[3])


__all__ = ["EditTrees", "NULL_TREE", "longest_common_substring"]
