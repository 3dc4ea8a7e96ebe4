"""IOB/CoNLL NER converters: layouts, IOB1 vs IOB2, documents, comments, errors."""
import os
import warnings
from pathlib import Path

import pytest

from heron.errors import DataError, HeronWarning
from heron.training.converters import conll_ner_to_docs, detect_ner_format, iob_to_docs

FIXTURES = Path(os.environ["HERON_TEST_CONVERTER_FIXTURES"])  # see tests/conftest.py


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


def test_two_columns_tab_separated_with_hashtag_words():
    docs = list(conll_ner_to_docs(FIXTURES / "two_col.conll"))
    assert len(docs) == 1  # no -DOCSTART-: sentences grouped up to n_sents=10
    doc = docs[0]
    # "#\tO" and "#sunny\tO" are words, not comments; a tab-only line ends a sentence.
    assert doc.text == "Kofi met # Lagos #sunny Green Tea rocks"
    assert [s.text for s in doc.sents] == ["Kofi met # Lagos #sunny", "Green Tea rocks"]
    assert ents(doc) == [("Kofi", "person"), ("Lagos", "location"), ("Green Tea", "product")]
    assert doc[1].ent_iob_ == "O"
    assert not doc.has_annotation("TAG")


def test_four_columns_docstart_and_iob1():
    docs = list(conll_ner_to_docs(FIXTURES / "four_col.conll"))
    assert [d.text for d in docs] == ["Ines flew to Nairobi Kenya . Rivers rose .", "Banco Sol grew"]
    # IOB1: entities may start with I-; B- only separates adjacent same-type entities.
    assert ents(docs[0]) == [("Ines", "PER"), ("Nairobi", "LOC"), ("Kenya", "LOC")]
    assert ents(docs[1]) == [("Banco Sol", "ORG")]
    assert [t.tag_ for t in docs[0][:3]] == ["NNP", "VBD", "TO"]  # second column
    assert [s.start for s in docs[0].sents] == [0, 6]


def test_iob2_and_iob1_give_the_same_entities():
    iob1 = "A I-X\nB I-X\nC B-X\nD O\nE I-Y\n"
    iob2 = "A B-X\nB I-X\nC B-X\nD O\nE B-Y\n"
    assert ents(next(conll_ner_to_docs(iob1))) == ents(next(conll_ner_to_docs(iob2))) == [
        ("A B", "X"), ("C", "X"), ("E", "Y")]


def test_biluo_tags_are_accepted():
    doc = next(conll_ner_to_docs("A B-X\nB L-X\nC U-Y\nD O\n"))
    assert ents(doc) == [("A B", "X"), ("C", "Y")]


def test_n_sents_and_docstart():
    docs = list(conll_ner_to_docs(FIXTURES / "four_col.conll", n_sents=1))
    assert [d.text for d in docs] == ["Ines flew to Nairobi Kenya .", "Rivers rose .", "Banco Sol grew"]
    docs = list(conll_ner_to_docs(FIXTURES / "four_col.conll", n_sents=0))
    assert len(docs) == 2


def test_indexed_layout_with_comments_and_type_o():
    with pytest.warns(HeronWarning, match=r"\[W401\]"):
        docs = list(conll_ner_to_docs(FIXTURES / "indexed.iob2"))
    assert len(docs) == 1
    doc = docs[0]
    assert doc.text == "Ask Pia at Volvo 1 more thing"  # the word "1" is not an ID
    assert ents(doc) == [("Pia", "PER"), ("Volvo", "ORG")]
    assert doc[-1].ent_iob_ == "O"  # "B-O" is read as outside


def test_seg_sents_splits_at_final_punctuation():
    text = "Yes O\n. O\nMina B-PER\nsaid O\n\" O\nno O\n! O\n\" O\n"
    doc = next(conll_ner_to_docs(text, seg_sents=True))
    assert [s.text for s in doc.sents] == ["Yes .", "Mina said \" no ! \""]
    doc = next(conll_ner_to_docs(text))
    assert len(list(doc.sents)) == 1


def test_sentence_per_line_pipes():
    docs = list(iob_to_docs(FIXTURES / "pipes.iob"))
    assert len(docs) == 1
    doc = docs[0]
    assert [s.text for s in doc.sents] == ["Ines flew to Nairobi", "Banco Sol grew"]
    assert ents(doc) == [("Ines", "PER"), ("Nairobi", "LOC"), ("Banco Sol", "ORG")]
    assert [t.tag_ for t in doc[4:]] == ["NNP", "NNP", "VBD"]
    assert len(list(iob_to_docs(FIXTURES / "pipes.iob", n_sents=1))) == 2


def test_detect_format():
    assert detect_ner_format((FIXTURES / "two_col.conll").read_text().splitlines()) == "ner"
    assert detect_ner_format((FIXTURES / "four_col.conll").read_text().splitlines()) == "ner"
    assert detect_ner_format((FIXTURES / "indexed.iob2").read_text().splitlines()) == "ner"
    assert detect_ner_format((FIXTURES / "pipes.iob").read_text().splitlines()) == "iob"
    assert detect_ner_format(["just some text"]) is None
    assert detect_ner_format((FIXTURES / "sample.conllu").read_text().splitlines()) == "conllu"


@pytest.mark.parametrize("tag", ["X-FOO", "I", "B-", "b-PER", "OUT"])
def test_invalid_tag_names_file_and_line(tag):
    with pytest.raises(DataError) as info:
        list(conll_ner_to_docs(f"Ada B-PER\n\nis O\n{tag}word {tag}\n", path="ner.conll"))
    msg = str(info.value)
    assert "[E420]" in msg and "ner.conll:4" in msg and repr(tag) in msg
    assert info.value.line == 4


def test_missing_tag_column():
    with pytest.raises(DataError, match=r"\[E421\] t.conll:2: expected a row 'WORD TAG'"):
        list(conll_ner_to_docs("Ada B-PER\nlonely\n", path="t.conll"))


def test_indexed_layout_requires_ids():
    text = "1\tA\tO\n2\tB\tO\n\nC\tO\tx\n"
    with pytest.raises(DataError, match=r"\[E421\] t.iob2:4"):
        list(conll_ner_to_docs(text, path="t.iob2"))


def test_bad_pipe_item():
    with pytest.raises(DataError, match=r"\[E421\] p.iob:2"):
        list(iob_to_docs("A|O\nA|B|C|O\n", path="p.iob"))
    with pytest.raises(DataError, match=r"\[E420\] p.iob:1"):
        list(iob_to_docs("A|Z-X\n", path="p.iob"))


def test_long_sentence_warns():
    text = "".join(f"w{i} O\n" for i in range(1001))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        list(conll_ner_to_docs(text))
    assert any("[W402]" in str(w.message) for w in caught)
