import numpy as np
import pytest

from heron.errors import HeronError
from heron.tokens import Doc, DocBin, Token, Vocab


@pytest.fixture
def annotated():
    vocab = Vocab(lang="en")
    return Doc(vocab, ["Ann", "visited", "Paris", "."], [True, True, False, False],
               tags=["NNP", "VBD", "NNP", "."], pos=["PROPN", "VERB", "PROPN", "PUNCT"],
               morphs=["Number=Sing", "Tense=Past", "", "PunctType=Peri"], lemmas=["Ann", "visit", "Paris", "."],
               heads=[1, 1, 1, 1], deps=["nsubj", "ROOT", "obj", "punct"], ents=["B-PER", "O", "U-GPE", "-"])


def _columns(doc):
    attrs = ["ORTH", "SPACY", "TAG", "POS", "LEMMA", "MORPH", "HEAD", "DEP", "ENT_IOB", "ENT_TYPE", "SENT_START"]
    return doc.to_array(attrs).tolist()


def test_to_json_schema(annotated):
    data = annotated.to_json()
    assert data["text"] == "Ann visited Paris."
    assert data["tokens"][1] == {"id": 1, "start": 4, "end": 11, "tag": "VBD", "pos": "VERB", "morph": "Tense=Past",
                                 "lemma": "visit", "dep": "ROOT", "head": 1}
    assert data["ents"] == [{"start": 0, "end": 3, "label": "PER"}, {"start": 12, "end": 17, "label": "GPE"}]
    assert data["sents"] == [{"start": 0, "end": 18}]
    assert "_" not in data


def test_json_roundtrip(annotated):
    annotated[3].ent_iob_ = "O"
    new = Doc.from_json(Vocab(), annotated.to_json())
    assert _columns(new) == _columns(annotated) and new.text == annotated.text


def test_from_json_rejects_bad_offsets():
    with pytest.raises(HeronError, match=r"\[E026\]"):
        tokens = [{"id": 0, "start": 0, "end": 2}, {"id": 1, "start": 4, "end": 5}]
        Doc.from_json(Vocab(), {"text": "ab  c", "tokens": tokens})
    with pytest.raises(HeronError, match=r"\[E026\]"):
        Doc.from_json(Vocab(), {"text": "abc"})
    with pytest.raises(HeronError, match=r"\[E026\].*aligned"):
        Doc.from_json(Vocab(), {"text": "abc", "tokens": [{"id": 0, "start": 0, "end": 3}],
                                "ents": [{"start": 0, "end": 2, "label": "X"}]})


def test_json_underscore(annotated):
    Doc.set_extension("src", default=None)
    Token.set_extension("score", default=0)
    try:
        annotated._.src = "test"
        annotated[2]._.score = 3
        data = annotated.to_json(underscore=["src", "score"])
        assert data["_"] == {"src": "test"}
        assert data["underscore_token"] == {"score": [{"start": 12, "value": 3}]}
        new = Doc.from_json(Vocab(), data)
        assert new._.src == "test" and new[2]._.score == 3
        annotated._.src = object()
        with pytest.raises(HeronError, match=r"\[E025\]"):
            annotated.to_json(underscore=["src"])
    finally:
        Doc.remove_extension("src")
        Token.remove_extension("score")


def test_doc_bytes_roundtrip(annotated):
    annotated.tensor = np.arange(12, dtype="float32").reshape(4, 3)
    annotated.cats = {"TRAVEL": 1.0}
    annotated.user_data["note"] = {"a": [1, 2]}
    new = Doc(Vocab()).from_bytes(annotated.to_bytes())
    assert _columns(new) == _columns(annotated) and new.text == annotated.text
    assert new.tensor.tolist() == annotated.tensor.tolist() and new.cats == {"TRAVEL": 1.0}
    assert new.user_data == {"note": {"a": [1, 2]}}
    with pytest.raises(HeronError, match=r"\[E035\]"):
        Doc(Vocab()).from_bytes(b"garbage")


def test_docbin_roundtrip(annotated, tmp_path):
    plain = Doc(annotated.vocab, ["no", "annotation"], [False, False])
    plain.user_data[("._.", "x", None, None)] = 7
    bin_ = DocBin(store_user_data=True, docs=[annotated, plain])
    bin_.to_disk(tmp_path / "train.heron")
    loaded = DocBin().from_disk(tmp_path / "train.heron")
    assert len(loaded) == 2
    docs = list(loaded.get_docs(Vocab()))
    assert _columns(docs[0]) == _columns(annotated) and docs[1].text == "noannotation"
    assert [t.ent_iob_ for t in docs[0]] == ["B", "O", "B", ""]
    assert not docs[1].has_annotation("TAG") and docs[1].user_data == {("._.", "x", None, None): 7}
    assert [(e.text, e.label_) for e in docs[0].ents] == [("Ann", "PER"), ("Paris", "GPE")]


def test_docbin_without_user_data_and_attrs_subset(annotated):
    annotated.user_data["x"] = 1
    docs = list(DocBin(attrs=["TAG"], docs=[annotated]).get_docs(Vocab()))
    assert docs[0].user_data == {} and docs[0][1].tag_ == "VBD" and not docs[0].has_annotation("DEP")


def test_docbin_skips_unserialisable_user_data(annotated):
    annotated.user_data["bad"] = object()
    annotated.user_data["ok"] = "fine"
    with pytest.warns(UserWarning, match=r"\[W001\]"):
        bin_ = DocBin(store_user_data=True, docs=[annotated])
    doc = next(DocBin().from_bytes(bin_.to_bytes()).get_docs(Vocab()))
    assert doc.user_data == {"ok": "fine"}


def test_docbin_merge(annotated):
    a, b = DocBin(docs=[annotated]), DocBin(docs=[annotated, annotated])
    a.merge(b)
    assert len(a) == 3 and len(list(a.get_docs(Vocab()))) == 3
    with pytest.raises(HeronError, match=r"\[E029\]"):
        a.merge(DocBin(attrs=["TAG"]))


def test_docbin_rejects_foreign_file(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    with pytest.raises(HeronError, match=r"\[E028\].*notes.txt"):
        DocBin().from_disk(path)
    with pytest.raises(HeronError, match=r"\[E028\].*missing.heron"):
        DocBin().from_disk(tmp_path / "missing.heron")


def test_empty_docbin_and_empty_doc():
    assert len(DocBin().from_bytes(DocBin().to_bytes())) == 0
    docs = list(DocBin().from_bytes(DocBin(docs=[Doc(Vocab())]).to_bytes()).get_docs(Vocab()))
    assert len(docs) == 1 and len(docs[0]) == 0


def test_from_json_as_instance_method_like_spacy(annotated):
    vocab = Vocab()
    new = Doc(vocab).from_json(annotated.to_json())
    assert new.vocab is vocab and new.text == annotated.text and new[1].lemma_ == "visit"
