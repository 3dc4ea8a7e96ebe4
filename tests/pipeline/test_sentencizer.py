"""sentencizer: rule-based sentence boundaries."""
import pytest

from heron.language import Language
from heron.pipeline import Sentencizer
from heron.tokens import Doc


def sents(doc):
    return [s.text for s in doc.sents]


@pytest.fixture
def snlp(nlp):
    nlp.add_pipe("sentencizer")
    return nlp


@pytest.mark.parametrize("text,expected", [
    ("Hello world. How are you? Fine!", ["Hello world.", "How are you?", "Fine!"]),
    ('He said "Stop!" Then he left.', ['He said "Stop!"', "Then he left."]),
    ("It works (mostly.) Next one", ["It works (mostly.)", "Next one"]),
    ('First. "Quoted second." Third', ["First.", '"Quoted second."', "Third"]),
    ("Wait!!! Really?! Yes", ["Wait!!!", "Really?!", "Yes"]),
    ("No final punctuation", ["No final punctuation"]),
    ("Dr. Smith arrived.", ["Dr. Smith arrived."]),  # the tokenizer keeps "Dr." whole
    ("Ellipsis... is not an end. Ok", ["Ellipsis... is not an end.", "Ok"]),
    ("One.\n\nTwo.", ["One.\n\n", "Two."]),
])
def test_sentence_boundaries(snlp, text, expected):
    doc = snlp(text)
    assert sents(doc) == expected
    assert "".join(s.text_with_ws for s in doc.sents) == text


def test_other_scripts(en_vocab):
    doc = Doc(en_vocab, words=["这是", "句子", "。", "另一个", "！"], spaces=[False] * 5)
    assert sents(Sentencizer()(doc)) == ["这是句子。", "另一个！"]


def test_is_sent_start_values(snlp):
    doc = snlp("A b. C d.")
    assert [t.is_sent_start for t in doc] == [True, False, False, True, False, False]


def test_empty_doc(snlp):
    assert len(snlp("")) == 0


def test_custom_punct_chars(nlp):
    nlp.add_pipe("sentencizer", config={"punct_chars": ["|"]})
    assert sents(nlp("one. two | three")) == ["one. two |", "three"]


def test_overwrite(en_vocab):
    preset = [True, False, False, True, False]
    words = ["a", "b", ".", "c", "d"]
    doc = Doc(en_vocab, words=words, sent_starts=list(preset))
    Sentencizer(punct_chars=["x"])(doc)  # no boundary found; preset kept
    assert [t.is_sent_start for t in doc] == preset
    doc = Doc(en_vocab, words=words, sent_starts=list(preset))
    Sentencizer(punct_chars=["x"], overwrite=True)(doc)
    assert [t.is_sent_start for t in doc] == [True, False, False, False, False]
    doc = Doc(en_vocab, words=words)
    Sentencizer()(doc)
    assert [t.is_sent_start for t in doc] == [True, False, False, True, False]


def test_pipe_matches_call(snlp):
    texts = ["A. B.", "C? D", "E"]
    assert [sents(d) for d in snlp.pipe(texts, batch_size=2)] == [sents(snlp(t)) for t in texts]


def test_serialization(nlp, tmp_path):
    sentencizer = nlp.add_pipe("sentencizer", config={"punct_chars": ["|", "."], "overwrite": True})
    sentencizer.to_disk(tmp_path / "s")
    loaded = Sentencizer().from_disk(tmp_path / "s")
    assert loaded.punct_chars == {"|", "."} and loaded.overwrite is True
    again = Sentencizer().from_bytes(sentencizer.to_bytes())
    assert again.punct_chars == {"|", "."}


def test_factory_meta():
    meta = Language.get_factory_meta("sentencizer")
    assert "token.is_sent_start" in meta.assigns
    assert meta.default_config == {"punct_chars": None, "overwrite": False}
