import numpy as np
import pytest

from heron.errors import HeronWarning
from heron.tokens import Doc, Span, Token, Vocab, filter_spans


class TinyVectors:
    """A minimal vectors table with spaCy's key protocol (hash -> row)."""

    def __init__(self, vocab, table):
        self.rows = {vocab.strings.add(w): np.asarray(v, dtype="float32") for w, v in table.items()}
        self.shape = (len(table), 2)

    def __contains__(self, key):
        return key in self.rows

    def __getitem__(self, key):
        return self.rows[key]


def test_vectors_and_similarity():
    vocab = Vocab()
    vocab.vectors = TinyVectors(vocab, {"cat": [1, 0], "dog": [1, 1]})
    doc = Doc(vocab, ["cat", "dog", "zebra"])
    assert doc[0].has_vector and not doc[2].has_vector
    assert doc[2].vector.tolist() == [0.0, 0.0] and doc[0].vector_norm == 1.0
    assert doc[0:2].vector.tolist() == [1.0, 0.5]
    assert doc[0].similarity(doc[1]) == pytest.approx(2 ** -0.5)
    with pytest.warns(HeronWarning, match="W562"):  # spaCy's W008: an empty vector
        assert doc[0].similarity(doc[2]) == 0.0 and doc.has_vector
    doc.user_token_hooks["similarity"] = lambda a, b: 0.25
    assert doc[0].similarity(doc[1]) == 0.25


def test_vector_falls_back_to_tensor():
    doc = Doc(Vocab(), ["a", "b"])
    assert not doc.has_vector and doc.vector.shape == (0,)
    doc.tensor = np.array([[1.0, 2.0], [3.0, 4.0]], dtype="float32")
    assert doc.vector.tolist() == [2.0, 3.0] and doc[1:2].vector.tolist() == [3.0, 4.0]


def test_from_docs():
    vocab = Vocab()
    Token.set_extension("mark", default=None)
    try:
        a = Doc(vocab, ["Hi", "."], [True, False], tags=["UH", "."], ents=["U-X", "O"])
        b = Doc(vocab, ["Bye", "now"], [True, False], ents=["O", "B-Y"])
        b[1]._.mark = "here"
        doc = Doc.from_docs([a, b])
        assert doc.text == "Hi . Bye now" and [t.tag_ for t in doc] == ["UH", ".", "", ""]
        assert [(e.text, e.label_) for e in doc.ents] == [("Hi", "X"), ("now", "Y")]
        assert [s.text for s in doc.sents] == ["Hi .", "Bye now"]
        assert doc[3]._.mark == "here"
        assert Doc.from_docs([a, b], ensure_whitespace=False).text == "Hi .Bye now"
        assert Doc.from_docs([]) is None
    finally:
        Token.remove_extension("mark")


def test_filter_spans():
    doc = Doc(Vocab(), list("abcdef"))
    spans = [Span(doc, 0, 2), Span(doc, 1, 4), Span(doc, 4, 5), Span(doc, 3, 5)]
    assert [(s.start, s.end) for s in filter_spans(spans)] == [(1, 4), (4, 5)]


def test_numpy_integer_index():
    doc = Doc(Vocab(), ["a", "b"])
    assert doc[np.int64(1)].text == "b" and doc[np.int32(-1)].i == 1
