"""SpacyDocBin: spaCy's `.spacy` format read and written without spaCy.

Round trips heron -> .spacy -> heron for every attribute, reads a fixture written by
spaCy 3.8 itself (tests/fixtures/spacy/, made by make_sample_spacy.py there) and checks
corrupt, oversized and unsafe inputs. The checks against a live spaCy are in
test_spacy_docbin_peer.py (slow).
"""
import json
import zlib
from pathlib import Path

import msgpack
import numpy as np
import pytest

import heron
from heron.errors import HeronError, HeronWarning
from heron.tokens import Doc, Span
from heron.tokens._spacy_hash import spacy_string_id, spacy_string_ids
from heron.tokens._spacy_symbols import SYMBOL_IDS, SYMBOLS
from heron.tokens.spacy_docbin import SpacyDocBin

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "spacy"


def annotated_doc(vocab) -> Doc:
    doc = Doc(vocab, words=["Ada", "Lovelace", "wrote", "code", ".", "She", "smiled", "."],
              spaces=[True, True, True, False, True, True, False, False],
              tags=["NNP", "NNP", "VBD", "NN", ".", "PRP", "VBD", "."],
              pos=["PROPN", "PROPN", "VERB", "NOUN", "PUNCT", "PRON", "VERB", "PUNCT"],
              morphs=["Number=Sing", "Number=Sing", "Tense=Past|VerbForm=Fin", "Number=Sing", "", "Case=Nom",
                      "Tense=Past", None],
              lemmas=["Ada", "Lovelace", "write", "code", ".", "she", "smile", "."],
              heads=[1, 2, 2, 2, 2, 6, 6, 6],
              deps=["compound", "nsubj", "ROOT", "dobj", "punct", "nsubj", "ROOT", "punct"],
              ents=["B-PERSON", "L-PERSON", "O", "O", "O", "O", "O", "O"])
    doc.ents = [Span(doc, 0, 2, "PERSON", kb_id="Q7259")]
    doc.cats = {"POS": 1.0, "NEG": 0.0}
    doc.spans["sc"] = [Span(doc, 0, 2, "PERSON", kb_id="Q7259", span_id="ada"), Span(doc, 2, 4, "ACT")]
    doc.spans["sc"].attrs["note"] = "by hand"
    doc.spans["empty"] = []
    doc.user_data["source"] = {"file": "a.txt", "lines": [1, 2]}
    doc.user_data[("._.", "checked", None, None)] = True
    return doc


def snapshot(doc: Doc) -> dict:
    return {
        "text": doc.text, "words": doc.words, "spaces": doc.spaces,
        "tokens": [(t.tag_, t.pos_, str(t.morph), t.lemma_,
                    t.head.i, t.dep_, t.ent_iob_, t.ent_type_, t.ent_kb_id_, t.is_sent_start, t.norm_) for t in doc],
        "morph_annotated": doc.has_annotation("MORPH"), "cats": doc.cats,
        "spans": {k: ([(s.start, s.end, s.label_, s.kb_id_, s.id_) for s in g], g.name, g.attrs)
                  for k, g in doc.spans.items()},
    }


def test_round_trip_keeps_every_attribute(en_vocab):
    doc = annotated_doc(en_vocab)
    plain = Doc(en_vocab, words=["no", "annotation"], spaces=[True, False])
    sentenced = Doc(en_vocab, words=["A", ".", "B", "."], sent_starts=[True, False, True, None])
    docbin = SpacyDocBin(store_user_data=True, docs=[doc, plain])
    docbin.add(sentenced, has_unknown_spaces=True)
    docbin.add(Doc(en_vocab, words=[]))
    data = docbin.to_bytes()
    loaded = SpacyDocBin().from_bytes(data)
    assert len(loaded) == 4 and loaded.store_user_data
    assert [f["has_unknown_spaces"] for f in loaded.flags] == [False, False, True, False]
    vocab = heron.blank("en").vocab  # a fresh vocab: every string must come from the file
    docs = list(loaded.get_docs(vocab))
    assert snapshot(docs[0]) == snapshot(doc)
    assert docs[0].user_data == doc.user_data
    assert [e.text for e in docs[0].ents] == ["Ada Lovelace"] and docs[0].ents[0].kb_id_ == "Q7259"
    assert snapshot(docs[1]) == snapshot(plain) and not docs[1].has_annotation("TAG")
    assert [t.is_sent_start for t in docs[2]] == [True, False, True, None]
    assert docs[2].spaces == [True] * 4  # unknown spaces: one after every token, as spaCy reads them
    assert len(docs[3]) == 0
    assert loaded.to_bytes() == data  # read and written again: the same bytes


