"""DependencyMatcher: every REL_OP on a hand-built tree, worked examples, API, validation.

The expected pairs were derived by hand from the operator definitions (spaCy's
dependencymatcher.pyx semantics) and agree with spaCy 3.8 on the same trees.
"""
import warnings

import pytest

from heron.errors import HeronError, HeronWarning
from heron.matcher import DependencyMatcher
from heron.tokens import Doc, Token

#            0      1      2       3       4         5     6       7
WORDS = ["big", "red", "dogs", "bark", "loudly", ".", "cats", "sleep"]
HEADS = [2, 2, 3, 3, 3, 3, 7, 7]  # two trees: 0-5 rooted at "bark", 6-7 at "sleep"
DEPS = ["amod", "amod", "nsubj", "ROOT", "advmod", "punct", "nsubj", "ROOT"]


@pytest.fixture
def doc(en_vocab):
    return Doc(en_vocab, words=WORDS, heads=HEADS, deps=DEPS)


def pair_pattern(op, left_attrs=None, right_attrs=None):
    return [{"RIGHT_ID": "a", "RIGHT_ATTRS": left_attrs or {}},
            {"LEFT_ID": "a", "REL_OP": op, "RIGHT_ID": "b", "RIGHT_ATTRS": right_attrs or {}}]


# (a, b) pairs for "A op B" with both nodes matching any token.
OPERATOR_TABLE = {
    "<": [(0, 2), (1, 2), (2, 3), (4, 3), (5, 3), (6, 7)],
    ">": [(2, 0), (2, 1), (3, 2), (3, 4), (3, 5), (7, 6)],
    "<<": [(0, 2), (0, 3), (1, 2), (1, 3), (2, 3), (4, 3), (5, 3), (6, 7)],
    ">>": [(2, 0), (2, 1), (3, 0), (3, 1), (3, 2), (3, 4), (3, 5), (7, 6)],
    # precedence stays inside a tree: "." never links "." (5) to "cats" (6)
    ".": [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (6, 7)],
    ".*": [(0, 1), (0, 2), (0, 3), (0, 4), (0, 5), (1, 2), (1, 3), (1, 4), (1, 5), (2, 3),
           (2, 4), (2, 5), (3, 4), (3, 5), (4, 5), (6, 7)],
    ";": [(1, 0), (2, 1), (3, 2), (4, 3), (5, 4), (7, 6)],
    ";*": [(1, 0), (2, 0), (2, 1), (3, 0), (3, 1), (3, 2), (4, 0), (4, 1), (4, 2), (4, 3),
           (5, 0), (5, 1), (5, 2), (5, 3), (5, 4), (7, 6)],
    # a root is its own head, so its "siblings" are its children (spaCy's definition)
    "$+": [(0, 1), (3, 4), (4, 5)],
    "$-": [(1, 0), (3, 2), (5, 4), (7, 6)],
    "$++": [(0, 1), (2, 4), (2, 5), (3, 4), (3, 5), (4, 5)],
    "$--": [(1, 0), (3, 2), (4, 2), (5, 2), (5, 4), (7, 6)],
    ">+": [(3, 4)],
    ">-": [(2, 1), (3, 2), (7, 6)],
    ">++": [(3, 4), (3, 5)],
    ">--": [(2, 0), (2, 1), (3, 2), (7, 6)],
    "<+": [(1, 2), (2, 3), (6, 7)],
    "<-": [(4, 3)],
    "<++": [(0, 2), (1, 2), (2, 3), (6, 7)],
    "<--": [(4, 3), (5, 3)],
}


def test_operator_table_covers_every_operator():
    from heron.matcher._deptree import OPERATORS

    assert set(OPERATOR_TABLE) == set(OPERATORS) and len(OPERATORS) == 20


@pytest.mark.parametrize("op", sorted(OPERATOR_TABLE))
def test_operator(en_vocab, doc, op):
    matcher = DependencyMatcher(en_vocab)
    matcher.add("PAIR", [pair_pattern(op)])
    found = [tuple(ids) for _, ids in matcher(doc)]
    assert found == OPERATOR_TABLE[op]  # also checks the order: by node token indices


def test_operator_with_attributes_on_both_nodes(en_vocab, doc):
    matcher = DependencyMatcher(en_vocab)
    matcher.add("MOD", [pair_pattern(">", {"ORTH": "dogs"}, {"DEP": "amod", "ORTH": {"IN": ["red"]}})])
    assert [ids for _, ids in matcher(doc)] == [[2, 1]]


