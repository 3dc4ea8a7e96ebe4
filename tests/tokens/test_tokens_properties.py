"""Property tests: serialisation round trips keep every annotation; text is preserved."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from heron.tokens import Doc, DocBin, Token, Vocab
from heron.tokens.attrs import UNIVERSAL_POS

ATTRS = ["ORTH", "SPACY", "TAG", "POS", "LEMMA", "MORPH", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "SENT_START"]
SETTINGS = settings(max_examples=60, deadline=None)

words_st = st.lists(st.text(min_size=1, max_size=6), min_size=0, max_size=10)
json_st = st.recursive(
    st.none() | st.booleans() | st.integers(-2**63, 2**63 - 1) | st.text(max_size=5)
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3),
    max_leaves=6,
)


def _maybe(values):
    return st.one_of(st.none(), st.just(values))


@st.composite
def docs(draw, full_ents=False):
    words = draw(words_st)
    n = len(words)

    def per_token(elem):
        return draw(st.one_of(st.none(), st.lists(elem, min_size=n, max_size=n)))

    label = st.sampled_from(["", "NN", "VB", "Ünï", "x y"])
    ent_tags = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC", "U-LOC", "L-PER"] + ([] if full_ents else ["-", None])
    doc = Doc(
        Vocab(), words, draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        tags=per_token(st.one_of(st.none(), label)),
        pos=per_token(st.one_of(st.none(), st.sampled_from(UNIVERSAL_POS))),
        lemmas=per_token(st.one_of(st.none(), label)),
        morphs=per_token(st.sampled_from(["Case=Nom", "Number=Plur|Case=Acc", "", "_"])),
        heads=per_token(st.integers(0, max(n - 1, 0))) if n else None,
        deps=per_token(st.one_of(st.none(), st.sampled_from(["nsubj", "ROOT", "obj"]))),
        sent_starts=per_token(st.sampled_from([True, False, None])),
        ents=per_token(st.sampled_from(ent_tags)),
    )
    return doc


def _ents(doc):
    return [(e.start, e.end, e.label_, e.kb_id_) for e in doc.ents]


@pytest.fixture(scope="module", autouse=True)
def extensions():
    Doc.set_extension("prop_value", default=None)
    Token.set_extension("prop_value", default=None)
    yield
    Doc.remove_extension("prop_value")
    Token.remove_extension("prop_value")


@given(words=words_st, spaces_seed=st.lists(st.booleans(), min_size=10, max_size=10))
@SETTINGS
def test_unicode_words_preserve_text(words, spaces_seed):
    spaces = spaces_seed[:len(words)]
    doc = Doc(Vocab(), words, spaces)
    assert doc.text == "".join(w + (" " if s else "") for w, s in zip(words, spaces))
    assert [t.text for t in doc] == words
    assert all(doc.text[t.idx:t.idx + len(t)] == t.text for t in doc)
    assert doc.char_span(0, len(doc.text.rstrip(" ")), alignment_mode="expand") is None or len(doc) > 0


@given(doc=docs(), doc_value=json_st, token_values=st.lists(json_st, max_size=4))
@SETTINGS
def test_docbin_roundtrip_preserves_everything(doc, doc_value, token_values):
    doc._.prop_value = doc_value
    for token, value in zip(doc, token_values):
        token._.prop_value = value
    doc.cats = {"A": 0.5}
    data = DocBin(store_user_data=True, docs=[doc, doc]).to_bytes()
    for new in DocBin().from_bytes(data).get_docs(Vocab()):
        assert new.text == doc.text
        assert new.to_array(ATTRS).tolist() == doc.to_array(ATTRS).tolist()
        assert [t.is_sent_start for t in new] == [t.is_sent_start for t in doc]
        assert [t.ent_iob_ for t in new] == [t.ent_iob_ for t in doc] and _ents(new) == _ents(doc)
        assert [str(t.morph) for t in new] == [str(t.morph) for t in doc]
        assert new.user_data == doc.user_data and new.cats == doc.cats
        assert new._.prop_value == doc_value
        assert [t._.prop_value for t in new] == [t._.prop_value for t in doc]


@given(doc=docs())
@SETTINGS
def test_doc_bytes_roundtrip(doc):
    new = Doc(Vocab()).from_bytes(doc.to_bytes())
    assert new.text == doc.text and new.to_array(ATTRS).tolist() == doc.to_array(ATTRS).tolist()


@given(doc=docs(full_ents=True), doc_value=json_st, token_values=st.lists(json_st, max_size=4))
@SETTINGS
def test_json_roundtrip_preserves_annotations(doc, doc_value, token_values):
    doc._.prop_value = doc_value
    for token, value in zip(doc, token_values):
        token._.prop_value = value
    new = Doc.from_json(Vocab(), doc.to_json(underscore=["prop_value"]))
    assert new.text == doc.text and [t.text for t in new] == [t.text for t in doc]
    for attr in ("tag_", "pos_", "lemma_", "dep_"):
        assert [getattr(t, attr) for t in new] == [getattr(t, attr) for t in doc], attr
    assert [str(t.morph) for t in new] == [str(t.morph) for t in doc]
    if doc.has_annotation("HEAD"):
        assert [t.head.i for t in new] == [t.head.i for t in doc]
    assert _ents(new) == _ents(doc)
    if doc.has_annotation("SENT_START"):
        assert [(s.start, s.end) for s in new.sents] == [(s.start, s.end) for s in doc.sents]
    assert new._.prop_value == doc_value
    assert [t._.prop_value for t in new] == [t._.prop_value for t in doc]
    assert not any(isinstance(v, float) and math.isnan(v) for v in new.user_data.values())


@given(words=st.lists(st.text(min_size=1, max_size=4), min_size=1, max_size=8), data=st.data())
@SETTINGS
def test_char_span_recovers_token_spans(words, data):
    spaces = data.draw(st.lists(st.booleans(), min_size=len(words), max_size=len(words)))
    doc = Doc(Vocab(), words, spaces)
    i = data.draw(st.integers(0, len(doc) - 1))
    j = data.draw(st.integers(i + 1, len(doc)))
    span = doc[i:j]
    for mode in ("strict", "contract", "expand"):
        found = doc.char_span(span.start_char, span.end_char, alignment_mode=mode)
        assert (found.start, found.end) == (i, j), mode
    assert doc.text[span.start_char:span.end_char] == span.text


@given(n=st.integers(1, 12), data=st.data())
@SETTINGS
def test_set_ents_then_get_ents_is_identity(n, data):
    doc = Doc(Vocab(), ["w"] * n)
    cuts = sorted(data.draw(st.sets(st.integers(0, n), max_size=6)))
    bounds = list(zip(cuts[:-1], cuts[1:]))
    chosen = [b for b in bounds if data.draw(st.booleans())]
    labels = [data.draw(st.sampled_from(["PER", "ORG"])) for _ in chosen]
    doc.ents = [(label, s, e) for label, (s, e) in zip(labels, chosen)]
    assert [(e.start, e.end, e.label_) for e in doc.ents] == [(s, e, lab) for lab, (s, e) in zip(labels, chosen)]
