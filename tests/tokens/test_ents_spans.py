import pytest

from heron.errors import HeronError
from heron.tokens import Doc, Span, Vocab

WORDS = ["Ann", "Lee", "met", "Bob", "in", "New", "York"]


@pytest.fixture
def doc():
    return Doc(Vocab(), WORDS)


def test_ents_from_iob(doc):
    doc = Doc(doc.vocab, WORDS, ents=["B-PER", "I-PER", "O", "B-PER", "O", "B-GPE", "I-GPE"])
    assert [(e.text, e.label_) for e in doc.ents] == [("Ann Lee", "PER"), ("Bob", "PER"), ("New York", "GPE")]
    assert [t.ent_iob_ for t in doc] == ["B", "I", "O", "B", "O", "B", "I"]
    assert doc[0].ent_type_ == "PER" and doc[0].ent_iob == 3 and doc[2].ent_type == 0


def test_ents_from_biluo_and_iob1(doc):
    biluo = Doc(doc.vocab, WORDS, ents=["B-PER", "L-PER", "O", "U-PER", "O", "B-GPE", "L-GPE"])
    assert [(e.start, e.end) for e in biluo.ents] == [(0, 2), (3, 4), (5, 7)]
    iob1 = Doc(doc.vocab, WORDS, ents=["I-PER", "I-PER", "O", "I-PER", "O", "I-GPE", "I-GPE"])
    assert [(e.start, e.end, e.label_) for e in iob1.ents] == [(0, 2, "PER"), (3, 4, "PER"), (5, 7, "GPE")]
    two = Doc(doc.vocab, ["a", "b"], ents=["U-X", "U-X"])
    assert [(e.start, e.end) for e in two.ents] == [(0, 1), (1, 2)]


def test_missing_vs_outside(doc):
    doc = Doc(doc.vocab, WORDS, ents=["B-PER", "I-PER", "-", None, "", "O", "O"])
    assert [t.ent_iob_ for t in doc] == ["B", "I", "", "", "", "O", "O"]
    assert doc.has_annotation("ENT_IOB") and not doc.has_annotation("ENT_IOB", require_complete=True)


def test_bad_iob_tag(doc):
    with pytest.raises(HeronError, match=r"\[E010\].*'X-PER'"):
        Doc(doc.vocab, WORDS, ents=["X-PER"] + ["O"] * 6)


def test_set_ents_via_property(doc):
    doc.ents = [Span(doc, 0, 2, label="PER"), ("GPE", 5, 7)]
    assert [(e.text, e.label_) for e in doc.ents] == [("Ann Lee", "PER"), ("New York", "GPE")]
    assert doc[2].ent_iob_ == "O" and doc.has_annotation("ENT_IOB", require_complete=True)
    doc.ents = []
    assert doc.ents == () and all(t.ent_iob_ == "O" for t in doc)


def test_overlapping_ents_name_both_spans(doc):
    with pytest.raises(HeronError, match=r"\[E011\].*Ann Lee.*Lee met"):
        doc.ents = [Span(doc, 0, 2, label="PER"), Span(doc, 1, 3, label="X")]


def test_out_of_range_and_unlabelled_ents(doc):
    with pytest.raises(HeronError, match=r"\[E012\]"):
        doc.ents = [("PER", 5, 9)]
    with pytest.raises(HeronError, match=r"\[E014\]"):
        doc.ents = [Span(doc, 0, 1)]
    with pytest.raises(HeronError, match=r"\[E015\]"):
        doc.ents = ["Ann"]


def test_set_ents_defaults(doc):
    doc.set_ents([Span(doc, 3, 4, label="PER")], default="missing")
    assert [t.ent_iob_ for t in doc] == ["", "", "", "B", "", "", ""]
    doc.set_ents([Span(doc, 5, 7, label="GPE")], default="unmodified")
    assert [e.text for e in doc.ents] == ["Bob", "New York"]
    doc.set_ents([], blocked=[Span(doc, 0, 1)], outside=[Span(doc, 1, 3)], default="unmodified")
    assert [t.ent_iob_ for t in doc][:3] == ["B", "O", "O"] and doc[0].ent_type == 0
    assert [e.text for e in doc.ents] == ["Bob", "New York"]
    doc.set_ents([], missing=[Span(doc, 3, 4)], default="unmodified")
    assert [e.text for e in doc.ents] == ["New York"]
    with pytest.raises(HeronError, match=r"\[E013\]"):
        doc.set_ents([], default="nothing")


def test_unmodified_cut_entity_restarts(doc):
    doc.ents = [Span(doc, 4, 7, label="LOC")]
    doc.set_ents([Span(doc, 4, 5, label="X")], default="unmodified")
    assert [(e.text, e.label_) for e in doc.ents] == [("in", "X"), ("New York", "LOC")]


def test_token_ent_setters(doc):
    doc[3].ent_iob_ = "B"
    doc[3].ent_type_ = "PER"
    assert [(e.text, e.label_) for e in doc.ents] == [("Bob", "PER")]
    with pytest.raises(HeronError, match=r"\[E036\]"):
        doc[0].ent_iob_ = "Q"


def test_span_basics(doc):
    span = Span(doc, 5, 7, label="GPE", kb_id="Q60")
    assert span.text == "New York" and span.text_with_ws == "New York "
    assert (span.start_char, span.end_char) == (19, 27) and doc.text[19:27] == "New York"
    assert span.label_ == "GPE" and span.label == doc.vocab.strings["GPE"] and span.kb_id_ == "Q60"
    assert len(span) == 2 and span[0].text == "New" and span[-1].text == "York" and span[0:1].text == "New"
    assert [t.i for t in span] == [5, 6] and span.doc is doc
    assert span == Span(doc, 5, 7, label="GPE", kb_id="Q60") and span != Span(doc, 5, 7)
    assert hash(span) == hash(Span(doc, 5, 7, label="GPE", kb_id="Q60")) and repr(span) == "New York"
    with pytest.raises(HeronError, match=r"\[E018\]"):
        Span(doc, 3, 9)
    with pytest.raises(IndexError):
        span[2]
    span.label_ = "LOC"
    assert span.label_ == "LOC"


def test_span_ents_and_sent(doc):
    doc.ents = [("PER", 0, 2), ("GPE", 5, 7)]
    assert [e.text for e in doc[0:4].ents] == ["Ann Lee"]
    doc[3].is_sent_start = True
    assert doc[4:6].sent.text == "Bob in New York"
    assert [s.text for s in doc[1:5].sents] == ["Ann Lee met", "Bob in New York"]
    assert doc[0:2].char_span(4, 7).text == "Lee"


def test_span_as_doc():
    vocab = Vocab()
    doc = Doc(vocab, ["I", "like", "New", "York", "."], tags=list("ABCDE"), heads=[1, 1, 3, 1, 1],
              deps=["nsubj", "ROOT", "compound", "obj", "punct"], ents=["O", "O", "B-GPE", "I-GPE", "O"])
    new = doc[2:4].as_doc()
    assert new.text == "New York " and [t.tag_ for t in new] == ["C", "D"]
    assert [t.head.i for t in new] == [1, 1] and [e.text for e in new.ents] == ["New York"]
    assert [e.text for e in doc[3:5].as_doc().ents] == ["York"]
