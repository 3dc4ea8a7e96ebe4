"""Token/Span tree API against hand-built trees (spaCy's semantics) and naive definitions."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heron.errors import HeronError
from heron.tokens import Doc, Vocab
from heron.tokens.attrs import HEAD

# "A hearing is scheduled on the issue today ." with "on the issue" attached to "hearing":
# the arc hearing -> on crosses scheduled -> is, so the tree is non-projective.
NONPROJ_WORDS = "A hearing is scheduled on the issue today .".split()
NONPROJ_HEADS = [1, 3, 3, 3, 1, 6, 4, 3, 3]
NONPROJ_DEPS = ["det", "nsubjpass", "auxpass", "ROOT", "prep", "det", "pobj", "npadvmod", "punct"]


@pytest.fixture
def nonproj():
    return Doc(Vocab(), NONPROJ_WORDS, heads=NONPROJ_HEADS, deps=NONPROJ_DEPS)


def _ids(tokens):
    return [t.i for t in tokens]


def test_children_lefts_rights_counts(nonproj):
    root = nonproj[3]
    assert _ids(root.children) == [1, 2, 7, 8]
    assert _ids(root.lefts) == [1, 2] and _ids(root.rights) == [7, 8]
    assert (root.n_lefts, root.n_rights) == (2, 2)
    assert _ids(nonproj[1].children) == [0, 4] and (nonproj[1].n_lefts, nonproj[1].n_rights) == (1, 1)
    assert list(nonproj[0].children) == [] and nonproj[0].n_lefts == 0


def test_head_of_root_is_itself_and_ancestors(nonproj):
    assert nonproj[3].head.i == 3 and list(nonproj[3].ancestors) == []
    assert _ids(nonproj[5].ancestors) == [6, 4, 1, 3]
    assert nonproj[3].is_ancestor(nonproj[5]) and nonproj[1].is_ancestor(nonproj[6])
    assert not nonproj[5].is_ancestor(nonproj[3]) and not nonproj[2].is_ancestor(nonproj[6])
    assert not nonproj[3].is_ancestor(Doc(Vocab(), ["x"])[0])  # another Doc: never


def test_subtree_order_and_edges_non_projective(nonproj):
    # spaCy's order: lefts' subtrees, the token, rights' subtrees (not index order here).
    assert _ids(nonproj[3].subtree) == [0, 1, 4, 5, 6, 2, 3, 7, 8]
    assert _ids(nonproj[1].subtree) == [0, 1, 4, 5, 6]
    # Edges are the smallest and largest index in the subtree.
    assert (nonproj[1].left_edge.i, nonproj[1].right_edge.i) == (0, 6)
    assert (nonproj[4].left_edge.i, nonproj[4].right_edge.i) == (4, 6)
    assert (nonproj[2].left_edge.i, nonproj[2].right_edge.i) == (2, 2)


def test_unparsed_doc_tokens_are_their_own_trees():
    doc = Doc(Vocab(), ["a", "b", "c"])
    assert [t.head.i for t in doc] == [0, 1, 2] and list(doc[1].children) == []
    assert _ids(doc[1].subtree) == [1] and doc[2].left_edge.i == 2
    assert not doc[0].has_head() and not doc[0].has_dep()


def test_has_head_and_dep():
    doc = Doc(Vocab(), ["a", "b"], heads=[1, 1], deps=["x", None])
    assert doc[0].has_head() and doc[0].has_dep() and not doc[1].has_head() and not doc[1].has_dep()


def test_conjuncts():
    # "cats , dogs and birds sleep": dogs and birds are conjuncts of cats (ClearNLP style).
    doc = Doc(Vocab(), "cats , dogs and birds sleep".split(), heads=[5, 0, 0, 2, 2, 5],
              deps=["nsubj", "punct", "conj", "cc", "conj", "ROOT"])
    assert _ids(doc[0].conjuncts) == [2, 4]
    assert _ids(doc[2].conjuncts) == [0, 4] and _ids(doc[4].conjuncts) == [0, 2]
    assert doc[5].conjuncts == () and doc[0:1].conjuncts == doc[0].conjuncts
    # Chained conjuncts (each attached to the previous one, as UD does not but older schemes do).
    chain = Doc(Vocab(), "a b c".split(), heads=[0, 0, 1], deps=["ROOT", "conj", "conj"])
    assert _ids(chain[2].conjuncts) == [0, 1] and _ids(chain[0].conjuncts) == [1, 2]
    assert Doc(Vocab(), ["a"]).__getitem__(0).conjuncts == ()


def test_head_setter_rebuilds_tree_and_sentences():
    doc = Doc(Vocab(), "a b c d".split(), heads=[1, 1, 3, 3], deps=["x", "ROOT", "x", "ROOT"])
    assert [s.text for s in doc.sents] == ["a b", "c d"] and doc[1].right_edge.i == 1
    doc[3].head = doc[1]  # the two trees become one: so do the sentences (spaCy)
    assert doc[1].right_edge.i == 3 and _ids(doc[1].children) == [0, 3]
    assert [s.text for s in doc.sents] == ["a b c d"] and doc[2].is_sent_start is False
    doc[3].head = doc[3]
    assert [s.text for s in doc.sents] == ["a b", "c d"]
    with pytest.raises(HeronError, match=r"\[E034\]"):
        doc[0].head = Doc(Vocab(), ["z"])[0]


def test_head_setter_keeps_explicit_sentence_starts():
    doc = Doc(Vocab(), "a b c d".split(), heads=[1, 1, 3, 3], deps=["x", "ROOT", "x", "ROOT"],
              sent_starts=[True, False, False, True])  # explicit, not the trees' (a senter's, say)
    doc[2].head = doc[1]
    assert [s.text for s in doc.sents] == ["a b c", "d"]


def test_tree_cache_follows_every_way_heads_change():
    doc = Doc(Vocab(), "a b c".split(), heads=[1, 1, 1], deps=["x", "ROOT", "y"])
    assert doc[1].left_edge.i == 0
    doc.from_array(["HEAD"], np.array([[0], [-1], [-1]], dtype=np.int64).view(np.uint64))
    assert doc[1].left_edge.i == 1 and doc[0].right_edge.i == 2
    doc._col(HEAD)[2] = 0  # internal writers go through _col: a writable copy
    assert doc[0].right_edge.i == 1
    with pytest.raises(ValueError, match="read-only"):  # in place: refused, never silently stale
        doc._cols[HEAD][1] = 1


def test_sents_of_a_parsed_doc_without_sentence_starts_come_from_the_roots():
    doc = Doc(Vocab(), "Hi . Go home".split())
    for i, (head, dep) in enumerate([(0, "ROOT"), (0, "punct"), (2, "ROOT"), (2, "obj")]):
        doc[i].head = doc[head]
        doc[i].dep_ = dep
    assert [s.text for s in doc.sents] == ["Hi .", "Go home"]
    assert [t.is_sent_start for t in doc] == [True, False, True, False] and doc[3].sent.text == "Go home"
    assert doc.to_array("SENT_START").view(np.int64).tolist() == [1, -1, 1, -1]
    doc[3].is_sent_start = True  # explicit values win where they are set
    assert [s.text for s in doc.sents] == ["Hi .", "Go", "home"]


def test_span_root_and_children():
    doc = Doc(Vocab(), NONPROJ_WORDS, heads=NONPROJ_HEADS, deps=NONPROJ_DEPS)
    assert doc[0:3].root.i == 1 and doc[4:7].root.i == 4 and doc[:].root.i == 3
    span = doc[4:7]
    assert list(span.lefts) == [] and list(span.rights) == [] and span.n_lefts == 0
    assert _ids(doc[1:2].lefts) == [0] and _ids(doc[1:2].rights) == [4] and doc[1:2].n_rights == 1
    assert _ids(doc[1:2].subtree) == [0, 1, 4, 5, 6]
    assert (doc[4:6].left_edge.i, doc[4:6].right_edge.i) == (4, 6)
    assert (doc[0:3].left_edge.i, doc[0:3].right_edge.i) == (0, 6)


def test_span_root_prefers_words_over_childless_punctuation():
    # "a . b": the span ". b" has no root inside; "." is nearer the root but childless punct.
    doc = Doc(Vocab(), ["a", ".", "b"], heads=[0, 0, 1], deps=["ROOT", "punct", "dep"])
    assert doc[1:3].root.i == 1  # "." has a child here, so it is a fair root
    doc = Doc(Vocab(), ["a", ".", "b"], heads=[0, 0, 0], deps=["ROOT", "punct", "dep"])
    assert doc[1:3].root.i == 2


def test_cycles_never_loop():
    doc = Doc(Vocab(), list("abc"))
    doc[0].head = doc[1]
    doc[1].head = doc[0]
    assert sorted(_ids(doc[0].subtree)) == [0, 1] and _ids(doc[0].ancestors) == [1]
    assert doc[0:2].root.i in (0, 1) and list(doc[2].subtree)[0].i == 2


@st.composite
def trees(draw):
    n = draw(st.integers(1, 12))
    order = draw(st.permutations(range(n)))
    heads = list(range(n))
    for k, tok in enumerate(order[1:], 1):
        heads[tok] = order[draw(st.integers(0, k - 1))]
    return heads


def _naive_subtree(heads, i):
    kids = [j for j in range(len(heads)) if heads[j] == i and j != i]
    out = []
    for k in (k for k in kids if k < i):
        out += _naive_subtree(heads, k)
    out.append(i)
    for k in (k for k in kids if k > i):
        out += _naive_subtree(heads, k)
    return out


@given(heads=trees())
@settings(max_examples=80, deadline=None)
def test_tree_arrays_match_naive_definitions(heads):
    doc = Doc(Vocab(), ["w"] * len(heads), heads=heads, deps=["dep"] * len(heads))
    for token in doc:
        expected = _naive_subtree(heads, token.i)
        assert _ids(token.subtree) == expected
        assert (token.left_edge.i, token.right_edge.i) == (min(expected), max(expected))
        assert _ids(token.children) == [j for j in range(len(heads)) if heads[j] == token.i and j != token.i]
        assert token.n_lefts == sum(1 for j in range(token.i) if heads[j] == token.i)


def test_long_doc_is_linear():
    # 20,000 tokens of 20-token sentences: every edge and subtree in one pass each.
    n, size = 20000, 20
    heads = [i - i % size for i in range(n)]
    doc = Doc(Vocab(), ["w"] * n, heads=heads, deps=["dep"] * n)
    assert [t.right_edge.i for t in doc] == [i + size - 1 if i % size == 0 else i for i in range(n)]
    assert sum(len(list(t.subtree)) for t in doc) == n + (n // size) * (size - 1)
    assert len(list(doc.sents)) == n // size
