"""entity_ruler: token and phrase patterns, overlaps, existing entities, saving."""
import pytest

import heron
from heron.errors import HeronError
from heron.pipeline import EntityRuler

PATTERNS = [
    {"label": "ORG", "pattern": "Heron Labs"},
    {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"},
    {"label": "GPE", "pattern": "London"},
]


def ents(doc):
    return [(e.text, e.label_) for e in doc.ents]


@pytest.fixture
def ruler(nlp):
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns(PATTERNS)
    return ruler


def test_token_and_phrase_patterns(nlp, ruler):
    doc = nlp("Heron Labs moved from London to san Francisco.")
    assert ents(doc) == [("Heron Labs", "ORG"), ("London", "GPE"), ("san Francisco", "GPE")]
    assert [e.id_ for e in doc.ents] == ["", "", "sf"]
    assert doc[0].ent_iob_ == "B" and doc[1].ent_iob_ == "I" and doc[2].ent_iob_ == "O"


def test_api(ruler):
    assert len(ruler) == 3
    assert ruler.labels == ("GPE", "ORG")
    assert ruler.ent_ids == ("sf",)
    assert "ORG" in ruler and "PERSON" not in ruler
    assert ruler.patterns == PATTERNS
    ruler.patterns[0]["label"] = "CHANGED"  # a copy: the ruler is unaffected
    assert ruler.patterns == PATTERNS


def test_remove_and_clear(nlp, ruler):
    ruler.remove("sf")
    assert ents(nlp("san francisco")) == []
    assert len(ruler) == 2
    with pytest.raises(KeyError, match=r"\[E341\]"):
        ruler.remove("sf")
    ruler.clear()
    assert len(ruler) == 0 and ents(nlp("Heron Labs")) == []


def test_leftmost_longest_non_overlapping(nlp):
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([
        {"label": "CITY", "pattern": "New York"},
        {"label": "STATE", "pattern": "New York State"},
        {"label": "A", "pattern": "b c"},
        {"label": "B", "pattern": "a b"},
        {"label": "NUM", "pattern": [{"LIKE_NUM": True, "OP": "+"}]},
    ])
    assert ents(nlp("New York State and New York")) == [("New York State", "STATE"),
                                                        ("New York", "CITY")]
    assert ents(nlp("a b c")) == [("a b", "B")]  # same length: leftmost wins
    assert ents(nlp("1 2 3 x 4")) == [("1 2 3", "NUM"), ("4", "NUM")]


def test_respects_existing_entities_unless_overwrite(nlp):
    from heron.tokens import Span

    for overwrite, expected in ((False, [("York", "PERSON")]), (True, [("New York", "GPE")])):
        nlp2 = heron.blank("en")
        ruler = nlp2.add_pipe("entity_ruler", config={"overwrite_ents": overwrite})
        ruler.add_patterns([{"label": "GPE", "pattern": "New York"},
                            {"label": "ORG", "pattern": "Acme"}])
        doc = nlp2.make_doc("New York and Acme")
        doc.ents = [Span(doc, 1, 2, label="PERSON")]
        doc = nlp2(doc)
        assert ents(doc) == expected + [("Acme", "ORG")]


def test_phrase_matcher_attr_lower(nlp):
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": "ORG", "pattern": "heron labs"}])
    assert ents(nlp("HERON LABS and Heron Labs")) == [("HERON LABS", "ORG"), ("Heron Labs", "ORG")]


def test_invalid_patterns(nlp):
    ruler = nlp.add_pipe("entity_ruler")
    for bad in ({"pattern": "x"}, {"label": "X"}, {"label": "", "pattern": "x"},
                {"label": "X", "pattern": ""}, {"label": "X", "pattern": 5},
                {"label": "X", "pattern": "x", "id": 3}, "not a dict"):
        with pytest.raises(HeronError, match=r"\[E340\]"):
            ruler.add_patterns([bad])
    with pytest.raises(HeronError, match=r"\[E340\].*E331"):
        ruler.add_patterns([{"label": "OK", "pattern": "fine"},
                            {"label": "X", "pattern": [{"LOWR": "x"}]}])
    assert len(ruler) == 0  # nothing added: a batch of patterns is all-or-nothing
    assert ents(nlp("fine")) == []


def test_validate_setting(nlp):
    ruler = nlp.add_pipe("entity_ruler", config={"validate": True})
    with pytest.raises(HeronError, match=r"\[E340\].*E333"):
        ruler.add_patterns([{"label": "X", "pattern": [{"LOWER": 1}]}])


def test_initialize_replaces_patterns(nlp, ruler):
    ruler.initialize(lambda: [], nlp=nlp, patterns=[{"label": "X", "pattern": "zz"}])
    assert ruler.patterns == [{"label": "X", "pattern": "zz"}]
    assert ents(nlp("zz London")) == [("zz", "X")]


def test_save_load_with_pipeline(nlp, ruler, tmp_path):
    nlp.to_disk(tmp_path / "p")
    lines = (tmp_path / "p" / "entity_ruler" / "patterns.jsonl").read_text().splitlines()
    assert len(lines) == 3
    nlp2 = heron.load(tmp_path / "p")
    ruler2 = nlp2.get_pipe("entity_ruler")
    assert ruler2.patterns == PATTERNS
    text = "Heron Labs is in San Francisco"
    assert ents(nlp2(text)) == ents(nlp(text))


def test_standalone_to_disk(nlp, ruler, tmp_path):
    ruler.to_disk(tmp_path / "patterns.jsonl")
    fresh = EntityRuler(nlp, "other").from_disk(tmp_path / "patterns.jsonl")
    assert fresh.patterns == PATTERNS
    ruler.to_disk(tmp_path / "folder")
    assert sorted(p.name for p in (tmp_path / "folder").iterdir()) == ["cfg.json", "patterns.jsonl"]
    assert EntityRuler(nlp).from_disk(tmp_path / "folder").patterns == PATTERNS
    assert EntityRuler(nlp).from_bytes(ruler.to_bytes()).patterns == PATTERNS


def test_bad_jsonl_names_line(nlp, tmp_path):
    path = tmp_path / "p.jsonl"
    path.write_text('{"label": "A", "pattern": "a"}\n{oops\n')
    with pytest.raises(HeronError) as e:
        EntityRuler(nlp).from_disk(path)
    assert str(e.value).startswith("[E342]") and "line 2" in str(e.value)


def test_pos_phrase_patterns_use_pipeline(nlp):
    from heron.language import Language

    @Language.component("test_ruler_fake_tagger")
    def fake_tagger(doc):
        for token in doc:
            token.pos_ = "PROPN" if token.text[:1].isupper() else "NOUN"
        return doc

    nlp.add_pipe("test_ruler_fake_tagger")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "POS"})
    ruler.add_patterns([{"label": "NAME", "pattern": "Ada Lovelace"}])
    assert ents(nlp("the Grace Hopper paper")) == [("Grace Hopper", "NAME")]
