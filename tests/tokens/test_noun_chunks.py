"""doc.noun_chunks: spaCy's English rules on hand-built ClearNLP and UD trees.

Each expected chunk list is derived by hand from the rules in heron/tokens/noun_chunks.py
(spaCy's spacy/lang/en/syntax_iterators.py); the ClearNLP cases were also checked against
spaCy 3.8 once. A UD tree of a sentence gives the chunks its ClearNLP tree gives.
"""
import pytest

from heron.errors import HeronError
from heron.tokens import Doc, Vocab

# name: (words, heads, ClearNLP deps, UD heads, UD deps, pos, expected chunks)
CASES = {
    "coordination and prepositions": (
        "The quick fox and the lazy dog saw a cat in the big house .",
        [2, 2, 7, 2, 6, 6, 2, 7, 9, 7, 9, 13, 13, 10, 7],
        "det amod nsubj cc det amod conj ROOT det dobj prep det amod pobj punct",
        [2, 2, 7, 6, 6, 6, 2, 7, 9, 7, 13, 13, 13, 9, 7],
        "det amod nsubj cc det amod conj root det obj case det amod nmod punct",
        "DET ADJ NOUN CCONJ DET ADJ NOUN VERB DET NOUN ADP DET ADJ NOUN PUNCT",
        ["The quick fox", "the lazy dog", "a cat", "the big house"]),
    "copula": (
        "She is a doctor .", [1, 1, 3, 1, 1], "nsubj ROOT det attr punct",
        [3, 3, 3, 3, 3], "nsubj cop det root punct",
        "PRON AUX DET NOUN PUNCT", ["She", "a doctor"]),
    "name": (
        "We visited New York yesterday .", [1, 1, 3, 1, 1, 1], "nsubj ROOT compound dobj npadvmod punct",
        [1, 1, 1, 2, 1, 1], "nsubj root obj flat obl:tmod punct",
        "PRON VERB PROPN PROPN NOUN PUNCT", ["We", "New York"]),
    "apposition": (
        "Sam , my friend , left", [5, 0, 3, 0, 0, 5], "nsubj punct poss appos punct ROOT",
        [5, 3, 3, 0, 3, 5], "nsubj punct nmod:poss appos punct root",
        "PROPN PUNCT PRON NOUN PUNCT VERB", ["Sam", "my friend"]),
    "relative clause": (
        "The man who I saw left", [1, 5, 4, 4, 1, 5], "det nsubj dobj nsubj relcl ROOT",
        [1, 5, 4, 4, 1, 5], "det nsubj obj nsubj acl:relcl root",
        "DET NOUN PRON PRON VERB VERB", ["The man", "who", "I"]),
    "conjunct list": (
        "cats , dogs and birds sleep", [5, 0, 0, 2, 2, 5], "nsubj punct conj cc conj ROOT",
        [5, 2, 0, 4, 0, 5], "nsubj punct conj cc conj root",
        "NOUN PUNCT NOUN CCONJ NOUN VERB", ["cats", "dogs", "birds"]),
    "possessive": (
        "my friend 's car broke", [1, 3, 1, 4, 4], "poss poss case nsubj ROOT",
        [1, 3, 1, 4, 4], "nmod:poss nmod:poss case nsubj root",
        "PRON NOUN PART NOUN VERB", ["my friend 's car"]),
    "passive with agent": (
        "The cake was eaten by the kids", [1, 3, 3, 3, 3, 6, 4], "det nsubjpass auxpass ROOT agent det pobj",
        [1, 3, 3, 3, 6, 6, 3], "det nsubj:pass aux:pass root case det obl:agent",
        "DET NOUN AUX VERB ADP DET NOUN", ["The cake", "the kids"]),
}


