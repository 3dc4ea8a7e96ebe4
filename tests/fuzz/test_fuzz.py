"""Fuzzing: no input may crash, hang or silently corrupt (issue 13).

Hypothesis throws lone surrogates, control characters, every Unicode category, huge
inputs and random bytes at the tokenizer, a trained tiny tagger+ner pipeline, DocBin and
the corpus converters. The properties: text always round-trips; annotations cover every
token; serialisation round-trips; bad bytes or files give a coded HeronError, never a raw
exception. `make test` runs a few dozen examples per property; the `slow` variants (run by
`make bench` or `pytest -m slow tests/fuzz`) run thousands.
"""
from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import heron
from heron.errors import HeronError
from heron.tokens import Doc, DocBin
from heron.training.converters import CONVERTERS
from heron.training.converters.conllu_writer import docs_to_conllu

from fakes import trained_tagger_ner

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                      HealthCheck.function_scoped_fixture])
SLOW = settings(max_examples=2000, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                         HealthCheck.function_scoped_fixture])

# Every code point, surrogates (category Cs) and control characters included.
any_char = st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=())
nasty_text = st.one_of(
    st.text(any_char, max_size=200),
    st.text(st.sampled_from(list(" \t\n\r\x00\x0b\x0c\u00a0\u2028\u200b\ufeff\ud800\udfff\U0001f600.-'\"()a1")),
            max_size=80),
)


@pytest.fixture(scope="module")
def trained_nlp():
    """tok2vec + tagger + ner, briefly trained (the shared fake in tests/fakes.py)."""
    return trained_tagger_ner()


# ---- tokenizer ---------------------------------------------------------------------
def check_tokenizer(text: str) -> None:
    nlp = _BLANK
    doc = nlp(text)
    assert doc.text == text
    assert "".join(t.text_with_ws for t in doc) == text
    for token in doc:
        assert text[token.idx:token.idx + len(token.text)] == token.text
    copy = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert copy.text == text and [t.text for t in copy] == [t.text for t in doc]
    assert Doc.from_json(nlp.vocab, doc.to_json()).text == text


_BLANK = heron.blank("en")


@FAST
@given(nasty_text)
def test_tokenizer_round_trips(text):
    check_tokenizer(text)


@pytest.mark.slow
@SLOW
@given(nasty_text)
def test_tokenizer_round_trips_long_run(text):
    check_tokenizer(text)


@pytest.mark.parametrize("text", [
    "a" * 200_000,                                  # one huge chunk, no spaces
    "(" * 5_000 + "x" + ")" * 5_000,                # deep affix stripping
    "-" * 20_000, "http://" + "a." * 10_000 + "com",
    " ".join(["\ud800"] * 1000), "\x00" * 1000,
])
def test_tokenizer_huge_and_degenerate_inputs(text):
    check_tokenizer(text)


# ---- a trained pipeline --------------------------------------------------------------
def check_pipeline(nlp, texts) -> None:
    docs = list(nlp.pipe(texts, batch_size=3))
    assert [d.text for d in docs] == list(texts)
    for text, doc in zip(texts, docs):
        single = nlp(text)
        assert [t.tag_ for t in single] == [t.tag_ for t in doc]        # batch invariance
        assert [(e.start, e.end, e.label_) for e in single.ents] == [(e.start, e.end, e.label_) for e in doc.ents]
        assert all(t.tag_ for t in doc)                                 # every token tagged
    restored = list(DocBin(docs=docs).get_docs(nlp.vocab))
    assert [d.to_json() for d in restored] == [d.to_json() for d in docs]


@FAST
@given(st.lists(nasty_text, min_size=1, max_size=5))
def test_trained_pipeline_never_crashes(trained_nlp, texts):
    check_pipeline(trained_nlp, texts)


@pytest.mark.slow
@SLOW
@given(st.lists(nasty_text, min_size=1, max_size=8))
def test_trained_pipeline_never_crashes_long_run(trained_nlp, texts):
    check_pipeline(trained_nlp, texts)


# ---- DocBin bytes --------------------------------------------------------------------
def _valid_docbin_bytes() -> bytes:
    nlp = _BLANK
    docs = [nlp("Hello wörld \ud800!"), nlp(""), nlp("Two  spaces\tand\ttabs\n")]
    docs[0][0].tag_ = "UH"
    return DocBin(docs=docs, store_user_data=True).to_bytes()