def test_writes_spacy_ids_and_strings(en_vocab):
    doc = annotated_doc(en_vocab)
    msg = msgpack.unpackb(zlib.decompress(SpacyDocBin(docs=[doc]).to_bytes()))
    assert msg["attrs"] == [65, 67, 73, 74, 75, 76, 77, 78, 79, 80, 452, 453, 454]  # spaCy's attr IDs, sorted
    tokens = np.frombuffer(msg["tokens"], dtype="<u8").reshape(len(doc), -1)
    column = {name: tokens[:, j] for j, name in enumerate(SYMBOLS[a] for a in msg["attrs"])}
    assert column["POS"].tolist()[:4] == [SYMBOL_IDS[p] for p in ("PROPN", "PROPN", "VERB", "NOUN")]
    assert column["DEP"][1] == SYMBOL_IDS["nsubj"] and column["DEP"][2] == spacy_string_id("ROOT")
    assert column["ENT_TYPE"][0] == SYMBOL_IDS["PERSON"]
    assert column["MORPH"][4] == SYMBOL_IDS["_"] and column["MORPH"][7] == 0  # no features vs not annotated
    assert column["HEAD"].view(np.int64).tolist() == [1, 1, 0, -1, -2, 1, 0, -1]
    assert column["ENT_IOB"].tolist() == [3, 1, 2, 2, 2, 2, 2, 2]
    assert column["SENT_START"].view(np.int64).tolist() == [1, -1, -1, -1, -1, 1, -1, -1]
    assert column["ORTH"][0] == 0xB49B750A4A3834FC  # MurmurHash64A("Ada", seed 1), as spaCy 3.8 writes it
    assert {"", "Ada", "ada", "nsubj", "Number=Sing", "Q7259", "PERSON", "ACT", "ada"} <= set(msg["strings"])
    assert "PROPN" not in msg["strings"]  # spaCy lists no POS strings (they are symbols)
    assert msg["flags"] == [{"has_unknown_spaces": False}] and msg["version"] == "0.1" and "user_data" not in msg


def test_strings_list_as_spacy_lists_it(en_vocab):
    """spaCy lists str(token.morph) ("" without features) but the text of a word or lemma "_" as it is."""
    doc = Doc(en_vocab, words=["_", "x"], lemmas=["_", "x"], morphs=["", "Number=Sing"])
    msg = msgpack.unpackb(zlib.decompress(SpacyDocBin(docs=[doc]).to_bytes()))
    assert msg["strings"] == ["", "Number=Sing", "_", "x"]


def test_hash_matches_known_spacy_values():
    # Values spaCy 3.8's StringStore gives (checked against spaCy in the slow test too).
    assert spacy_string_id("") == 0 and spacy_string_id("NOUN") == 92 and spacy_string_id("_") == 456
    assert spacy_string_ids(["Ada", "."]).tolist() == [0xB49B750A4A3834FC, 0xAF7FD9EC4CACC2A2]
    assert spacy_string_id("Number=Sing") == 0x9CB73422FADEC02F
    assert len(SYMBOLS) == 457 and SYMBOL_IDS["MORPH"] == 453


def expected_fixture() -> dict:
    return json.loads((FIXTURES / "sample.json").read_text(encoding="utf8"))