def test_nodes_of_a_match_share_one_tree(en_vocab):
    # Tree A = {0, 2} (root 0) spans token 1 of tree B = {1, 3} (root 1): "." from 0
    # reaches 1 by position but not by tree, so it is no match.
    doc = Doc(en_vocab, words=["w", "x", "y", "z"], heads=[0, 1, 0, 1], deps=["ROOT", "ROOT", "d", "d"])
    matcher = DependencyMatcher(en_vocab)
    matcher.add("NEXT", [pair_pattern(".*")])
    assert [ids for _, ids in matcher(doc)] == [[0, 2], [1, 3]]
    matcher = DependencyMatcher(en_vocab)
    matcher.add("NEXT", [pair_pattern(".")])
    assert [ids for _, ids in matcher(doc)] == []


# ---- worked examples (in the spirit of spaCy's usage docs) ------------------------------

def company_doc(vocab):
    # "Ada founded a small robotics company in 2019 ."
    words = ["Ada", "founded", "a", "small", "robotics", "company", "in", "2019", "."]
    heads = [1, 1, 5, 5, 5, 1, 1, 6, 1]
    deps = ["nsubj", "ROOT", "det", "amod", "compound", "dobj", "prep", "pobj", "punct"]
    pos = ["PROPN", "VERB", "DET", "ADJ", "NOUN", "NOUN", "ADP", "NUM", "PUNCT"]
    return Doc(vocab, words=words, heads=heads, deps=deps, pos=pos)


def test_founder_pattern(en_vocab):
    doc = company_doc(en_vocab)
    pattern = [
        {"RIGHT_ID": "verb", "RIGHT_ATTRS": {"ORTH": "founded"}},
        {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "founder", "RIGHT_ATTRS": {"DEP": "nsubj"}},
        {"LEFT_ID": "verb", "REL_OP": ">", "RIGHT_ID": "company", "RIGHT_ATTRS": {"DEP": "dobj"}},
        {"LEFT_ID": "company", "REL_OP": ">", "RIGHT_ID": "modifier",
         "RIGHT_ATTRS": {"DEP": {"IN": ["amod", "compound"]}}},
    ]
    matcher = DependencyMatcher(en_vocab)
    matcher.add("FOUNDED", [pattern])
    matches = matcher(doc)
    assert [(en_vocab.strings[k], ids) for k, ids in matches] == [("FOUNDED", [1, 0, 5, 3]),
                                                                  ("FOUNDED", [1, 0, 5, 4])]
    # token indices follow the pattern's node order, so names can be zipped back on
    names = [node["RIGHT_ID"] for node in pattern]
    assert {n: doc[i].text for n, i in zip(names, matches[0][1])} == {
        "verb": "founded", "founder": "Ada", "company": "company", "modifier": "small"}


def test_precedence_and_sibling_operators_in_a_pattern(en_vocab):
    doc = company_doc(en_vocab)
    matcher = DependencyMatcher(en_vocab)
    # a noun's modifiers in order: an adjective directly before a compound, both its children
    matcher.add("ADJ_COMPOUND", [[
        {"RIGHT_ID": "noun", "RIGHT_ATTRS": {"POS": "NOUN"}},
        {"LEFT_ID": "noun", "REL_OP": ">--", "RIGHT_ID": "adj", "RIGHT_ATTRS": {"POS": "ADJ"}},
        {"LEFT_ID": "adj", "REL_OP": "$+", "RIGHT_ID": "compound", "RIGHT_ATTRS": {"DEP": "compound"}},
    ]])
    # the year, somewhere after the object, attached through a preposition
    matcher.add("WHEN", [[
        {"RIGHT_ID": "object", "RIGHT_ATTRS": {"DEP": "dobj"}},
        {"LEFT_ID": "object", "REL_OP": ".*", "RIGHT_ID": "year", "RIGHT_ATTRS": {"POS": "NUM"}},
        {"LEFT_ID": "year", "REL_OP": "<", "RIGHT_ID": "prep", "RIGHT_ATTRS": {"DEP": "prep"}},
    ]])
    strings = en_vocab.strings
    assert [(strings[k], ids) for k, ids in matcher(doc)] == [("ADJ_COMPOUND", [5, 3, 4]), ("WHEN", [5, 7, 6])]


def test_two_nodes_may_match_one_token_as_in_spacy(en_vocab, doc):
    matcher = DependencyMatcher(en_vocab)
    matcher.add("TWO_MODS", [[
        {"RIGHT_ID": "noun", "RIGHT_ATTRS": {"ORTH": "dogs"}},
        {"LEFT_ID": "noun", "REL_OP": ">", "RIGHT_ID": "m1", "RIGHT_ATTRS": {"DEP": "amod"}},
        {"LEFT_ID": "noun", "REL_OP": ">", "RIGHT_ID": "m2", "RIGHT_ATTRS": {"DEP": "amod"}},
    ]])
    assert [ids for _, ids in matcher(doc)] == [[2, 0, 0], [2, 0, 1], [2, 1, 0], [2, 1, 1]]
    distinct = [ids for _, ids in matcher(doc) if len(set(ids)) == len(ids)]
    assert distinct == [[2, 0, 1], [2, 1, 0]]


