"""attribute_ruler: spaCy's API (add, add_patterns, tag maps, morph rules), JSON round trips."""
from __future__ import annotations

import json

import pytest

import heron
from heron.errors import HeronError
from heron.language import Language
from heron.tokens import Doc, Token
from heron.training.example import Example

TAG_MAP = {"NNP": {"POS": "PROPN"}, "VBZ": {"POS": "VERB", "VerbForm": "Fin", "Number": "Sing"},
           "PRP": {"POS": "PRON", "MORPH": "PronType=Prs"}}
MORPH_RULES = {"PRP": {"She": {"LEMMA": "she", "POS": "PRON", "Case": "Nom", "Person": "3"}}}


def _doc(nlp: Language) -> Doc:
    return Doc(nlp.vocab, ["She", "likes", "New", "York", "."], tags=["PRP", "VBZ", "NNP", "NNP", "."])


def test_tag_map_and_morph_rules():
    nlp = heron.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.load_from_tag_map(TAG_MAP)
    ruler.load_from_morph_rules(MORPH_RULES)
    doc = ruler(_doc(nlp))
    assert [t.pos_ for t in doc] == ["PRON", "VERB", "PROPN", "PROPN", ""]
    assert str(doc[1].morph) == "Number=Sing|VerbForm=Fin"
    # the morph rule comes later, so its MORPH replaces the tag map's (spaCy: no merging)
    assert str(doc[0].morph) == "Case=Nom|Person=3" and doc[0].lemma_ == "she"
    assert str(doc[2].morph) == ""  and doc[2].has_morph()  # tag map entry without features: "_"


def test_add_with_index_and_later_rules_win():
    nlp = heron.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "new"}, {"LOWER": "york"}]], {"LEMMA": "NYC", "ENT_TYPE": "GPE"}, index=-1)
    ruler.add([[{"ORTH": "York"}]], {"LEMMA": "york", "NORM": "yrk", "TAG": "XX"})
    ruler.add([[{"ORTH": "New"}]], {"MORPH": {"Degree": "Pos"}, "SENT_START": 1})
    doc = nlp("She likes New York .")
    assert doc[3].lemma_ == "york" and doc[3].norm_ == "yrk" and doc[3].tag_ == "XX"
    assert doc[3].ent_type_ == "GPE" and doc[2].lemma_ == ""
    assert str(doc[2].morph) == "Degree=Pos" and doc[2].is_sent_start is True


def test_extensions_and_add_patterns_and_patterns_property():
    Token.set_extension("is_city", default=False, force=True)
    nlp = heron.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    rules = [{"patterns": [[{"ORTH": "York"}]], "attrs": {"_": {"is_city": True}}, "index": 0},
             {"patterns": [[{"ORTH": "She"}], [{"ORTH": "she"}]], "attrs": {"POS": "PRON"}}]
    ruler.add_patterns(rules)
    assert ruler.patterns == [rules[0], dict(rules[1], index=0)]
    doc = nlp("she likes New York")
    assert doc[3]._.is_city and not doc[2]._.is_city and doc[0].pos_ == "PRON"


def test_serialisation_is_json(tmp_path):
    nlp = heron.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.load_from_tag_map(TAG_MAP)
    ruler.add([[{"LOWER": {"IN": ["new", "old"]}}, {"IS_TITLE": True}]], {"LEMMA": "x"}, index=1)
    nlp.to_disk(tmp_path / "m")
    saved = json.loads((tmp_path / "m" / "attribute_ruler" / "patterns.json").read_text())
    assert saved == ruler.patterns
    for other in (heron.load(tmp_path / "m").get_pipe("attribute_ruler"),
                  Language.from_config(nlp.config).from_bytes(nlp.to_bytes()).get_pipe("attribute_ruler")):
        assert other.patterns == ruler.patterns
        doc = other(_doc(nlp))
        assert doc[3].lemma_ == "x" and doc[1].pos_ == "VERB"


def test_initialize_from_config_settings():
    nlp = Language.from_config({
        "nlp": {"lang": "en", "pipeline": ["attribute_ruler"]},
        "components": {"attribute_ruler": {"factory": "attribute_ruler"}},
        "initialize": {"components": {"attribute_ruler": {
            "patterns": [{"patterns": [[{"ORTH": "."}]], "attrs": {"POS": "PUNCT"}}], "tag_map": TAG_MAP}}}})
    nlp.initialize()
    assert len(nlp.get_pipe("attribute_ruler").patterns) == 4
    assert [t.pos_ for t in nlp.get_pipe("attribute_ruler")(_doc(nlp))][-1] == "PUNCT"


@pytest.mark.parametrize("patterns,attrs,index,code", [
    ([[{"ORTH": "a"}]], {"SHAPE": "xx"}, 0, "E903"),             # not settable
    ([[{"ORTH": "a"}]], {"POS": "Noun"}, 0, "E903"),             # not a UD tag
    ([[{"ORTH": "a"}]], {"MORPH": "Case"}, 0, "E903"),           # malformed FEATS
    ([[{"ORTH": "a"}]], {"FOO": 1}, 0, "E903"),
    ([[{"ORTH": "a"}]], ["POS"], 0, "E902"),
    ([[{"ORTHO": "a"}]], {"POS": "NOUN"}, 0, "E902"),            # bad Matcher pattern
    ([[{"ORTH": "a"}]], {"POS": "NOUN"}, "0", "E902"),
])
def test_bad_rules_name_the_rule(patterns, attrs, index, code):
    ruler = heron.blank("en").add_pipe("attribute_ruler")
    ruler.add([[{"ORTH": "b"}]], {"TAG": "B"})
    with pytest.raises(HeronError, match=rf"\[{code}\] attribute_ruler rule 1"):
        ruler.add(patterns, attrs, index)


def test_index_outside_the_match_is_a_coded_error():
    nlp = heron.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"ORTH": "a"}, {"ORTH": "b"}]], {"TAG": "X"}, index=1)
    ruler.add([[{"ORTH": "a"}, {"ORTH": "b"}]], {"LEMMA": "Y"}, index=-2)
    assert nlp("a b")[1].tag_ == "X" and nlp("a b")[0].lemma_ == "Y"
    ruler.add([[{"ORTH": "c"}, {"ORTH": "d", "OP": "?"}]], {"TAG": "Z"}, index=-2)
    with pytest.raises(HeronError, match=r"\[E904\] attribute_ruler rule 2: index -2"):
        nlp("c d")  # spaCy's rule too: every match, here "c" alone, must contain the index
    with pytest.raises(HeronError, match=r"\[E902\].*entry 0"):
        ruler.add_patterns([{"pattern": [[{"ORTH": "a"}]], "attrs": {}}])


def test_score():
    nlp = heron.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.load_from_tag_map(TAG_MAP)
    gold = Doc(nlp.vocab, ["She", "likes", "New", "York", "."], tags=["PRP", "VBZ", "NNP", "NNP", "."],
               pos=["PRON", "VERB", "PROPN", "PROPN", "PUNCT"])
    pred = ruler(_doc(nlp))
    scores = ruler.score([Example(pred, gold)])
    assert scores["tag_acc"] == 1.0 and scores["pos_acc"] == pytest.approx(0.8)
    assert scores["lemma_acc"] is None and "morph_per_feat" in scores
