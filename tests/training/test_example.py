"""Example: gold values projected onto the predicted tokenization."""
import pytest

from heron.errors import HeronValueError
from heron.tokens import Doc
from heron.training import Example


@pytest.fixture
def split_example(en_vocab):
    # predicted merges "New York" and splits "cannot"; gold is the other way round.
    pred = Doc(en_vocab, words=["I", "can", "not", "see", "NewYork", "."],
               spaces=[True, False, True, True, False, False])
    gold = {"words": ["I", "cannot", "see", "New", "York", "."],
            "spaces": [True, True, True, False, False, False],
            "tags": ["PRP", "MD", "VB", "NNP", "NNP", "."],
            "pos": ["PRON", "AUX", "VERB", "PROPN", "PROPN", "PUNCT"],
            "entities": ["O", "O", "O", "B-GPE", "L-GPE", "O"],
            "sent_starts": [True, False, False, False, False, False]}
    return Example.from_dict(pred, gold)


def test_basic_properties(en_vocab):
    pred = Doc(en_vocab, words=["a", "b"])
    eg = Example.from_dict(pred, {"tags": ["X", "Y"]})
    assert eg.x is eg.predicted and eg.y is eg.reference
    assert eg.text == "a b " and len(eg) == 2
    assert eg.reference.words == ["a", "b"]
    assert eg.get_aligned("TAG") == ["X", "Y"]
    copy = eg.copy()
    assert copy.reference is not eg.reference and copy.get_aligned("TAG") == ["X", "Y"]


def test_get_aligned_split_and_merge(split_example):
    eg = split_example
    # "can"/"not" both map to gold "cannot" (many-to-one) -> both get MD;
    # "NewYork" spans two gold tokens that agree (NNP) -> NNP, like spaCy.
    assert eg.get_aligned("TAG") == ["PRP", "MD", "MD", "VB", "NNP", "."]
    assert eg.get_aligned("POS") == ["PRON", "AUX", "AUX", "VERB", "PROPN", "PUNCT"]
    hashes = eg.get_aligned("TAG", as_string=False)
    assert hashes[0] == eg.reference.vocab.strings["PRP"]


def test_get_aligned_conflict_and_missing(en_vocab):
    pred = Doc(en_vocab, words=["ab", "c", "d"])
    eg = Example.from_dict(pred, {"words": ["a", "b", "c", "d"], "tags": ["X", "Y", None, "Z"]})
    assert eg.get_aligned("TAG") == [None, None, "Z"]  # conflict X/Y -> None; missing -> None


def test_get_aligned_ner(split_example):
    # The gold entity "New York" is exactly covered by predicted "NewYork".
    assert split_example.get_aligned_ner() == ["O", "O", "O", "O", "U-GPE", "O"]


def test_get_aligned_ner_misaligned_and_missing(en_vocab):
    pred = Doc(en_vocab, words=["Mr", ".", "Smith", "went", "there"])
    gold = {"words": ["Mr.", "Smith", "went", "there"], "entities": ["O", "U-PER", "-", "O"]}
    eg = Example.from_dict(pred, gold)
    assert eg.get_aligned_ner() == ["O", "O", "U-PER", None, "O"]
    # An entity that predicted tokens cannot cover exactly becomes unknown (None).
    pred2 = Doc(en_vocab, words=["MrSmith", "went"])
    eg2 = Example.from_dict(pred2, {"words": ["Mr", "Smith", "went"], "entities": ["O", "U-PER", "O"]})
    assert eg2.get_aligned_ner() == [None, "O"]
    no_ner = Example.from_dict(Doc(en_vocab, words=["a"]), {})
    assert no_ner.get_aligned_ner() == [None]


def test_get_aligned_ner_entities_as_offsets(en_vocab):
    pred = Doc(en_vocab, words=["Ada", "Lovelace", "lived", "in", "London"])
    eg = Example.from_dict(pred, {"entities": [(0, 12, "PER"), (22, 28, "LOC")]})
    assert eg.get_aligned_ner() == ["B-PER", "L-PER", "O", "O", "U-LOC"]
    with pytest.warns(UserWarning, match="W500"):
        eg2 = Example.from_dict(pred, {"entities": [(1, 12, "PER")]})
    assert eg2.get_aligned_ner() == [None, None, "O", "O", "O"]


