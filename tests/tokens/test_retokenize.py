"""doc.retokenize(): merge and split with spaCy's semantics (checked once against spaCy 3.8)."""
import numpy as np
import pytest

from heron.errors import HeronError
from heron.tokens import Doc, Span, Token, Vocab


@pytest.fixture
def extensions():
    Token.set_extension("note", default=None)
    Span.set_extension("tag", default=None)
    yield
    Token.remove_extension("note")
    Span.remove_extension("tag")


def _city_doc():
    doc = Doc(Vocab(), "I live in New York City today".split(),
              heads=[1, 1, 1, 5, 5, 2, 1], deps=["nsubj", "ROOT", "prep", "compound", "compound", "pobj", "npadvmod"],
              tags=["PRP", "VBP", "IN", "NNP", "NNP", "NNP", "NN"], pos=["PRON", "VERB", "ADP", "PROPN", "PROPN",
                                                                          "PROPN", "NOUN"],
              lemmas=["I", "live", "in", "New", "York", "City", "today"],
              ents=["O", "O", "O", "B-GPE", "I-GPE", "I-GPE", "B-DATE"])
    doc.tensor = np.arange(14, dtype="float32").reshape(7, 2)
    return doc


def _rows(doc):
    return [(t.text, t.tag_, t.lemma_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_) for t in doc]


def test_merge_keeps_root_annotations_heads_ents_tensor(extensions):
    doc = _city_doc()
    doc[3]._.note = "new"
    doc[6]._.note = "today"
    doc[3:6]._.tag = "city"
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[3:6])
    assert doc.text == "I live in New York City today " and len(doc) == 5
    assert _rows(doc) == [("I", "PRP", "I", "nsubj", 1, "O", ""), ("live", "VBP", "live", "ROOT", 1, "O", ""),
                          ("in", "IN", "in", "prep", 1, "O", ""),
                          ("New York City", "NNP", "New York City", "pobj", 2, "B", "GPE"),
                          ("today", "NN", "today", "npadvmod", 1, "B", "DATE")]
    assert [(e.text, e.label_) for e in doc.ents] == [("New York City", "GPE"), ("today", "DATE")]
    assert doc.tensor.tolist() == [[0, 1], [2, 3], [4, 5], [10, 11], [12, 13]]  # the span's last row
    assert doc[3]._.note == "new" and doc[4]._.note == "today" and doc[3:4]._.tag == "city"
    assert doc[3].idx == 10 and doc[4].idx == 24 and [t.whitespace_ for t in doc] == [" "] * 5
    assert doc[1].right_edge.i == 4 and [t.i for t in doc[2].subtree] == [2, 3]


def test_merge_attrs():
    Token.set_extension("kind", default=None)
    try:
        doc = _city_doc()
        with doc.retokenize() as retokenizer:
            retokenizer.merge(doc[3:6], attrs={"LEMMA": "NYC", "TAG": "NNPS", "MORPH": {"Number": "Sing"},
                                               "IS_STOP": True, "_": {"kind": "city"}})
        token = doc[3]
        assert (token.lemma_, token.tag_, str(token.morph), token._.kind) == ("NYC", "NNPS", "Number=Sing", "city")
        assert token.is_stop and doc.vocab["New York City"].is_stop
    finally:
        Token.remove_extension("kind")


def test_merge_entity_attrs_and_iob():
    doc = Doc(Vocab(), "a b c d".split())
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[1:3], attrs={"ENT_TYPE": "ORG"})  # a type without IOB: no entity (spaCy)
    assert doc.ents == ()
    doc = Doc(Vocab(), "a b c d".split(), ents=["O", "O", "O", "O"])
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[1:3], attrs={"ENT_TYPE": "ORG", "ENT_IOB": "B"})
    assert [(e.text, e.label_) for e in doc.ents] == [("b c", "ORG")]


def test_merge_entity_continues_or_begins():
    doc = Doc(Vocab(), "a b c d".split(), ents=["B-X", "I-X", "I-X", "O"])
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[1:3])
    assert [t.ent_iob_ for t in doc] == ["B", "I", "O"] and [e.text for e in doc.ents] == ["a b c"]


