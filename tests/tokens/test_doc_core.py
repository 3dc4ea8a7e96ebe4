import numpy as np
import pytest

from heron.errors import HeronError
from heron.tokens import Doc, Span, Token, Vocab


@pytest.fixture
def vocab():
    return Vocab(lang="en")


def test_text_roundtrip_and_offsets(vocab):
    doc = Doc(vocab, ["Hello", ",", "world", "!", "\n"], [False, True, False, True, False])
    assert doc.text == "Hello, world! \n" == str(doc) == repr(doc) == doc.text_with_ws
    assert [t.idx for t in doc] == [0, 5, 7, 12, 14]
    assert [t.whitespace_ for t in doc] == ["", " ", "", " ", ""]
    assert doc[2].text_with_ws == "world"
    assert len(doc) == 5 and doc[-1].text == "\n" and doc[-5].i == 0


def test_default_spaces_are_true(vocab):
    assert Doc(vocab, ["a", "b"]).text == "a b "
    assert Doc(vocab).text == "" and len(Doc(vocab)) == 0


def test_words_are_copied(vocab):
    words = ["a", "b"]
    doc = Doc(vocab, words)
    words.append("c")
    assert len(doc) == 2


def test_fast_constructor_matches(vocab):
    doc = Doc._from_words_fast(vocab, ["x", "y"], [True, False])
    assert doc.text == "x y" and doc.user_data == {} and doc.tensor.shape == (0, 0)


@pytest.mark.parametrize("words,spaces,code", [
    (["a", ""], None, "E006"), (["a", 3], None, "E006"), (["a", "b"], [True], "E005")])
def test_bad_words_or_spaces(vocab, words, spaces, code):
    with pytest.raises(HeronError, match=rf"\[{code}\]"):
        Doc(vocab, words, spaces)


def test_indexing_and_slicing(vocab):
    doc = Doc(vocab, ["a", "b", "c", "d"])
    span = doc[1:3]
    assert isinstance(span, Span) and span.text == "b c" and span.start == 1 and span.end == 3
    assert doc[-2:].text == "c d" and doc[:].text == "a b c d" and len(doc[3:1]) == 0
    assert isinstance(doc[0], Token) and doc[0] == doc[0] and doc[0] != doc[1]
    with pytest.raises(IndexError, match=r"\[E016\]"):
        doc[4]
    with pytest.raises(HeronError, match=r"\[E017\]"):
        doc[::2]
    assert [t.text for t in doc] == ["a", "b", "c", "d"]


def test_annotations_in_constructor(vocab):
    doc = Doc(vocab, ["She", "runs", "."], tags=["PRP", "VBZ", "."], pos=["PRON", "VERB", "PUNCT"],
              morphs=["Number=Sing|Case=Nom", "Tense=Pres", ""], lemmas=["she", "run", "."],
              heads=[1, 1, 1], deps=["nsubj", "ROOT", "punct"])
    assert [t.tag_ for t in doc] == ["PRP", "VBZ", "."]
    assert [t.pos_ for t in doc] == ["PRON", "VERB", "PUNCT"]
    assert str(doc[0].morph) == "Case=Nom|Number=Sing"  # normalised order
    assert doc[0].morph.to_dict() == {"Case": "Nom", "Number": "Sing"}
    assert str(doc[2].morph) == "" and doc.has_annotation("MORPH", require_complete=True)
    assert [t.lemma_ for t in doc] == ["she", "run", "."]
    assert [t.head.i for t in doc] == [1, 1, 1] and doc[1].dep_ == "ROOT"
    assert [c.i for c in doc[1].children] == [0, 2]
    assert [t.i for t in doc[1].lefts] == [0] and [t.i for t in doc[1].rights] == [2]
    assert vocab.strings[doc[0].tag] == "PRP" and doc[0].pos == vocab.strings["PRON"]


def test_annotation_length_mismatch(vocab):
    with pytest.raises(HeronError, match=r"\[E007\].*tags"):
        Doc(vocab, ["a", "b"], tags=["X"])


def test_invalid_pos_lists_allowed_values(vocab):
    with pytest.raises(HeronError, match=r"\[E008\].*'NN'.*ADJ, ADP"):
        Doc(vocab, ["a"], pos=["NN"])
    doc = Doc(vocab, ["a"])
    with pytest.raises(HeronError, match=r"\[E008\]"):
        doc[0].pos_ = "noun"


def test_invalid_heads(vocab):
    with pytest.raises(HeronError, match=r"\[E009\]"):
        Doc(vocab, ["a", "b"], heads=[0, 5])


def test_has_annotation(vocab):
    doc = Doc(vocab, ["a", "b", "c"])
    for attr in ("TAG", "POS", "LEMMA", "MORPH", "DEP", "HEAD", "ENT_IOB", "SENT_START"):
        assert not doc.has_annotation(attr), attr
    doc[1].tag_ = "X"
    assert doc.has_annotation("TAG") and not doc.has_annotation("TAG", require_complete=True)
    assert Doc(vocab).has_annotation("TAG")
    assert Doc(vocab, ["one"]).has_annotation("SENT_START")
    with pytest.raises(HeronError, match=r"\[E020\]"):
        doc.has_annotation("FISH")