def test_negated_attributes_and_extensions(en_vocab, doc):
    Token.set_extension("loud", default=False, force=True)
    doc[4]._.loud = True
    matcher = DependencyMatcher(en_vocab)
    matcher.add("NOT_SUBJ", [pair_pattern(">", {"ORTH": "bark"}, {"DEP": "nsubj", "OP": "!"})])
    matcher.add("LOUD", [pair_pattern(">", {}, {"_": {"loud": True}})])
    assert [(en_vocab.strings[k], ids) for k, ids in matcher(doc)] == [
        ("NOT_SUBJ", [3, 4]), ("NOT_SUBJ", [3, 5]), ("LOUD", [3, 4])]


# ---- API ---------------------------------------------------------------------------

def test_api_len_contains_get_remove(en_vocab, doc):
    matcher = DependencyMatcher(en_vocab)
    assert len(matcher) == 0 and matcher(doc) == []
    matcher.add("A", [pair_pattern(">")])
    matcher.add("A", [pair_pattern("<")])  # extends the key
    matcher.add("B", [pair_pattern(".")])
    assert len(matcher) == 2 and "A" in matcher and en_vocab.strings["B"] in matcher
    assert matcher.has_key("A") and "C" not in matcher
    on_match, patterns = matcher.get("A")
    assert on_match is None and patterns == [pair_pattern(">"), pair_pattern("<")]
    patterns[0][0]["RIGHT_ID"] = "changed"  # get() returns copies
    assert matcher.get("A")[1][0][0]["RIGHT_ID"] == "a"
    assert matcher.get("C", "none") == "none"
    n_a = len(OPERATOR_TABLE[">"]) + len(OPERATOR_TABLE["<"])
    assert len(matcher(doc)) == n_a + len(OPERATOR_TABLE["."])
    matcher.remove("A")
    assert "A" not in matcher and len(matcher(doc)) == len(OPERATOR_TABLE["."])
    with pytest.raises(KeyError, match=r"\[E335\] DependencyMatcher has no key 'A'"):
        matcher.remove("A")


def test_on_match_callback(en_vocab, doc):
    seen = []

    def collect(matcher, doc_arg, i, matches):
        seen.append((doc_arg is doc, i, matches[i][1]))

    matcher = DependencyMatcher(en_vocab)
    matcher.add("SUBJ", [pair_pattern(">", {}, {"DEP": "nsubj"})], on_match=collect)
    assert len(matcher(doc)) == 2
    assert seen == [(True, 0, [3, 2]), (True, 1, [7, 6])]


def test_span_is_matched_as_its_own_doc(en_vocab, doc):
    matcher = DependencyMatcher(en_vocab)
    matcher.add("LEFT_HEAD", [pair_pattern("<--")])
    # doc[2:6] = dogs bark loudly . : indices count from the span's start
    assert [ids for _, ids in matcher(doc[2:6])] == [[2, 1], [3, 1]]