def test_reads_a_file_written_by_spacy():
    """sample.spacy was written by spaCy 3.8; sample.json is what spaCy reads back from it."""
    vocab = heron.blank("en").vocab
    docbin = SpacyDocBin().from_disk(FIXTURES / "sample.spacy")
    with pytest.warns(HeronWarning, match=r"W520.*'vector'"):  # srsly's numpy encoding: not read
        docs = list(docbin.get_docs(vocab))
    expected = expected_fixture()["docs"]
    assert len(docs) == len(expected) == 5
    for doc, want in zip(docs, expected):
        assert doc.words == want["words"] and doc.spaces == want["spaces"]
        assert [t.tag_ for t in doc] == want["tags"] and [t.pos_ for t in doc] == want["pos"]
        assert [str(t.morph) for t in doc] == want["morphs"] and [t.lemma_ for t in doc] == want["lemmas"]
        assert [t.dep_ for t in doc] == want["deps"] and [t.ent_iob_ for t in doc] == want["ent_iob"]
        assert [t.ent_type_ for t in doc] == want["ent_type"] and [t.ent_kb_id_ for t in doc] == want["ent_kb_id"]
        assert [t.is_sent_start for t in doc] == want["sent_starts"] and [t.norm_ for t in doc] == want["norms"]
        assert doc.cats == want["cats"]
        assert {k: [[s.start, s.end, s.label_, s.kb_id_, s.id_] for s in g] for k, g in doc.spans.items()} \
            == want["spans"]
        assert {k: g.attrs for k, g in doc.spans.items()} == want["span_attrs"]
        if doc.has_annotation("DEP"):
            assert [t.head.i for t in doc] == want["heads"]
    assert [f.get("has_unknown_spaces") for f in docbin.flags] == [d["has_unknown_spaces"] for d in expected]
    assert docs[3].user_data == {"source": {"file": "notes.txt", "lines": [3, 4]},
                                 ("._.", "checked", None, None): True}
    assert SpacyDocBin().from_bytes((FIXTURES / "sample.spacy").read_bytes()).to_bytes() \
        == (FIXTURES / "sample.spacy").read_bytes()


def test_writing_spacy_docs_again_gives_spacy_bytes():
    """Docs read from spaCy's file and added again (with their flags) give spaCy's exact bytes."""
    vocab = heron.blank("en").vocab
    original = (FIXTURES / "sample.spacy").read_bytes()
    docbin = SpacyDocBin().from_bytes(original)
    out = SpacyDocBin(store_user_data=True)
    with pytest.warns(HeronWarning, match="W520"):
        for doc, flags in zip(docbin.get_docs(vocab), docbin.flags):
            out.add(doc, has_unknown_spaces=flags["has_unknown_spaces"])
    a, b = (msgpack.unpackb(zlib.decompress(x)) for x in (original, out.to_bytes()))
    assert {k: v for k, v in a.items() if k != "user_data"} == {k: v for k, v in b.items() if k != "user_data"}


def _spacy_bytes(msg: dict) -> bytes:
    return zlib.compress(msgpack.packb(msg, use_bin_type=True))


def _valid_msg(en_vocab) -> dict:
    return msgpack.unpackb(zlib.decompress(SpacyDocBin(store_user_data=True, docs=[annotated_doc(en_vocab)])
                                           .to_bytes()))


@pytest.mark.parametrize("data,code", [
    (b"not zlib at all", "E521"),
    (zlib.compress(b"\x93\x01\x02\x03")[:-3], "E521"),  # truncated
    (zlib.compress(b"\xc1"), "E520"),  # not msgpack
    (zlib.compress(msgpack.packb([1, 2])), "E520"),  # not a map
    (zlib.compress(msgpack.packb({"attrs": [65]})), "E520"),  # missing keys
])
def test_corrupt_input_is_a_coded_error(data, code, tmp_path):
    path = tmp_path / "bad.spacy"
    path.write_bytes(data)
    with pytest.raises(HeronError, match=rf"\[{code}\].*bad\.spacy"):
        SpacyDocBin().from_disk(path)


@pytest.mark.parametrize("change,problem", [
    (lambda m: m.update(attrs=[67, 75]), "ORTH"),
    (lambda m: m.update(tokens=m["tokens"][:-8]), "'tokens' holds"),
    (lambda m: m.update(spaces=b""), "'spaces'"),
    (lambda m: m.update(cats=[]), "'cats'"),
    (lambda m: m.update(span_groups=[1]), "'span_groups'"),
    (lambda m: m.update(strings=[1]), "'strings'"),
])
def test_inconsistent_body_is_e520(en_vocab, change, problem):
    msg = _valid_msg(en_vocab)
    change(msg)
    with pytest.raises(HeronError, match=rf"\[E520\] x\.spacy.*{problem}"):
        SpacyDocBin().from_bytes(_spacy_bytes(msg), source="x.spacy")