def test_several_merges_apply_together_with_bridging_arcs():
    # a <- c, b <- a, c root, d <- c, e <- d: merging "b c" and "d e" in one block.
    doc = Doc(Vocab(), "a b c d e".split(), heads=[2, 0, 2, 2, 3], deps=["x", "y", "ROOT", "z", "w"])
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[3:5])
        retokenizer.merge(doc[1:3])
        retokenizer.merge(doc[1:3])  # the same span twice: merged once
    assert [(t.text, t.head.i, t.dep_) for t in doc] == [("a", 1, "x"), ("b c", 1, "ROOT"), ("d e", 1, "z")]
    assert [s.text for s in doc.sents] == ["a b c d e"]


def test_merge_sentences():
    doc = Doc(Vocab(), "a b c d".split(), sent_starts=[True, False, True, False])
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[1:3])  # the merged token keeps its first token's sentence start
    assert [t.is_sent_start for t in doc] == [True, False, False]
    doc = Doc(Vocab(), "a b c d".split(), heads=[1, 1, 3, 3], deps=["x", "ROOT", "x", "ROOT"])
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[2:4])
    assert [s.text for s in doc.sents] == ["a b", "c d"]  # derived sentences follow the new trees


def test_merge_errors():
    doc = Doc(Vocab(), "a b c d".split())
    with pytest.raises(HeronError, match=r"\[E063\].*doc\[1:3\]"):
        with doc.retokenize() as retokenizer:
            retokenizer.merge(doc[1:3])
            retokenizer.merge(doc[2:4])
    assert len(doc) == 4  # a failed block changes nothing
    with pytest.raises(HeronError, match=r"\[E062\]"):
        doc.retokenize().merge(doc[2:2])
    with pytest.raises(HeronError, match=r"\[E070\]"):
        doc.retokenize().merge(Doc(Vocab(), ["x", "y"])[0:2])
    with pytest.raises(HeronError, match=r"\[E068\]"):
        doc.retokenize().merge(doc[0:2], attrs={"ORTH": "ab"})
    with pytest.raises(HeronError, match=r"\[E020\]"):
        doc.retokenize().merge(doc[0:2], attrs={"FISH": "ab"})
    with pytest.raises(HeronError, match=r"\[E008\]"):
        doc.retokenize().merge(doc[0:2], attrs={"POS": "NOUNY"})
    with pytest.raises(HeronError, match=r"\[E069\].*'missing'"):
        doc.retokenize().merge(doc[0:2], attrs={"_": {"missing": 1}})


def _ny_doc():
    doc = Doc(Vocab(), "I live in NewYork today".split(), heads=[1, 1, 1, 2, 1],
              deps=["nsubj", "ROOT", "prep", "pobj", "npadvmod"], tags=["PRP", "VBP", "IN", "NNP", "NN"],
              lemmas=["I", "live", "in", "NewYork", "today"], ents=["O", "O", "O", "B-GPE", "B-DATE"])
    doc.tensor = np.arange(10, dtype="float32").reshape(5, 2) + 1
    return doc


def test_split(extensions):
    doc = _ny_doc()
    doc[3]._.note = "ny"
    with doc.retokenize() as retokenizer:
        retokenizer.split(doc[3], ["New", "York"], heads=[(doc[3], 1), doc[2]],
                          attrs={"POS": ["PROPN", "PROPN"], "DEP": ["compound", "pobj"],
                                 "_": [{"note": "new"}, {}]})
    assert doc.text == "I live in NewYork today " and [t.whitespace_ for t in doc] == [" ", " ", " ", "", " ", " "]
    assert [(t.text, t.tag_, t.pos_, t.lemma_, t.dep_, t.head.i, t.ent_iob_, t.ent_type_) for t in doc[3:5]] == [
        ("New", "NNP", "PROPN", "New", "compound", 4, "B", "GPE"),
        ("York", "NNP", "PROPN", "York", "pobj", 2, "I", "GPE")]
    assert [(e.text, e.label_) for e in doc.ents] == [("NewYork", "GPE"), ("today", "DATE")]
    assert doc.tensor.tolist() == [[1, 2], [3, 4], [5, 6], [0, 0], [0, 0], [9, 10]]  # new pieces: zeros
    assert doc[3]._.note == "new" and doc[4]._.note is None
    assert [t.head.i for t in doc] == [1, 1, 1, 4, 2, 1] and doc[2].right_edge.i == 4


