import pytest

from heron.errors import HeronError
from heron.tokens import Doc, MorphAnalysis, Vocab, attrs
from heron.tokens.morphology import normalize_features


def test_attr_ids_match_spacy_values():
    assert (attrs.ORTH, attrs.LEMMA, attrs.POS, attrs.TAG, attrs.DEP, attrs.HEAD) == (65, 73, 74, 75, 76, 79)
    assert (attrs.ENT_IOB, attrs.ENT_TYPE, attrs.SENT_START, attrs.SPACY) == (77, 78, 80, 81)
    assert (attrs.ENT_KB_ID, attrs.MORPH, attrs.ENT_ID, attrs.IDX) == (452, 453, 454, 455)
    assert attrs.NAMES[attrs.IS_ALPHA] == "IS_ALPHA" and attrs.IDS["NORM"] == attrs.NORM


def test_every_attr_spacy_has_has_spacys_number():
    # spaCy's symbol table (kept as data for .spacy files) numbers the attributes too.
    from heron.tokens._spacy_symbols import SYMBOL_IDS

    shared = {name for name in attrs.IDS if name in SYMBOL_IDS}
    assert {"ORTH", "MORPH", "ENT_KB_ID", "ENT_ID", "IDX", "IS_STOP"} <= shared
    assert {name: attrs.IDS[name] for name in shared} == {name: SYMBOL_IDS[name] for name in shared}
    assert set(attrs.IDS) - shared == {"NULL_ATTR", "IS_OOV", "SENT_END"}  # heron's own


@pytest.mark.parametrize("name,expected", [("TAG", attrs.TAG), ("tag_", attrs.TAG), ("tag", attrs.TAG),
                                           ("is_sent_start", attrs.SENT_START), (attrs.DEP, attrs.DEP),
                                           ("like_num", attrs.LIKE_NUM)])
def test_intify_attr(name, expected):
    assert attrs.intify_attr(name) == expected


@pytest.mark.parametrize("bad", ["FISH", 9999, True, None])
def test_intify_attr_unknown(bad):
    with pytest.raises(HeronError, match=r"\[E020\].*ORTH"):
        attrs.intify_attr(bad)


def test_universal_pos_has_the_17_ud_tags():
    assert len(set(attrs.UNIVERSAL_POS) - {"SPACE"}) == 17


@pytest.mark.parametrize("raw,norm", [
    ("Number=Sing|Case=Nom", "Case=Nom|Number=Sing"), ("", "_"), ("_", "_"),
    ({"PronType": ["Prs", "Int"]}, "PronType=Int,Prs"), ("Case=Nom|Case=Acc", "Case=Acc,Nom")])
def test_normalize_features(raw, norm):
    assert normalize_features(raw) == norm


@pytest.mark.parametrize("bad", ["Case", "=Nom", "Case=", 5])
def test_bad_features(bad):
    with pytest.raises(HeronError, match=r"\[E027\]"):
        normalize_features(bad)


def test_morph_analysis_api():
    vocab = Vocab()
    morph = MorphAnalysis(vocab, "PronType=Prs,Int|Case=Nom")
    assert str(morph) == "Case=Nom|PronType=Int,Prs" and len(morph) == 3
    assert list(morph) == ["Case=Nom", "PronType=Int", "PronType=Prs"]
    assert "PronType=Prs" in morph and "Case=Acc" not in morph
    assert morph.get("PronType") == ["Int", "Prs"] and morph.get("Tense") == []
    assert morph == "PronType=Int,Prs|Case=Nom"
    assert morph == MorphAnalysis(vocab, {"Case": "Nom", "PronType": "Prs,Int"})
    assert MorphAnalysis(vocab, "") == "" and MorphAnalysis(vocab).to_dict() == {}
    doc = Doc(vocab, ["x"], morphs=["Case=Nom"])
    doc[0].morph = morph
    assert doc[0].morph == morph and doc[0].has_morph()


def test_token_norm_override_survives_docbin_and_to_array():
    import numpy as np
    import pytest

    from heron.errors import HeronValueError
    from heron.tokens import Doc, DocBin, Vocab

    vocab = Vocab()
    doc = Doc(vocab, words=["They", "wo", "n't", "go"])
    assert doc[2].norm_ == "n't"
    doc[2].norm_ = "not"
    assert doc[2].norm_ == "not" and doc[2].norm == vocab.strings["not"]
    assert doc[0].norm_ == "they"  # untouched tokens keep the lexical norm
    norms = doc.to_array(["NORM"]).ravel().tolist()
    assert norms == [vocab.strings.add(n) for n in ["they", "wo", "not", "go"]]
    back = next(DocBin(docs=[doc]).get_docs(Vocab()))
    assert [t.norm_ for t in back] == ["they", "wo", "not", "go"]
    with pytest.raises(HeronValueError, match="E039"):
        doc[1].norm_ = ""
    assert np.all(doc.to_array(["NORM"]) != 0)
