"""Example with doc.spans: from_dict's "spans" (spaCy's layout), to_dict, and aligned span groups."""
import pytest

from heron.errors import HeronError
from heron.tokens import Doc, Span, Vocab
from heron.training import Example

TEXT = "Ada Lovelace met Charles Babbage in London"


@pytest.fixture
def predicted():
    return Doc(Vocab(), TEXT.split())


def test_from_dict_spans_go_to_reference_spans(predicted):
    eg = Example.from_dict(predicted, {"spans": {"sc": [(0, 12, "PER"), (4, 12, "NAME", "Q7259"), (17, 42, "X")],
                                                 "empty": []}})
    sc = eg.reference.spans["sc"]
    assert [(s.text, s.label_, s.kb_id_) for s in sc] == [
        ("Ada Lovelace", "PER", ""), ("Lovelace", "NAME", "Q7259"), ("Charles Babbage in London", "X", "")]
    assert sc.has_overlap and sc.name == "sc" and len(eg.reference.spans["empty"]) == 0
    assert len(eg.predicted.spans) == 0  # gold only


def test_to_dict_round_trips_spans(predicted):
    eg = Example.from_dict(predicted, {"spans": {"sc": [(0, 12, "PER"), (4, 12, "NAME", "Q7259")]}})
    spans = eg.to_dict()["doc_annotation"]["spans"]
    assert spans == {"sc": [(0, 12, "PER", ""), (4, 12, "NAME", "Q7259")]}
    again = Example.from_dict(Doc(predicted.vocab, TEXT.split()), {"spans": spans})
    assert [(s.start, s.end, s.label_) for s in again.reference.spans["sc"]] == [(0, 2, "PER"), (1, 2, "NAME")]


@pytest.mark.parametrize("spans, match", [
    ([(0, 3, "PER")], r"\[E080\].*not a dict"),
    ({"sc": (0, 3, "PER")}, r"\[E080\].*span 0 of spans\['sc'\] is malformed"),
    ({"sc": [(0, "3", "PER")]}, r"\[E080\].*malformed"),
    ({"sc": [(0, 3, "PER", "kb", "extra")]}, r"\[E080\].*malformed"),
    ({"sc": "abc"}, r"\[E080\].*not a list"),
    ({"sc": [(0, 5, "PER")]}, r"\[E081\].*\(0, 5, 'PER'\).*'Ada L'.*'Ada'@0-3.*Fix:"),
])
def test_from_dict_bad_spans_are_coded_errors(predicted, spans, match):
    with pytest.raises(HeronError, match=match):
        Example.from_dict(predicted, {"spans": spans})


def test_aligned_span_groups_across_tokenizations():
    vocab = Vocab()
    reference = Doc(vocab, ["Ada", "Lovelace", "'s", "notes", "on", "the", "Analytical", "Engine"],
                    [True, False, True, True, True, True, True, False])
    predicted = Doc(vocab, ["Ada", "Lovelace's", "notes", "on", "the", "Analytical", "Engine"],
                    [True, True, True, True, True, True, False])
    reference.spans["sc"] = [Span(reference, 6, 8, label="MACHINE", span_id="ae"), Span(reference, 0, 2, label="PER"),
                             Span(reference, 5, 8, label="NP"), Span(reference, 3, 4, label="DOC")]
    eg = Example(predicted, reference)
    aligned = eg.get_aligned_spans_y2x(eg.reference.spans["sc"], allow_overlap=True)
    # "Ada Lovelace" ends inside the predicted token "Lovelace's": dropped, as in spaCy
    assert [(s.text, s.label_, s.id_) for s in aligned] == [
        ("Analytical Engine", "MACHINE", "ae"), ("the Analytical Engine", "NP", ""), ("notes", "DOC", "")]
    assert all(s.doc is predicted for s in aligned)
    # Without overlaps a span loses the tokens earlier spans took, whatever their order.
    no_overlap = eg.get_aligned_spans_y2x(eg.reference.spans["sc"], allow_overlap=False)
    assert [s.text for s in no_overlap] == ["Analytical Engine", "notes"]
    back = eg.get_aligned_spans_x2y(aligned, allow_overlap=True)
    assert [(s.start, s.end, s.label_) for s in back] == [(6, 8, "MACHINE"), (5, 8, "NP"), (3, 4, "DOC")]


def test_split_sents_and_copy_keep_spans():
    vocab = Vocab()
    words = ["Ada", "wrote", ".", "Bob", "read", "it", "."]
    reference = Doc(vocab, words, sent_starts=[True, False, False, True, False, False, False])
    reference.spans["sc"] = [reference[0:1], reference[3:5], reference[1:5]]
    eg = Example(Doc(vocab, words), reference)
    assert [s.text for s in eg.copy().reference.spans["sc"]] == ["Ada", "Bob read", "wrote . Bob read"]
    parts = eg.split_sents()
    assert [[s.text for s in p.reference.spans["sc"]] for p in parts] == [["Ada"], ["Bob read"]]
