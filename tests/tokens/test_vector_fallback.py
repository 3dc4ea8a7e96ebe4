"""Token/Span/Doc vectors fall back to doc.tensor without static vectors; similarity warns
like spaCy (W561 = spaCy's W007, W562 = W008) and is 1.0 for the same words."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import heron
from heron.errors import HeronWarning
from heron.tokens import Doc, Vocab
from heron.vectors import Vectors

TENSOR = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 1.0, 0.0]], dtype=np.float32)


def _cos(a, b):
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def _codes(caught):
    return sorted({str(w.message)[1:5] for w in caught if issubclass(w.category, HeronWarning)})


@pytest.mark.parametrize("table", [None, "empty"])
def test_tensor_rows_stand_in_for_missing_static_vectors(table):
    vocab = Vocab()
    if table == "empty":
        vocab.vectors = Vectors(shape=(0, 0))  # spaCy's vectors.size == 0 counts as none
    doc = Doc(vocab, ["cat", "sat", "down"])
    assert not doc[0].has_vector and not doc.has_vector and not doc[0:2].has_vector
    doc.tensor = TENSOR
    assert doc[1].has_vector and doc[0:2].has_vector and doc.has_vector
    np.testing.assert_array_equal(doc[1].vector, TENSOR[1])
    np.testing.assert_allclose(doc[1:3].vector, TENSOR[1:3].mean(0))
    np.testing.assert_allclose(doc.vector, TENSOR.mean(0))
    assert doc[0].vector_norm == 1.0 and doc[2:2].vector.shape == (0,)
    with pytest.warns(HeronWarning, match=r"W561.*Token\.similarity.*doc\.tensor"):
        assert doc[0].similarity(doc[2]) == pytest.approx(_cos(TENSOR[0], TENSOR[2]))
    with pytest.warns(HeronWarning, match=r"W561.*Span\.similarity"):
        assert doc[0:1].similarity(doc[1:3]) == pytest.approx(_cos(TENSOR[0], TENSOR[1:3].mean(0)))


def test_same_words_are_similar_without_warnings():
    vocab = Vocab()
    doc, other = Doc(vocab, ["a", "b", "a"]), Doc(vocab, ["a", "b"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert doc[0].similarity(doc[2]) == 1.0 and doc[0:1].similarity(doc[2]) == 1.0
        assert doc[0:2].similarity(other) == 1.0 and other.similarity(doc[0:2]) == 1.0
        assert doc[0].similarity(vocab["a"]) == 1.0  # a Lexeme of the same word


def test_empty_vectors_give_zero_with_both_warnings():
    vocab = Vocab()
    doc = Doc(vocab, ["cat", "dog"])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert doc[0].similarity(doc[1]) == 0.0
        assert doc.similarity(Doc(vocab, ["dog"])) == 0.0
    assert _codes(caught) == ["W561", "W562"]
    assert all(w.filename == __file__ for w in caught)  # the warning names the caller's line


def test_static_vectors_win_over_the_tensor():
    nlp = heron.blank("en")
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=np.eye(2, dtype=np.float32), keys=["cat", "dog"])
    doc = nlp("cat dog emu")
    doc.tensor = TENSOR
    np.testing.assert_array_equal(doc[0].vector, [1.0, 0.0])
    assert not doc[2].has_vector and doc[2].vector.tolist() == [0.0, 0.0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert doc[0].similarity(doc[1]) == 0.0  # orthogonal, no warning
        assert doc[0].similarity(doc[2]) == 0.0  # emu has no vector: W562 only
    assert _codes(caught) == ["W562"]


def test_tok2vec_pipeline_sets_the_tensor_that_similarity_uses():
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": {
        "@architectures": "heron.HashEmbedCNN.v1", "width": 8, "depth": 1, "embed_size": 50,
        "window_size": 1, "maxout_pieces": 2, "subword_features": False, "pretrained_vectors": None}})
    nlp.initialize()
    doc = nlp("The cat sat on the mat")
    assert doc.tensor.shape == (6, 8) and all(t.has_vector for t in doc)
    np.testing.assert_array_equal(doc[1].vector, doc.tensor[1])
    with pytest.warns(HeronWarning, match="W561"):
        assert doc[1].similarity(doc[5]) == pytest.approx(_cos(doc.tensor[1], doc.tensor[5]), abs=1e-6)