def _set_column(msg: dict, attr: str, i: int, value: int) -> None:
    tokens = np.frombuffer(msg["tokens"], dtype="<u8").reshape(-1, len(msg["attrs"])).copy()
    tokens[i, msg["attrs"].index(SYMBOL_IDS[attr])] = np.uint64(value & (2**64 - 1))
    msg["tokens"] = tokens.tobytes()


@pytest.mark.parametrize("attr,value,problem", [
    ("TAG", 12345678901234, "TAG ID 12345678901234"),  # a hash without its string
    ("HEAD", 40, "head"),  # outside the Doc
    ("ENT_IOB", 7, "ENT_IOB = 7"),
    ("SENT_START", 5, "SENT_START = 5"),
    ("ORTH", 0, "no text"),
])
def test_doc_that_cannot_be_rebuilt_is_e523(en_vocab, attr, value, problem):
    msg = _valid_msg(en_vocab)
    _set_column(msg, attr, 1, value)
    docbin = SpacyDocBin().from_bytes(_spacy_bytes(msg), source="x.spacy")
    with pytest.raises(HeronError, match=rf"\[E523\] x\.spacy: doc 0 .*{problem}"):
        list(docbin.get_docs(heron.blank("en").vocab))


def test_span_label_missing_from_strings_is_e523(en_vocab):
    msg = _valid_msg(en_vocab)
    msg["strings"].remove("ACT")
    docbin = SpacyDocBin().from_bytes(_spacy_bytes(msg), source="x.spacy")
    with pytest.raises(HeronError, match=r"\[E523\] x\.spacy: doc 0 .*span label ID"):
        list(docbin.get_docs(heron.blank("en").vocab))


def test_decompression_bomb_is_refused(tmp_path):
    bomb = zlib.compress(b"\x00" * (80 << 20), 9)  # 80 MiB of zeros in ~80 KB
    with pytest.raises(HeronError, match=r"\[E522\].*inflates to more than"):
        SpacyDocBin().from_bytes(bomb, source="bomb.spacy")
    path = tmp_path / "big.spacy"
    path.write_bytes(b"x" * 100)
    with pytest.raises(HeronError, match=r"\[E522\].*big\.spacy.*100 bytes"):
        SpacyDocBin().from_disk(path, max_size=50)


def test_user_data_reads_plain_msgpack_only(en_vocab):
    msg = _valid_msg(en_vocab)
    pickled = msgpack.ExtType(42, b"cos\nsystem\n(S'echo owned'\ntR.")  # an extension type holding a pickle
    msg["user_data"] = [msgpack.packb({"ok": [1, "two"], "evil": pickled, "when": msgpack.Timestamp(0)})]
    docbin = SpacyDocBin().from_bytes(_spacy_bytes(msg), source="x.spacy")
    with pytest.warns(HeronWarning, match=r"W520.*x\.spacy, doc 0.*'evil'"):
        doc = next(docbin.get_docs(heron.blank("en").vocab))
    assert doc.user_data == {"ok": [1, "two"]}
    msg["user_data"] = [b"\xc1 not msgpack"]
    with pytest.warns(HeronWarning, match="W520"):
        doc = next(SpacyDocBin().from_bytes(_spacy_bytes(msg)).get_docs(heron.blank("en").vocab))
    assert doc.user_data == {} and doc.words[0] == "Ada"  # the Doc itself still loads


def test_attrs_and_merge(en_vocab):
    doc = annotated_doc(en_vocab)
    small = SpacyDocBin(attrs=["TAG", "pos"], docs=[doc])
    assert small.attrs == [65, 74, 75]
    back = next(SpacyDocBin().from_bytes(small.to_bytes()).get_docs(heron.blank("en").vocab))
    assert [t.tag_ for t in back] == [t.tag_ for t in doc] and not back.has_annotation("DEP")
    with pytest.raises(HeronError, match=r"\[E525\].*'LOWER'"):
        SpacyDocBin(attrs=["LOWER"])
    merged = SpacyDocBin(docs=[doc])
    merged.merge(SpacyDocBin(docs=[doc]))
    assert len(merged) == 2
    with pytest.raises(HeronError, match=r"\[E524\].*attrs"):
        merged.merge(small)
