"""Lone surrogates ("\\ud800", "\\udcff") in text: accepted everywhere, round-tripped exactly.

The blank tokenizer accepts any Python str, so strings, lexemes, Doc/DocBin bytes,
JSON and vectors must too. Hashes use UTF-8 with `surrogatepass`; JSON files are
written as UTF-8 with surrogatepass (only when a surrogate is present) and msgpack
strings likewise, so a string holding two separate halves of a pair ("\\ud83d\\ude00",
2 code points) never turns into the astral character they encode (1 code point).
"""
import json

import numpy as np
import pytest

import heron
from heron.tokens import Doc, DocBin, Vocab
from heron.tokens.strings import StringStore, get_string_id

LONE = ["\ud800", "\udcff", "x\udfffy"]
HALVES = "\ud83d\ude00"  # two code points, NOT the emoji
ASTRAL = "\U0001F600"  # the emoji (what JSON makes of the two escaped halves)
TEXT = "a \ud800 b \udcff c \ud83d\ude00 d \U0001F600 e"


def test_hash_accepts_surrogates_and_keeps_strings_apart():
    keys = [get_string_id(s) for s in LONE + [HALVES, ASTRAL]]
    assert all(isinstance(k, int) and k > 0 for k in keys)
    assert len(set(keys)) == len(keys)  # the two halves and the emoji are different strings
    assert get_string_id("\ud800") == get_string_id("\ud800")


def test_string_store_bytes_and_disk_roundtrip(tmp_path):
    store = StringStore(LONE + [HALVES, ASTRAL, "plain", "é"])
    again = StringStore().from_bytes(store.to_bytes())
    assert sorted(again) == sorted(store)
    store.to_disk(tmp_path / "strings.json")
    loaded = StringStore().from_disk(tmp_path / "strings.json")
    assert sorted(loaded) == sorted(store)
    assert loaded[get_string_id(HALVES)] == HALVES and len(loaded[get_string_id(HALVES)]) == 2


def test_string_store_files_without_surrogates_stay_strict_utf8(tmp_path):
    StringStore(["plain", "é", ASTRAL]).to_disk(tmp_path / "strings.json")
    assert json.loads((tmp_path / "strings.json").read_bytes().decode("utf8")) == sorted(["plain", "é", ASTRAL])


def test_string_store_reads_escaped_surrogates_written_by_other_tools():
    # json.dumps' default escapes: a lone half stays lone, two escaped halves make the emoji
    data = json.dumps(["\ud800", HALVES]).encode("ascii")
    assert sorted(StringStore().from_bytes(data)) == sorted(["\ud800", ASTRAL])


def test_lexeme_attributes_and_overrides(tmp_path):
    vocab = Vocab(lang="en")
    lex = vocab["x\ud800Y"]
    assert lex.lower_ == "x\ud800y" and lex.shape_ and lex.prefix_ == "x" and lex.suffix_
    assert isinstance(lex.lower, int) and lex.lower == get_string_id("x\ud800y")
    vocab["\udcff"].is_stop = True
    vocab["\udcff"].norm_ = "\udc00"
    vocab.to_disk(tmp_path / "vocab")
    loaded = Vocab(lang="en").from_disk(tmp_path / "vocab")
    assert loaded["\udcff"].is_stop and loaded["\udcff"].norm_ == "\udc00"
    assert "x\ud800Y" in loaded.strings
    again = Vocab(lang="en").from_bytes(vocab.to_bytes())
    assert again["\udcff"].norm_ == "\udc00" and HALVES not in again.strings


def _annotated_doc(vocab):
    words = ["a", "\ud800", "b", "\udcff", "c", HALVES, "d", ASTRAL, "e"]
    spaces = [True] * 8 + [False]
    return Doc(vocab, words, spaces, tags=["T\ud800"] * 9, lemmas=["l\udcff"] * 9,
               ents=["O", "B-X\ud800", "I-X\ud800", "O", "O", "U-Y", "O", "O", "O"])


def _signature(doc):
    return ([t.text for t in doc], doc.text, [t.tag_ for t in doc], [t.lemma_ for t in doc],
            [(e.start, e.end, e.label_) for e in doc.ents])


def test_doc_bytes_roundtrip_exact():
    doc = _annotated_doc(Vocab())
    doc.user_data["note"] = "\ud800 in user data"
    assert doc.text == TEXT
    new = Doc(Vocab()).from_bytes(doc.to_bytes())
    assert _signature(new) == _signature(doc)
    assert new.user_data["note"] == "\ud800 in user data"
    assert len(new[5].text) == 2  # the halves stayed halves


def test_docbin_roundtrip_exact(tmp_path):
    doc = _annotated_doc(Vocab())
    db = DocBin(store_user_data=True, docs=[doc])
    db.to_disk(tmp_path / "s.heron")
    (new,) = DocBin().from_disk(tmp_path / "s.heron").get_docs(Vocab())
    assert _signature(new) == _signature(doc)
    (again,) = DocBin().from_bytes(db.to_bytes()).get_docs(Vocab())
    assert _signature(again) == _signature(doc)


def test_doc_json_roundtrip_through_json_text():
    from heron.tokens.strings import json_from_bytes, json_to_bytes

    doc = _annotated_doc(Vocab())
    assert _signature(Doc.from_json(Vocab(), doc.to_json())) == _signature(doc)
    exact = json_from_bytes(json_to_bytes(doc.to_json()))
    assert _signature(Doc.from_json(Vocab(), exact)) == _signature(doc)
    # Lone surrogates also survive json.dumps' default \\u escapes...
    lone = Doc(Vocab(), ["a", "\ud800", "\udcff"], tags=["T\ud800"] * 3)
    assert _signature(Doc.from_json(Vocab(), json.loads(json.dumps(lone.to_json())))) == _signature(lone)
    # ...but JSON's own rule merges two escaped halves into the emoji, so offsets no
    # longer fit: a coded error, never a wrong Doc.
    with pytest.raises(heron.errors.HeronError, match=r"\[E026\]"):
        Doc.from_json(Vocab(), json.loads(json.dumps(doc.to_json())))


def test_blank_pipeline_roundtrip(tmp_path):
    nlp = heron.blank("en")
    doc = nlp(TEXT)
    assert doc.text == TEXT
    nlp.vocab.strings.add("\ud800")
    nlp.to_disk(tmp_path / "p")
    loaded = heron.load(tmp_path / "p")
    assert "\ud800" in loaded.vocab.strings
    assert loaded(TEXT).text == TEXT
    assert Doc(loaded.vocab).from_bytes(doc.to_bytes()).text == TEXT


def test_floret_and_hash_vectors_accept_surrogates():
    from heron.vectors.floret import fnv1a_batch, seeded_hashes

    assert fnv1a_batch(["\ud800", "a"]).shape == (2,)
    rows = seeded_hashes(["\ud800", HALVES, ASTRAL], seed=1)
    assert rows.shape == (3, 4) and len({tuple(r) for r in rows.tolist()}) == 3


@pytest.mark.parametrize("attr", ["ORTH", "LOWER", "NORM", "SHAPE", "PREFIX", "SUFFIX"])
def test_to_array_hashes(attr):
    doc = _annotated_doc(Vocab())
    values = doc.to_array(attr)
    assert values.dtype == np.uint64 and len(values) == len(doc)
    assert doc.vocab.strings[int(values[1])]  # the hash resolves back to text
