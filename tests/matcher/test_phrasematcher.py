"""PhraseMatcher: Doc patterns by ORTH/LOWER/annotation attributes."""
import pytest

from heron.errors import HeronError
from heron.matcher import PhraseMatcher
from heron.tokens import Doc


def found(doc, matcher):
    return [(doc.vocab.strings[m], doc[s:e].text) for m, s, e in matcher(doc)]


def test_orth_matching_and_overlaps(nlp):
    matcher = PhraseMatcher(nlp.vocab)
    matcher.add("CITY", [nlp.make_doc("New York"), nlp.make_doc("York")])
    matcher.add("STATE", [nlp.make_doc("New York State")])
    doc = nlp("I left New York State for new york.")
    assert found(doc, matcher) == [("CITY", "New York"), ("STATE", "New York State"),
                                   ("CITY", "York")]
    assert len(matcher) == 2 and "CITY" in matcher


def test_lower_attr(nlp):
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("CITY", [nlp.make_doc("new york")])
    doc = nlp("NEW YORK and New York and new yorkers")
    assert found(doc, matcher) == [("CITY", "NEW YORK"), ("CITY", "New York")]


def test_same_phrase_two_keys_and_remove(nlp):
    matcher = PhraseMatcher(nlp.vocab)
    matcher.add("A", [nlp.make_doc("big apple")])
    matcher.add("B", [nlp.make_doc("big apple"), nlp.make_doc("apple")])
    doc = nlp("a big apple")
    assert found(doc, matcher) == [("A", "big apple"), ("B", "big apple"), ("B", "apple")]
    matcher.remove("A")
    assert found(doc, matcher) == [("B", "big apple"), ("B", "apple")]
    with pytest.raises(KeyError, match=r"\[E335\]"):
        matcher.remove("A")


def test_as_spans_on_match_and_span_input(nlp):
    calls = []
    matcher = PhraseMatcher(nlp.vocab)
    matcher.add("X", [nlp.make_doc("red car")], on_match=lambda m, d, i, ms: calls.append(i))
    doc = nlp("a red car and a red car")
    spans = matcher(doc, as_spans=True)
    assert [(s.start, s.end, s.label_) for s in spans] == [(1, 3, "X"), (5, 7, "X")]
    assert calls == [0, 1]
    assert [(s, e) for _, s, e in matcher(doc[4:7])] == [(1, 3)]


def test_pattern_at_doc_end_and_longer_than_doc(nlp):
    matcher = PhraseMatcher(nlp.vocab)
    matcher.add("X", [nlp.make_doc("a b c d")])
    assert matcher(nlp("x a b c")) == []
    assert found(nlp("x a b c d"), matcher) == [("X", "a b c d")]


def test_annotation_attr_needs_annotated_patterns(en_vocab):
    matcher = PhraseMatcher(en_vocab, attr="POS", validate=True)
    with pytest.raises(HeronError, match=r"\[E338\]"):
        matcher.add("X", [Doc(en_vocab, words=["big", "dog"])])
    matcher.add("ADJ_NOUN", [Doc(en_vocab, words=["big", "dog"], pos=["ADJ", "NOUN"])])
    doc = Doc(en_vocab, words=["a", "red", "car"], pos=["DET", "ADJ", "NOUN"])
    assert found(doc, matcher) == [("ADJ_NOUN", "red car")]


def test_bad_inputs(nlp):
    with pytest.raises(HeronError, match=r"\[E336\]"):
        PhraseMatcher(nlp.vocab, attr="IS_ALPHA")
    with pytest.raises(HeronError, match=r"\[E336\]"):
        PhraseMatcher(nlp.vocab, attr="NOPE")
    matcher = PhraseMatcher(nlp.vocab)
    with pytest.raises(HeronError, match=r"\[E337\]"):
        matcher.add("X", ["a string"])
    with pytest.raises(HeronError, match=r"\[E337\]"):
        matcher.add("X", nlp.make_doc("not a list"))
    with pytest.warns(UserWarning, match=r"\[W301\]"):
        matcher.add("X", [nlp.make_doc("")])


def test_many_patterns(nlp):
    matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
    matcher.add("NUM", [nlp.make_doc(f"item {i}") for i in range(2000)])
    doc = nlp("Item 1999 and item 7 but not item x")
    assert found(doc, matcher) == [("NUM", "Item 1999"), ("NUM", "item 7")]
