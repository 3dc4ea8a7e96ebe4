"""vocab.morphology and MorphAnalysis behave like spaCy's."""
import pytest

from heron.errors import HeronError
from heron.tokens import Doc, MorphAnalysis, Vocab
from heron.tokens.morphology import Morphology


def test_morphology_interns_normalised_feats():
    vocab = Vocab()
    morphology = vocab.morphology
    assert morphology is vocab.morphology
    key = morphology.add("Number=Sing|Case=Nom")
    assert key == morphology.add({"Case": "Nom", "Number": "Sing"}) == vocab.strings["Case=Nom|Number=Sing"]
    assert morphology.get(key) == "Case=Nom|Number=Sing" and morphology.get(0) == ""
    assert morphology.get(morphology.add("")) == "_" == Morphology.EMPTY_MORPH
    assert Morphology.feats_to_dict("PronType=Prs,Int|Case=Nom") == {"PronType": "Int,Prs", "Case": "Nom"}
    assert Morphology.dict_to_feats({"Number": "Sing", "PronType": "Prs,Int"}) == "Number=Sing|PronType=Int,Prs"
    assert Morphology.dict_to_feats({}) == "" and Morphology.feats_to_dict("_") == {}
    with pytest.raises(HeronError, match=r"\[E027\]"):
        morphology.add("Number")


def test_morph_analysis_like_spacy():
    vocab = Vocab()
    morph = MorphAnalysis(vocab, {"Number": "Plur", "PronType": "Prs,Int"})
    assert repr(morph) == str(morph) == morph.to_json() == "Number=Plur|PronType=Int,Prs"
    assert morph.key == vocab.morphology.add(str(morph)) and hash(morph) == hash(MorphAnalysis(vocab, str(morph)))
    assert len(morph) == 3 and list(morph) == ["Number=Plur", "PronType=Int", "PronType=Prs"]
    assert morph.to_dict() == {"Number": "Plur", "PronType": "Int,Prs"}
    assert morph.get("Case", default=["x"]) == ["x"]
    empty = MorphAnalysis(vocab)
    assert str(empty) == "" and len(empty) == 0 and list(empty) == [] and empty.to_dict() == {}
    # unknown feature names and values are kept as they are
    doc = Doc(vocab, ["a", "b"], morphs=["Foo=Bar|Typo=Yes", None])
    assert str(doc[0].morph) == "Foo=Bar|Typo=Yes" and not doc[1].has_morph()
    doc[1].set_morph({"Foo": "Baz"})
    assert doc[1].morph.get("Foo") == ["Baz"] and doc[1].morph == MorphAnalysis(vocab, "Foo=Baz")