def test_unparsed_doc_warns_once_and_matches_single_nodes(en_vocab):
    doc = Doc(en_vocab, words=["a", "b"])
    matcher = DependencyMatcher(en_vocab)
    matcher.add("ONE", [[{"RIGHT_ID": "x", "RIGHT_ATTRS": {"ORTH": "b"}}]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert matcher(doc) == [(en_vocab.strings["ONE"], [1])]  # no relation: no warning
    matcher.add("TWO", [pair_pattern(">")])
    with pytest.warns(HeronWarning, match=r"\[W406\]"):
        matcher(doc)
    assert matcher(Doc(en_vocab, words=[])) == []


def test_call_on_something_else_is_a_coded_error(en_vocab):
    matcher = DependencyMatcher(en_vocab)
    with pytest.raises(TypeError, match=r"\[E424\].*got str"):
        matcher("a text")


def test_long_doc_is_not_quadratic(en_vocab):
    # 2,000 sentences of "big red dogs bark loudly . cats sleep"
    n = 2000
    words = WORDS * n
    heads = [h + 8 * k for k in range(n) for h in HEADS]
    doc = Doc(en_vocab, words=words, heads=heads, deps=DEPS * n)
    matcher = DependencyMatcher(en_vocab)
    matcher.add("SUBJ", [pair_pattern(">", {"DEP": "ROOT"}, {"DEP": "nsubj"}),
                         pair_pattern(">>", {"ORTH": "bark"}, {"ORTH": "big"})])
    assert len(matcher(doc)) == 3 * n


# ---- validation: coded errors naming the key, the pattern and the node ----------------

ANCHOR = {"RIGHT_ID": "a", "RIGHT_ATTRS": {}}


@pytest.mark.parametrize("patterns,code,fragment", [
    ("nope", "E416", "`patterns` must be a list"),
    ([[]], "E416", "pattern 0 must be a non-empty list"),
    ([[ANCHOR], "x"], "E416", "pattern 1 must be a non-empty list"),
    ([[ANCHOR, ["b"]]], "E416", "node 1 of pattern 0 must be a dict"),
    ([[{"RIGHT_ATTRS": {}}]], "E417", "node 0 {'RIGHT_ATTRS': {}}: missing RIGHT_ID"),
    ([[{"RIGHT_ID": "a", "RIGHT_ATTRS": {}, "REL_OP": ">", "LEFT_ID": "a"}]], "E417", "anchor"),
    ([[ANCHOR, {"LEFT_ID": "a", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]], "E417", "missing REL_OP"),
    ([[{"RIGHT_ID": "a", "RIGHT_ATTRS": "NOUN"}]], "E417", "RIGHT_ATTRS must be a dict"),
    ([[{"RIGHT_ID": 1, "RIGHT_ATTRS": {}}]], "E417", "RIGHT_ID must be a str"),
    ([[ANCHOR, {"LEFT_ID": "a", "REL_OP": ">", "RIGHT_ID": "a", "RIGHT_ATTRS": {}}]], "E418",
     "RIGHT_ID 'a' is already node 0's"),
    ([[ANCHOR, {"LEFT_ID": "z", "REL_OP": ">", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]], "E418",
     "LEFT_ID 'z' is not the RIGHT_ID of an earlier node (earlier: 'a')"),
    ([[ANCHOR, {"LEFT_ID": "a", "REL_OP": ">>>", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]], "E419",
     "unknown REL_OP '>>>'. Did you mean '>>'?"),
    ([[ANCHOR, {"LEFT_ID": "a", "REL_OP": ">", "RIGHT_ID": "b", "RIGHT_ATTRS": {"OP": "?"}}]], "E422",
     "node 1: RIGHT_ATTRS has OP '?'"),
    ([[ANCHOR, {"LEFT_ID": "a", "REL_OP": ">", "RIGHT_ID": "b", "RIGHT_ATTRS": {"DEPP": "x"}}]], "E331",
     "token 1 (RIGHT_ID 'b'): unknown attribute 'DEPP'. Did you mean 'DEP'?"),
])
def test_invalid_patterns(en_vocab, patterns, code, fragment):
    matcher = DependencyMatcher(en_vocab)
    with pytest.raises(HeronError) as info:
        matcher.add("MY_KEY", patterns)
    message = str(info.value)
    assert message.startswith(f"[{code}]") and fragment in message and "'MY_KEY'" in message
    assert "Fix:" in message or code == "E331"
    assert "MY_KEY" not in matcher  # nothing was added


def test_error_names_the_pattern_index_after_earlier_adds(en_vocab):
    matcher = DependencyMatcher(en_vocab)
    matcher.add("K", [[ANCHOR]])
    with pytest.raises(HeronError, match=r"\[E418\] DependencyMatcher pattern 1 for key 'K', node 1"):
        matcher.add("K", [[ANCHOR, {"LEFT_ID": "q", "REL_OP": ">", "RIGHT_ID": "b", "RIGHT_ATTRS": {}}]])
    assert len(matcher.get("K")[1]) == 1


def test_validate_checks_value_types(en_vocab):
    pattern = [{"RIGHT_ID": "a", "RIGHT_ATTRS": {"ORTH": 3}}]
    DependencyMatcher(en_vocab).add("LOOSE", [pattern])
    with pytest.raises(HeronError, match=r"\[E333\].*'LOOSE'.*expected a string"):
        DependencyMatcher(en_vocab, validate=True).add("LOOSE", [pattern])


def test_bad_on_match_and_unknown_node_keys(en_vocab):
    matcher = DependencyMatcher(en_vocab)
    with pytest.raises(TypeError, match=r"\[E423\]"):
        matcher.add("K", [[ANCHOR]], on_match="print")
    with pytest.warns(HeronWarning, match=r"\[W407\].*node 0: ignored unknown key\(s\) NOTE"):
        matcher.add("K", [[{**ANCHOR, "NOTE": "the verb"}]])
    assert "K" in matcher