def test_setters_through_tokens(vocab):
    doc = Doc(vocab, ["I", "saw", "it"])
    doc[0].tag_ = "PRP"
    doc[0].lemma_ = "I"
    doc[0].dep_ = "nsubj"
    doc[0].head = doc[1]
    doc[0].morph = "Person=1"
    doc[2].morph = {"Person": "3", "Number": "Sing"}
    doc[1].pos_ = "VERB"
    assert (doc[0].tag_, doc[0].lemma_, doc[0].dep_, doc[0].head.i) == ("PRP", "I", "nsubj", 1)
    assert str(doc[2].morph) == "Number=Sing|Person=3" and "Person=3" in doc[2].morph
    assert doc[2].morph.get("Person") == ["3"] and doc[1].pos_ == "VERB"
    assert doc.to_array(["TAG"])[0, 0] == vocab.strings["PRP"]
    with pytest.raises(HeronError, match=r"\[E027\]"):
        doc[0].morph = "Person"


def test_sents_from_sent_starts(vocab):
    doc = Doc(vocab, ["A", ".", "B", "."], sent_starts=[True, False, True, False])
    sents = list(doc.sents)
    assert [s.text for s in sents] == ["A .", "B ."]
    assert doc[3].sent.text == "B ." and doc[1:2].sent.start == 0
    assert doc[2].is_sent_start and doc[1].is_sent_start is False and doc[3].is_sent_end


def test_sents_unset_raises_e030(vocab):
    doc = Doc(vocab, ["A", ".", "B"])
    assert doc[0].is_sent_start and doc[1].is_sent_start is None
    with pytest.raises(HeronError, match=r"\[E030\].*sentencizer"):
        list(doc.sents)
    doc[2].is_sent_start = True
    assert [s.text for s in doc.sents] == ["A .", "B"]
    with pytest.raises(HeronError, match=r"\[E032\]"):
        doc[0].is_sent_start = False


def test_sents_from_heads(vocab):
    doc = Doc(vocab, ["Hi", ".", "Go", "home"], heads=[0, 0, 2, 2], deps=["ROOT", "punct", "ROOT", "obj"])
    assert [s.text for s in doc.sents] == ["Hi .", "Go home"]
    assert doc[2:4].root.i == 2 and doc[3].head.text == "Go"
    assert [t.i for t in doc[2].subtree] == [2, 3] and doc[3].left_edge.i == 3


def test_char_span_modes(vocab):
    doc = Doc(vocab, ["New", "York", "is", "big"])  # "New York is big "
    assert doc.char_span(0, 8).text == "New York"
    assert doc.char_span(0, 8, label="GPE").label_ == "GPE"
    assert doc.char_span(1, 8) is None
    assert doc.char_span(1, 8, alignment_mode="contract").text == "York"
    assert doc.char_span(1, 7, alignment_mode="expand").text == "New York"
    assert doc.char_span(3, 4, alignment_mode="contract") is None
    assert doc.char_span(9, 15, alignment_mode="expand").text == "is big"
    with pytest.raises(HeronError, match=r"\[E019\]"):
        doc.char_span(0, 3, alignment_mode="loose")


def test_to_from_array(vocab):
    doc = Doc(vocab, ["a", "b", "c"], tags=["X", "Y", None], heads=[1, 1, 1], deps=["d", "ROOT", "d"])
    arr = doc.to_array(["ORTH", "TAG", "HEAD", "DEP", "SENT_START"])
    assert arr.dtype == np.uint64 and arr.shape == (3, 5)
    assert arr[:, 2].view(np.int64).tolist() == [1, 0, -1]
    other = Doc(vocab, ["a", "b", "c"]).from_array(["TAG", "HEAD", "DEP"], arr[:, 1:4])
    assert [t.tag_ for t in other] == ["X", "Y", ""] and [t.head.i for t in other] == [1, 1, 1]
    assert doc.to_array("LENGTH").tolist() == [1, 1, 1]
    assert doc.to_array(["IS_ALPHA", "LIKE_NUM", "IDX", "SPACY"]).tolist() == [[1, 0, 0, 1], [1, 0, 2, 1], [1, 0, 4, 1]]
    with pytest.raises(HeronError, match=r"\[E031\]"):
        other.from_array(["TAG"], arr)


def test_copy_is_independent(vocab):
    doc = Doc(vocab, ["a", "b"], tags=["X", "Y"], user_data={"k": [1]})
    doc.tensor = np.ones((2, 3), dtype="float32")
    doc.cats["POS"] = 1.0
    new = doc.copy()
    new[0].tag_ = "Z"
    new.user_data["k"].append(2)
    assert doc[0].tag_ == "X" and doc.user_data["k"] == [1]
    assert new.tensor.shape == (2, 3) and new.cats == {"POS": 1.0} and new.vocab is vocab


def test_lexical_attrs_on_tokens(vocab):
    doc = Doc(vocab, ["The", "10,000", "Dogs", "heron.dev"])
    assert doc[0].is_stop and doc[0].lower_ == "the" and doc[0].is_title
    assert doc[1].like_num and doc[1].shape_ == "dd,ddd"
    assert doc[2].suffix_ == "ogs" and doc[2].prefix_ == "D" and doc[2].norm_ == "dogs"
    assert doc[3].like_url and not doc[3].like_email
    assert vocab.strings[doc[2].lower] == "dogs" and doc[2].orth == vocab.strings["Dogs"]
    assert doc[0].nbor().text == "10,000" and doc[1].nbor(-1).text == "The"
    with pytest.raises(IndexError, match=r"\[E016\]"):
        doc[3].nbor()


def test_doc_misc(vocab):
    doc = Doc(vocab, ["a"])
    assert doc.lang_ == "en" and doc.vocab is vocab and doc[0].vocab is vocab
    assert doc.tensor.shape == (0, 0) and doc.tensor.dtype == np.float32
    assert doc.count_by("ORTH") == {vocab.strings["a"]: 1}
