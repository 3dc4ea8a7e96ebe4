"""Edit trees (heron/pipeline/_edit_trees.py): spaCy's trees, ids and JSON for the same pairs."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heron.errors import HeronValueError
from heron.pipeline._edit_trees import NULL_TREE, EditTrees, longest_common_substring


def test_dutch_trees_as_spacy_prints_them():
    trees = EditTrees()
    deelt = trees.add("deelt", "delen")
    assert trees.tree_to_str(deelt) == "(m 0 3 () (m 0 2 (s '' 'l') (s 'lt' 'n')))"
    gedeeld = trees.add("gedeeld", "delen")
    assert trees.tree_to_str(gedeeld) == "(m 2 3 (s 'ge' '') (m 0 2 (s '' 'l') (s 'ld' 'n')))"


def test_one_tree_lemmatizes_a_whole_paradigm():
    trees = EditTrees()
    walked = trees.add("walked", "walk")
    assert trees.add("jumped", "jump") == walked
    assert trees.apply(walked, "talked") == "talk"


def test_trees_are_interned_children_first():
    trees = EditTrees()
    tree = trees.add("gegooid", "gooien")
    node = trees[tree]
    assert node["prefix_tree"] < tree and node["suffix_tree"] < tree
    assert len(trees) == 3 and trees.add("gegooid", "gooien") == tree


def test_ids_and_json_match_spacys_label_data():
    """spaCy 3.8's test_initialize_from_labels: the same pairs give the same trees and ids."""
    trees = EditTrees()
    ids = [trees.add(f, lemma) for f, lemma in [("She", "she"), ("likes", "like"), ("green", "green"),
                                                ("eggs", "egg"), ("Eat", "eat"), ("blue", "blue"), ("ham", "ham")]]
    assert sorted(set(ids)) == [1, 3, 4, 6]
    assert trees.to_json() == [
        {"orig": "S", "subst": "s"},
        {"prefix_len": 1, "suffix_len": 0, "prefix_tree": 0, "suffix_tree": NULL_TREE},
        {"orig": "s", "subst": ""},
        {"prefix_len": 0, "suffix_len": 1, "prefix_tree": NULL_TREE, "suffix_tree": 2},
        {"prefix_len": 0, "suffix_len": 0, "prefix_tree": NULL_TREE, "suffix_tree": NULL_TREE},
        {"orig": "E", "subst": "e"},
        {"prefix_len": 1, "suffix_len": 0, "prefix_tree": 5, "suffix_tree": NULL_TREE},
    ]


def test_unapplicable_trees_give_none():
    trees = EditTrees()
    tree = trees.add("deelt", "delen")
    assert trees.apply(tree, "deeld") is None  # the substitution's original differs
    assert trees.apply(tree, "de") is None  # shorter than prefix + suffix


def test_empty_strings_are_the_identity_tree():
    trees = EditTrees()
    assert trees.add("xyz", "xyz") == trees.add("", "")
    assert trees.apply(trees.add("", "x"), "") == "x"


def test_find_never_interns():
    trees = EditTrees()
    walked = trees.add("walked", "walk")
    assert trees.find("jumped", "jump") == walked
    assert trees.find("geese", "goose") is None
    assert len(trees) == 2


def test_longest_common_substring_takes_the_first_of_equal_ones():
    assert longest_common_substring("abab", "ab") == (0, 2, 0, 2)
    assert longest_common_substring("xyz", "abc") == (0, 0, 0, 0)


@settings(max_examples=200, deadline=None)
@given(st.text(), st.text())
def test_roundtrip(form, lemma):
    trees = EditTrees()
    assert trees.apply(trees.add(form, lemma), form) == lemma


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="ab"), st.text(alphabet="ab")), max_size=8))
def test_json_roundtrip_small_alphabet(pairs):
    trees = EditTrees()
    ids = [trees.add(f, lemma) for f, lemma in pairs]
    again = EditTrees.from_json(json.loads(json.dumps(trees.to_json())))
    assert again.to_json() == trees.to_json()
    assert [again.apply(i, f) for i, (f, _) in zip(ids, pairs)] == [lemma for _, lemma in pairs]
    assert [again.add(f, lemma) for f, lemma in pairs] == ids  # the interning map is rebuilt


@pytest.mark.parametrize("bad, problem", [
    ([{"prefix_len": 0, "suffix_len": 0, "prefix_tree": 0, "suffix_tree": NULL_TREE}], "not an earlier tree"),
    ([{"orig": "a"}], "neither"),
    ([{"orig": 1, "subst": "a"}], "must be strings"),
    ([{"prefix_len": -1, "suffix_len": 0, "prefix_tree": NULL_TREE, "suffix_tree": NULL_TREE}], "ints >= 0"),
    ([{"orig": "a", "subst": "b"}, {"orig": "a", "subst": "b"}], "repeats tree 0"),
    ("trees", "expected a list"),
])
def test_malformed_json_is_e930_naming_the_tree(bad, problem):
    with pytest.raises(HeronValueError, match=r"E930.*cfg.json") as e:
        EditTrees.from_json(bad, "cfg.json")
    assert problem in str(e.value)
