"""The demo: its corpus format, and a short end-to-end run (train, annotate, save, reload)."""
import pytest

import heron
from heron import demo
from heron.registry import registry


def test_corpus_format_words_spaces_tags_entities_sentences():
    text = ("# a comment\n"
            "[Ada/NNP Lovelace/NNP]PER wrote/VBD from/IN [London/NNP]LOC ~./.\n"
            "She/PRP did/VBD n't/RB stop/VB ~!/.\n"
            "\n"
            "[Acme/NNP]ORG won/VBD ~./.\n")
    docs = demo.read_corpus(text, heron.blank("en").vocab)
    assert len(docs) == 2
    first = docs[0]
    assert first.text == "Ada Lovelace wrote from London. She did n't stop!"
    assert [t.tag_ for t in first][:3] == ["NNP", "NNP", "VBD"]
    assert [(e.text, e.label_) for e in first.ents] == [("Ada Lovelace", "PER"), ("London", "LOC")]
    assert [s.text for s in first.sents] == ["Ada Lovelace wrote from London.", "She did n't stop!"]
    assert [(e.text, e.label_) for e in docs[1].ents] == [("Acme", "ORG")]


def test_shipped_corpus_is_complete_and_tokenizes_like_heron():
    nlp = heron.blank("en")
    docs = demo.read_corpus(demo.corpus_text(), nlp.vocab)
    assert 15 <= len(docs) and 40 <= sum(len(list(d.sents)) for d in docs) <= 80
    assert {e.label_ for d in docs for e in d.ents} == {"PER", "ORG", "LOC"}
    assert all(t.tag_ for d in docs for t in d)
    # Examples then align token for token (no alignment noise in the demo).
    for doc in docs:
        assert [t.text for t in nlp.make_doc(doc.text)] == [t.text for t in doc]


def test_demo_trains_annotates_and_reloads_identically(capsys):
    registry.ensure_populated()
    for reg_name, name in (("factories", "ner"), ("optimizers", "heron.Adam.v1"),
                           ("architectures", "heron.Tok2Vec.v1")):
        if not registry.has(reg_name, name):
            pytest.skip(f"{name} not registered yet")
    assert demo.main(["--steps", "20"]) == 0
    out = capsys.readouterr().out
    assert "identical annotations: True" in out
    assert "['sentencizer', 'tok2vec', 'tagger', 'ner']" in out
    assert out.count("tagged:") == len(demo.TEXTS)
