"""Property tests: for any Unicode text the tokenization is lossless and tiles the text."""
from hypothesis import given, settings
from hypothesis import strategies as st

from heron.tokenizer import create_tokenizer

EN = create_tokenizer("en")
XX = create_tokenizer("xx")

# Text dense in the characters the rules care about, so properties meet the rules often.
TRICKY = st.text(alphabet=st.sampled_from(list("aZ09 .,;:!?'\"’‘“”()[]{}<>-–—/\\@#$%&*+=_~^`|\n\t\u00a0…😀é")),
                 max_size=60)


def _check_tiles(tokenizer, text):
    words, spaces = tokenizer.words_and_spaces(text)
    assert all(words), "no empty tokens"
    assert "".join(w + (" " if s else "") for w, s in zip(words, spaces)) == text
    doc = tokenizer(text)
    assert doc.text == text
    pos = 0
    for token in doc:
        assert token.text and text.startswith(token.text, pos)
        assert token.idx == pos
        pos += len(token.text) + len(token.whitespace_)
    assert pos == len(text)
    # A token other than a whitespace run never contains whitespace.
    assert all(w.isspace() or not any(c.isspace() for c in w) for w in words)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_any_unicode_text_round_trips_en(text):
    _check_tiles(EN, text)


@settings(max_examples=300, deadline=None)
@given(TRICKY)
def test_punctuation_heavy_text_round_trips_en(text):
    _check_tiles(EN, text)


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_any_unicode_text_round_trips_xx(text):
    _check_tiles(XX, text)


@settings(max_examples=200, deadline=None)
@given(TRICKY)
def test_cache_does_not_change_results(text):
    fresh = create_tokenizer("xx")
    assert fresh.words_and_spaces(text) == XX.words_and_spaces(text) == fresh.words_and_spaces(text)
