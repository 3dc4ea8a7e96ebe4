"""featurize(docs, attrs, n_chars=N) -> TokenBatch.chars: spaCy's Doc.to_utf8_array bytes."""
import numpy as np
import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.featurize import featurize
from heron.featurize.tokens import CHAR_PAD, char_bytes
from heron.tokens import Doc

WORDS = ["jumping", "a", "", "héllo", "東京", "🙂", "C3-PO", "unbelievable", "ab"]


def to_utf8_array(words, nr_char):
    """spaCy's Doc.to_utf8_array loop, transcribed: bytes 0, -1, 1, -2, ... padded with 255."""
    output = np.full((len(words), nr_char), 255, dtype=np.uint8)
    for i, word in enumerate(words):
        byte_string = word.encode("utf8")
        j, start, end = 0, 0, len(byte_string) - 1
        while j < nr_char and start <= end:
            output[i, j] = byte_string[start]
            start += 1
            j += 1
            if j < nr_char and start <= end:
                output[i, j] = byte_string[end]
                end -= 1
                j += 1
    return output


@pytest.mark.parametrize("n_chars", [1, 2, 3, 4, 7, 8, 16])
def test_char_bytes_match_spacys_to_utf8_array(n_chars):
    np.testing.assert_array_equal(char_bytes(WORDS, n_chars), to_utf8_array(WORDS, n_chars))


def test_char_bytes_example_and_prefix_property():
    # spaCy's docstring: nC = 4 on "jumping" reads j, g, u, n.
    assert bytes(char_bytes(["jumping"], 4)[0]) == b"jgun"
    # The first k columns of the n-byte scheme are the k-byte scheme (layers share one batch).
    np.testing.assert_array_equal(char_bytes(WORDS, 8)[:, :5], char_bytes(WORDS, 5))


def test_featurize_chars(en_vocab):
    docs = [Doc(en_vocab, words=["The", "jumping", "fox"]), Doc(en_vocab, words=[]),
            Doc(en_vocab, words=["naïve"])]
    batch = featurize(docs, ["LOWER"], n_chars=6)
    assert batch.chars is not None and batch.chars.dtype == torch.uint8 and batch.chars.shape == (3, 3, 6)
    for b, doc in enumerate(docs):
        np.testing.assert_array_equal(batch.chars[b, : len(doc)].numpy(), to_utf8_array(doc.words, 6))
        assert (batch.chars[b, len(doc):] == CHAR_PAD).all(), "padding holds the pad byte"
    # Cached rows give the same bytes; ids are unchanged by asking for chars.
    again = featurize(docs, ["LOWER"], n_chars=6)
    assert torch.equal(again.chars, batch.chars)
    assert torch.equal(featurize(docs, ["LOWER"]).ids, batch.ids)
    assert featurize(docs, ["LOWER"]).chars is None
    assert batch.to("cpu").chars is not None


def test_featurize_chars_with_vectors_and_non_lexical_attrs_and_two_vocabs():
    nlp_a, nlp_b = heron.blank("en"), heron.blank("en")
    docs = [nlp_a.make_doc("Cats purr"), nlp_b.make_doc("dogs bark loudly")]
    batch = featurize(docs, ["TAG"], n_chars=4)  # no lexical column, docs of two vocabs
    np.testing.assert_array_equal(batch.chars[0, :2].numpy(), to_utf8_array(["Cats", "purr"], 4))
    np.testing.assert_array_equal(batch.chars[1].numpy(), to_utf8_array(["dogs", "bark", "loudly"], 4))
    assert (batch.chars[0, 2] == CHAR_PAD).all()


@pytest.mark.parametrize("bad", [-1, 2.5, True, "8"])
def test_featurize_bad_n_chars(en_vocab, bad):
    with pytest.raises(HeronValueError, match="E157"):
        featurize([Doc(en_vocab, words=["x"])], ["NORM"], n_chars=bad)
