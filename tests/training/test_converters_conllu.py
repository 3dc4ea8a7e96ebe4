"""CoNLL-U converter: words, spaces, MWTs, empty nodes, heads, grouping, errors."""
import os
from pathlib import Path

import pytest

from heron.errors import DataError
from heron.tokens import DocBin, Vocab
from heron.training.converters import CONVERTERS, conllu_to_docs

FIXTURES = Path(os.environ["HERON_TEST_CONVERTER_FIXTURES"])  # see tests/conftest.py
SAMPLE = FIXTURES / "sample.conllu"


def row(*cols):
    return "\t".join(str(c) for c in cols)


def tok(i, form, head=0, dep="root", upos="X", misc="_", feats="_", xpos="_", lemma="_"):
    return row(i, form, lemma, upos, xpos, feats, head, dep, "_", misc)


def test_registry_table_names_conllu():
    assert CONVERTERS["conllu"] is conllu_to_docs


def test_words_spaces_and_text_with_mwt_and_empty_node():
    docs = list(conllu_to_docs(SAMPLE))
    assert len(docs) == 2  # "# newdoc" starts a new Doc even below n_sents=10
    doc = docs[0]
    # The MWT "didn't" becomes its words; the empty node 4.1 is skipped.
    assert [t.text for t in doc] == ["Mara", "did", "n't", "call", "Oslo", ".",
                                     "Rain", "fell", ",", "then", "stopped"]
    assert doc.text == "Mara didn't call Oslo. Rain fell, then stopped"
    assert [t.whitespace_ for t in doc][:3] == [" ", "", " "]
    assert doc[-1].whitespace_ == ""  # last token of a Doc never has a trailing space
    assert docs[1].text == "Hello there"


def test_annotations():
    doc = next(conllu_to_docs(SAMPLE))
    assert [t.tag_ for t in doc[:6]] == ["NNP", "VBD", "RB", "VB", "NNP", "."]
    assert [t.pos_ for t in doc[:6]] == ["PROPN", "AUX", "PART", "VERB", "PROPN", "PUNCT"]
    assert [t.lemma_ for t in doc[:4]] == ["Mara", "do", "not", "call"]
    assert str(doc[1].morph) == "Mood=Ind|Tense=Past"
    assert str(doc[5].morph) == ""
    assert doc.has_annotation("MORPH")
    assert [t.dep_ for t in doc[:6]] == ["nsubj", "aux", "advmod", "ROOT", "obj", "punct"]


def test_heads_are_absolute_and_root_is_its_own_head():
    doc = next(conllu_to_docs(SAMPLE))
    assert [t.head.i for t in doc] == [3, 3, 3, 3, 3, 3, 7, 7, 10, 10, 7]
    assert [s.start for s in doc.sents] == [0, 6]


def test_xpos_falls_back_to_upos():
    doc = list(conllu_to_docs(SAMPLE))[1]
    assert [t.tag_ for t in doc] == ["INTJ", "ADV"]


def test_entities_from_misc_and_missing_without_them():
    doc = next(conllu_to_docs(SAMPLE))
    assert [(e.text, e.label_) for e in doc.ents] == [("Mara", "PER"), ("Oslo", "LOC")]
    assert doc[3].ent_iob_ == "O"  # no NER item, but its sentence has NER: outside
    assert {t.ent_iob_ for t in doc[6:]} == {""}  # sentence without NER: missing


@pytest.mark.parametrize("n_sents,expected", [(1, [1, 1, 1]), (0, [2, 1]), (10, [2, 1])])
def test_n_sents_grouping(n_sents, expected):
    docs = list(conllu_to_docs(SAMPLE, n_sents=n_sents))
    assert [len(list(d.sents)) for d in docs] == expected


def test_n_sents_groups_within_a_document():
    sents = "\n\n".join(tok(1, f"w{i}") for i in range(5)) + "\n"
    docs = list(conllu_to_docs(sents, n_sents=2))
    assert [d.text for d in docs] == ["w0 w1", "w2 w3", "w4"]


def test_merge_subtokens():
    doc = next(conllu_to_docs(SAMPLE, merge_subtokens=True))
    assert [t.text for t in doc[:4]] == ["Mara", "didn't", "call", "Oslo"]
    assert doc.text.startswith("Mara didn't call Oslo.")
    merged = doc[1]
    assert merged.tag_ == "VBD_RB"
    assert merged.lemma_ == "do not"
    assert str(merged.morph) == "Mood=Ind|Polarity=Neg|Tense=Past"
    assert merged.head.i == 2 and merged.dep_ == "aux"
    assert [t.head.i for t in doc[:5]] == [2, 2, 2, 2, 2]