def _doc(vocab, words, heads, deps, pos):
    return Doc(vocab, words.split(), heads=heads, deps=deps.split(), pos=pos.split())


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("scheme", ["clearnlp", "ud"])
def test_noun_chunks(name, scheme):
    words, heads, deps, ud_heads, ud_deps, pos, expected = CASES[name]
    if scheme == "ud":
        heads, deps = ud_heads, ud_deps
    doc = _doc(Vocab(lang="en"), words, heads, deps, pos)
    chunks = list(doc.noun_chunks)
    assert [c.text for c in chunks] == expected
    assert all(c.label_ == "NP" for c in chunks)


def test_ud_trees_without_ud_only_labels():
    # Only labels both schemes share (and ROOT, as heron's CoNLL-U reader writes it): the
    # attachment of "and" and "of" to the word after them shows the trees are UD.
    vocab = Vocab(lang="en")
    doc = _doc(vocab, "cats and dogs sleep", [3, 2, 0, 3], "nsubj cc conj ROOT", "NOUN CCONJ NOUN VERB")
    assert [c.text for c in doc.noun_chunks] == ["cats", "dogs"]
    doc = _doc(vocab, "the cat of the house sleeps", [1, 5, 4, 4, 1, 5], "det nsubj case det nmod ROOT",
               "DET NOUN ADP DET NOUN VERB")
    assert [c.text for c in doc.noun_chunks] == ["the cat", "the house"]
    doc = _doc(vocab, "good music , great food", [1, 1, 4, 4, 1], "amod ROOT punct amod appos",
               "ADJ NOUN PUNCT ADJ NOUN")
    assert [c.text for c in doc.noun_chunks] == ["good music", "great food"]


def test_chunks_never_nest():
    # "dog" is a subject inside the subject "owner"'s subtree: only the first chunk stays.
    doc = _doc(Vocab(lang="en"), "The dog owner sleeps", [1, 2, 3, 3], "det nsubj nsubj ROOT", "DET NOUN NOUN VERB")
    assert [c.text for c in doc.noun_chunks] == ["The dog"]


def test_span_noun_chunks_and_no_pos():
    words, heads, deps, _, _, pos, _ = CASES["coordination and prepositions"]
    doc = _doc(Vocab(lang="en"), words, heads, deps, pos)
    assert [c.text for c in doc[7:15].noun_chunks] == ["a cat", "the big house"]
    assert [c.text for c in doc[0:5].noun_chunks] == ["The quick fox"]
    no_pos = Doc(Vocab(lang="en"), words.split(), heads=heads, deps=deps.split())
    assert list(no_pos.noun_chunks) == []


def test_noun_chunks_need_a_parse_e060():
    doc = Doc(Vocab(lang="en"), ["a", "cat"], pos=["DET", "NOUN"])
    with pytest.raises(HeronError, match=r"\[E060\].*parser"):
        list(doc.noun_chunks)


def test_language_without_rules_e061_and_own_rules():
    vocab = Vocab(lang="xx")
    doc = Doc(vocab, ["a", "b"], heads=[1, 1], deps=["x", "ROOT"])
    with pytest.raises(NotImplementedError, match=r"\[E061\].*'xx'"):
        list(doc.noun_chunks)
    vocab.get_noun_chunks = lambda d: iter([(0, 2, d.vocab.strings.add("NP"))])
    assert [(c.text, c.label_) for c in doc.noun_chunks] == [("a b", "NP")]
    assert [c.text for c in doc[0:1].noun_chunks] == []


def test_chunks_are_collected_before_retokenizing():
    words, heads, deps, _, _, pos, _ = CASES["coordination and prepositions"]
    doc = _doc(Vocab(lang="en"), words, heads, deps, pos)
    with doc.retokenize() as retokenizer:
        for chunk in doc.noun_chunks:
            retokenizer.merge(chunk)
    assert [t.text for t in doc] == ["The quick fox", "and", "the lazy dog", "saw", "a cat", "in", "the big house", "."]
    assert [c.text for c in doc.noun_chunks] == ["The quick fox", "the lazy dog", "a cat", "the big house"]