_DOCBIN = _valid_docbin_bytes()


def check_docbin_bytes(data: bytes) -> None:
    try:
        docs = list(DocBin().from_bytes(data).get_docs(_BLANK.vocab))
    except HeronError:
        return
    for doc in docs:  # whatever loads must be a consistent Doc
        assert "".join(t.text_with_ws for t in doc) == doc.text


@FAST
@given(st.binary(max_size=400))
def test_docbin_random_bytes(data):
    check_docbin_bytes(data)


@FAST
@given(st.integers(0, len(_DOCBIN) - 1), st.integers(1, 255), st.integers(0, len(_DOCBIN)))
def test_docbin_flipped_and_truncated(position, xor, cut):
    flipped = bytearray(_DOCBIN)
    flipped[position] ^= xor
    check_docbin_bytes(bytes(flipped))
    check_docbin_bytes(_DOCBIN[:cut])


@pytest.mark.slow
@SLOW
@given(st.binary(max_size=4000))
def test_docbin_random_bytes_long_run(data):
    check_docbin_bytes(data)


# ---- converters ----------------------------------------------------------------------
CONLLU_LINE = "1\tHi\thi\tINTJ\tUH\t_\t0\troot\t_\t_\n"


def check_converter(tmp_path, name: str, suffix: str, data: bytes) -> None:
    path = tmp_path / f"input{suffix}"
    path.write_bytes(data)
    try:
        docs = list(CONVERTERS[name](path, vocab=_BLANK.vocab))
    except HeronError:
        return
    for doc in docs:
        assert "".join(t.text_with_ws for t in doc) == doc.text
        DocBin(docs=[doc]).to_bytes()  # whatever converts can be stored
    if name == "conllu":  # whatever is read from CoNLL-U is written back and reads the same
        again = list(CONVERTERS[name](docs_to_conllu(docs), vocab=_BLANK.vocab, n_sents=0))
        assert [_conllu_view(d) for d in again] == [_conllu_view(d) for d in docs if len(d)]


def _conllu_view(doc):
    return ([(t.text, t.whitespace_, t.lemma_, t.pos_, t.tag_, str(t.morph), t.head.i, t.dep_, t.ent_iob_,
              t.ent_type_, t.is_sent_start) for t in doc], doc.user_data.get("conllu_mwt"))


converter_inputs = st.one_of(
    st.binary(max_size=300),
    st.text(any_char, max_size=200).map(lambda s: s.encode("utf8", "surrogatepass")),
    st.lists(st.sampled_from([CONLLU_LINE, "\n", "# text = Hi\n", "2\tx\n", "Hi O\n", "Hi|B-PER\n",
                              json.dumps({"text": "Hi \ud800"}) + "\n", "{}\n", "[1]\n", "\x00\n"]),
             max_size=12).map(lambda lines: "".join(lines).encode("utf8", "surrogatepass")),
)


@pytest.mark.parametrize("name,suffix", [("conllu", ".conllu"), ("ner", ".iob2"), ("iob", ".iob"),
                                         ("jsonl", ".jsonl")])
@FAST
@given(data=converter_inputs)
def test_converters_never_crash(tmp_path, name, suffix, data):
    check_converter(tmp_path, name, suffix, data)


@pytest.mark.slow
@pytest.mark.parametrize("name,suffix", [("conllu", ".conllu"), ("ner", ".iob2"), ("iob", ".iob"),
                                         ("jsonl", ".jsonl")])
@SLOW
@given(data=converter_inputs)
def test_converters_never_crash_long_run(tmp_path, name, suffix, data):
    check_converter(tmp_path, name, suffix, data)


def test_vocab_strings_with_surrogates_round_trip(tmp_path):
    nlp = heron.blank("en")
    doc = nlp("x \udcff y")
    assert np.all(doc.to_array(["ORTH"]) != 0)
    for string in ("\udcff", "a\ud800b", "\ud83d\ude00"):  # the last: two halves, not one emoji
        nlp.vocab.strings.add(string)
    nlp.vocab.to_disk(tmp_path / "vocab")
    vocab = heron.blank("en").vocab.from_disk(tmp_path / "vocab")
    assert {"\udcff", "a\ud800b", "\ud83d\ude00"} <= set(vocab.strings)
    assert "\U0001f600" not in vocab.strings