def test_append_morphology():
    doc = next(conllu_to_docs(SAMPLE, append_morphology=True))
    assert doc[0].tag_ == "NNP__Number=Sing"
    assert doc[5].tag_ == "."


def test_vocab_is_used_and_lines_iterable_accepted():
    vocab = Vocab()
    lines = SAMPLE.read_text(encoding="utf8").splitlines()
    docs = list(conllu_to_docs(lines, vocab=vocab))
    assert all(d.vocab is vocab for d in docs)


def test_round_trip_through_docbin_file(tmp_path):
    docs = list(conllu_to_docs(SAMPLE))
    path = tmp_path / "sample.heron"
    DocBin(docs=docs).to_disk(path)
    loaded = list(DocBin().from_disk(path).get_docs(Vocab()))
    for a, b in zip(docs, loaded):
        assert b.text == a.text
        for attr in ("tag_", "pos_", "lemma_", "dep_", "ent_iob_", "ent_type_", "is_sent_start"):
            assert [getattr(t, attr) for t in b] == [getattr(t, attr) for t in a], attr
        assert [t.head.i for t in b] == [t.head.i for t in a]
        assert [str(t.morph) for t in b] == [str(t.morph) for t in a]


# ---- malformed input: coded error with file:line --------------------------------

def _error(text: str) -> DataError:
    with pytest.raises(DataError) as info:
        list(conllu_to_docs(text, path="bad.conllu"))
    return info.value


def test_wrong_column_count():
    err = _error(tok(1, "Hi") + "\n" + "2\tthere\tthere\n")
    assert "[E410]" in str(err) and "bad.conllu:2" in str(err)
    assert "found 3" in str(err) and err.line == 2 and err.path == "bad.conllu"


def test_columns_separated_by_spaces_are_rejected():
    err = _error("1 Hi hi INTJ UH _ 0 root _ _\n")
    assert "[E410]" in str(err) and "bad.conllu:1" in str(err)


def test_non_integer_head():
    err = _error(tok(1, "Hi") + "\n" + tok(2, "there", head="one", dep="advmod") + "\n")
    assert "[E412]" in str(err) and "bad.conllu:2" in str(err) and "'one'" in str(err)


def test_head_out_of_range():
    err = _error("# c\n" + tok(1, "Hi") + "\n" + tok(2, "there", head=7, dep="advmod") + "\n")
    assert "[E412]" in str(err) and "bad.conllu:3" in str(err) and "'7'" in str(err)


def test_ids_out_of_order():
    err = _error(tok(1, "Hi") + "\n" + tok(3, "there", head=1, dep="advmod") + "\n")
    assert "[E411]" in str(err) and "bad.conllu:2" in str(err) and "word ID 2" in str(err)


def test_bad_mwt_range():
    err = _error(row("1-1", "Hi", *["_"] * 8) + "\n" + tok(1, "Hi") + "\n")
    assert "[E413]" in str(err) and "bad.conllu:1" in str(err)


def test_unfinished_mwt():
    err = _error(row("1-3", "Hiya", *["_"] * 8) + "\n" + tok(1, "Hi") + "\n" + tok(2, "ya", 1, "dep") + "\n")
    assert "[E413]" in str(err)


def test_invalid_upos_and_feats():
    err = _error(tok(1, "Hi", upos="INTERJ") + "\n")
    assert "[E415]" in str(err) and "bad.conllu:1" in str(err) and "UPOS" in str(err)
    err = _error(tok(1, "Hi", feats="Case") + "\n")
    assert "[E415]" in str(err) and "FEATS" in str(err)


def test_error_in_later_sentence_names_its_line():
    text = SAMPLE.read_text(encoding="utf8") + "\n" + tok(1, "Bad", head="x") + "\n"
    err = _error(text)
    assert f"bad.conllu:{len(SAMPLE.read_text().splitlines()) + 2}" in str(err)


def test_str_path_is_read_as_a_file():
    assert [d.text for d in conllu_to_docs(str(SAMPLE))] == [d.text for d in conllu_to_docs(SAMPLE)]


def test_value_rejected_by_doc_names_the_lines():
    err = _error("# c\n" + tok(1, "Hi") + "\n" + tok(2, "", head=1, dep="dep") + "\n")
    assert "[E414] bad.conllu:2-3" in str(err) and "[E006]" in str(err)