def test_split_arcs_into_the_token_reach_its_first_piece():
    doc = Doc(Vocab(), "the NewYork office".split(), heads=[2, 2, 2], deps=["det", "compound", "ROOT"])
    doc2 = Doc(Vocab(), "big NewYork".split(), heads=[1, 1], deps=["amod", "ROOT"])
    with doc2.retokenize() as retokenizer:
        retokenizer.split(doc2[1], ["New", "York"], heads=[doc2[1], (doc2[1], 0)])
    assert [t.head.i for t in doc2] == [1, 1, 1] and [s.text for s in doc2.sents] == ["big NewYork"]
    with doc.retokenize() as retokenizer:
        retokenizer.split(doc[1], ["New", "York"], heads=[(doc[1], 1), doc[2]])
    assert [t.head.i for t in doc] == [3, 2, 3, 3]


def test_merge_then_split_in_one_block():
    doc = Doc(Vocab(), "Los Angeles isbig".split(), heads=[1, 2, 2], deps=["compound", "nsubj", "ROOT"])
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[0:2])
        retokenizer.split(doc[2], ["is", "big"], heads=[(doc[2], 1), (doc[2], 1)], attrs={"DEP": ["cop", "ROOT"]})
    # The arc into "isbig" now reaches its first piece, "is" (spaCy); the split's heads are as given.
    assert [(t.text, t.head.i, t.dep_) for t in doc] == [("Los Angeles", 1, "nsubj"), ("is", 2, "cop"),
                                                         ("big", 2, "ROOT")]


def test_split_errors():
    doc = _ny_doc()
    with pytest.raises(HeronError, match=r"\[E064\].*'NewYork'"):
        doc.retokenize().split(doc[3], ["New", "Yorke"], heads=[doc[3], doc[3]])
    with pytest.raises(HeronError, match=r"\[E064\]"):
        doc.retokenize().split(doc[3], ["", "NewYork"], heads=[doc[3], doc[3]])
    with pytest.raises(HeronError, match=r"\[E065\].*heads"):
        doc.retokenize().split(doc[3], ["New", "York"], heads=[doc[3]])
    with pytest.raises(HeronError, match=r"\[E065\].*POS"):
        doc.retokenize().split(doc[3], ["New", "York"], heads=[doc[3], doc[3]], attrs={"POS": ["PROPN"]})
    with pytest.raises(HeronError, match=r"\[E066\]"):
        doc.retokenize().split(doc[3], ["New", "York"], heads=[3, doc[3]])
    with pytest.raises(HeronError, match=r"\[E066\].*1 piece"):
        with doc.retokenize() as retokenizer:
            retokenizer.split(doc[3], ["New", "York"], heads=[(doc[2], 1), doc[3]])
    with pytest.raises(HeronError, match=r"\[E067\]"):
        with doc.retokenize() as retokenizer:
            retokenizer.merge(doc[2:4])
            retokenizer.split(doc[3], ["New", "York"], heads=[doc[3], doc[3]])
    with pytest.raises(HeronError, match=r"\[E067\]"):
        with doc.retokenize() as retokenizer:
            retokenizer.split(doc[3], ["New", "York"], heads=[doc[3], doc[3]])
            retokenizer.split(doc[3], ["NewY", "ork"], heads=[doc[3], doc[3]])
    with pytest.raises(HeronError, match=r"\[E071\]"):
        with doc.retokenize() as retokenizer:
            retokenizer.merge(doc[0:3])
            retokenizer.split(doc[3], ["New", "York"], heads=[doc[1], doc[3]])
    assert [t.text for t in doc] == ["I", "live", "in", "NewYork", "today"]


def test_failed_block_leaves_doc_untouched():
    doc = _ny_doc()
    with pytest.raises(RuntimeError):
        with doc.retokenize() as retokenizer:
            retokenizer.merge(doc[0:2])
            raise RuntimeError("stop")
    assert len(doc) == 5


def test_torch_tensor_rows():
    torch = pytest.importorskip("torch")
    doc = Doc(Vocab(), "a b c".split())
    doc.tensor = torch.arange(6.0).reshape(3, 2)
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[0:2])
    assert doc.tensor.tolist() == [[2, 3], [4, 5]]
    with doc.retokenize() as retokenizer:
        retokenizer.split(doc[1], ["c"], heads=[doc[1]])
    assert doc.tensor.tolist() == [[2, 3], [0, 0]]


def test_json_round_trip_after_retokenizing():
    doc = _city_doc()
    with doc.retokenize() as retokenizer:
        retokenizer.merge(doc[3:6])
    new = Doc.from_json(Vocab(), doc.to_json())
    assert _rows(new) == _rows(doc) and [s.text for s in new.sents] == [s.text for s in doc.sents]