def test_get_aligned_sent_starts(en_vocab):
    pred = Doc(en_vocab, words=["Hi", ".", "Bye", "now", "."])
    eg = Example.from_dict(pred, {"words": ["Hi.", "Bye", "now", "."],
                                  "sent_starts": [True, True, None, False]})
    # "." begins inside gold "Hi." -> 0; "Bye" starts a sentence; "now" unknown.
    assert eg.get_aligned_sent_starts() == [1, 0, 1, None, 0]
    unknown = Example.from_dict(Doc(en_vocab, words=["a", "b"]), {})
    assert unknown.get_aligned_sent_starts() == [None, None]


def test_from_dict_infers_spaces_and_validates(en_vocab):
    pred = Doc(en_vocab, words=["Hello", ",", "world"], spaces=[False, True, False])
    eg = Example.from_dict(pred, {"words": ["Hello", ",", "world"], "tags": ["UH", ",", "NN"]})
    assert eg.reference.text == pred.text
    with pytest.raises(HeronValueError, match="E502"):
        Example.from_dict(pred, {"tag": ["UH", ",", "NN"]})
    with pytest.raises(HeronValueError, match="E501"):
        Example("text", pred)
    with pytest.raises(HeronValueError, match="E500"):
        Example.from_dict(pred, {"words": ["Goodbye"]}).alignment


def test_from_dict_heads_deps_and_to_dict(en_vocab):
    pred = Doc(en_vocab, words=["She", "runs", "."])
    eg = Example.from_dict(pred, {"heads": [1, 1, 1], "deps": ["nsubj", "ROOT", "punct"],
                                  "token_annotation": {"TAG": ["PRP", "VBZ", "."]}, "cats": {"A": 1.0}})
    assert eg.get_aligned("DEP") == ["nsubj", "ROOT", "punct"]
    d = eg.to_dict()
    assert d["token_annotation"]["HEAD"] == [1, 1, 1]
    assert d["token_annotation"]["TAG"] == ["PRP", "VBZ", "."]
    assert d["doc_annotation"]["cats"] == {"A": 1.0}
    assert d["doc_annotation"]["entities"] == ["-", "-", "-"]


def test_split_sents(en_vocab):
    pred = Doc(en_vocab, words=["A", "b", ".", "C", "d", "."])
    eg = Example.from_dict(pred, {"sent_starts": [True, False, False, True, False, False], "tags": list("XYZXYZ")})
    parts = eg.split_sents()
    assert [p.text for p in parts] == ["A b . ", "C d . "]
    assert parts[1].get_aligned("TAG") == ["X", "Y", "Z"]


def test_setting_predicted_resets_alignment(en_vocab):
    eg = Example.from_dict(Doc(en_vocab, words=["ab"]), {"words": ["a", "b"], "tags": ["X", "X"]})
    assert eg.get_aligned("TAG") == ["X"]
    eg.predicted = Doc(en_vocab, words=["a", "b"])
    assert eg.get_aligned("TAG") == ["X", "X"]


def test_get_aligned_ner_cache_follows_gold_changes(en_vocab):
    eg = Example.from_dict(Doc(en_vocab, words=["Ada", "ran"]), {"entities": ["U-PER", "O"]})
    first = eg.get_aligned_ner()
    first[0] = "mutated"  # callers get a copy
    assert eg.get_aligned_ner() == ["U-PER", "O"]
    eg.reference.ents = [("ORG", 0, 1)]
    assert eg.get_aligned_ner() == ["U-ORG", "O"]


def test_get_aligned_int_attrs_and_head(en_vocab):
    eg = Example.from_dict(Doc(en_vocab, words=["a", "b"]), {"entities": ["O", "-"], "heads": [1, 1]})
    assert eg.get_aligned("ENT_IOB") == [2, 0]
    with pytest.raises(HeronValueError, match="E515"):
        eg.get_aligned("HEAD")
