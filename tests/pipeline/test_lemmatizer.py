"""Rule/lookup lemmatizer (heron/pipeline/lemmatizer.py) on spacy-lookups-data's English tables
(a dev dependency). Expected lemmas are spaCy 3.8's EnglishLemmatizer's for the same token,
POS and morphology (the two agree on every token of UD EWT dev with gold POS and FEATS)."""
from __future__ import annotations

import gzip
import warnings

import pytest

import heron
from heron.errors import HeronValueError
from heron.language import Language
from heron.pipeline import lemmatizer as lemmatizer_module
from heron.tokens import Doc

pytest.importorskip("spacy_lookups_data")

WORDS = ["The", "cats", "were", "running", "better", "than", "Apple", "leaves", "leaves", "ate", "geese", "n't"]
POS = ["DET", "NOUN", "AUX", "VERB", "ADJ", "ADP", "PROPN", "NOUN", "NOUN", "VERB", "NOUN", "PART"]
MORPHS = ["", "Number=Plur", "", "VerbForm=Ger", "Degree=Cmp", "", "Number=Sing", "Number=Sing", "Number=Plur",
          "", "", ""]
SPACY_RULE = ["the", "cat", "were", "run", "well", "than", "Apple", "leaves", "leaf", "eat", "goose", "n't"]


@pytest.fixture(scope="module")
def rule_nlp() -> Language:
    nlp = heron.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "rule"})
    nlp.initialize()
    return nlp


def _doc(nlp: Language, **kwargs) -> Doc:
    return Doc(nlp.vocab, words=WORDS, pos=POS, morphs=MORPHS, **kwargs)


def test_rule_mode_as_spacy(rule_nlp):
    doc = rule_nlp.get_pipe("lemmatizer")(_doc(rule_nlp))
    assert [t.lemma_ for t in doc] == SPACY_RULE
    assert rule_nlp.get_pipe("lemmatizer").rule_lemmatize(doc[8]) == ["leaf", "leave"]


def test_lookup_mode_needs_no_pos():
    nlp = heron.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    assert [t.lemma_ for t in nlp("The cats were running")] == ["The", "cat", "be", "run"]


def test_tokens_without_pos_are_lower_cased_with_w905(rule_nlp):
    with pytest.warns(UserWarning, match="W905.*2 token"):
        doc = rule_nlp("Cats RAN")
    assert [t.lemma_ for t in doc] == ["cats", "ran"]


@pytest.mark.parametrize("overwrite", [False, True])
def test_overwrite(overwrite):
    nlp = heron.blank("en")
    nlp.add_pipe("lemmatizer", config={"overwrite": overwrite})
    nlp.initialize()
    doc = _doc(nlp)
    doc[1].lemma_ = "kept"
    nlp.get_pipe("lemmatizer")(doc)
    assert doc[1].lemma_ == ("cat" if overwrite else "kept")


def test_saved_tables_load_without_the_package(rule_nlp, tmp_path, monkeypatch):
    rule_nlp.to_disk(tmp_path / "p")

    def no_package(*args, **kwargs):
        raise AssertionError("loading must not read spacy-lookups-data")

    monkeypatch.setattr(lemmatizer_module, "load_lookups", no_package)
    loaded = heron.load(tmp_path / "p")
    assert [t.lemma_ for t in loaded.get_pipe("lemmatizer")(_doc(loaded))] == SPACY_RULE
    again = Language.from_config(rule_nlp.config).from_bytes(rule_nlp.to_bytes())
    assert [t.lemma_ for t in again.get_pipe("lemmatizer")(_doc(again))] == SPACY_RULE


def test_own_tables_through_initialize():
    nlp = heron.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()  # then replace with a user's table
    nlp.get_pipe("lemmatizer").initialize(lookups={"lemma_lookup": {"mice": "mouse"}})
    assert [t.lemma_ for t in nlp("mice cats")] == ["mouse", "cats"]
    with pytest.raises(HeronValueError, match="E940.*lemma_rules"):
        heron.blank("en").add_pipe("lemmatizer").initialize(lookups={"lemma_lookup": {}})


def test_lookups_loader_in_the_initialize_config():
    config = {"nlp": {"lang": "en", "pipeline": ["lemmatizer"]},
              "components": {"lemmatizer": {"factory": "lemmatizer", "mode": "lookup"}},
              "initialize": {"components": {"lemmatizer": {"lookups": {
                  "@misc": "heron.LookupsDataLoader.v1", "lang": "en", "tables": ["lemma_lookup"]}}}}}
    nlp = Language.from_config(config)
    nlp.initialize()
    assert nlp("geese")[0].lemma_ == "goose"


def test_missing_package_or_table_is_e940(monkeypatch):
    nlp = heron.blank("en")
    component = nlp.add_pipe("lemmatizer")
    monkeypatch.setattr("importlib.metadata.entry_points", lambda **kwargs: [])
    monkeypatch.setitem(__import__("sys").modules, "spacy_lookups_data", None)  # import fails
    with pytest.raises(HeronValueError, match=r"E940.*not installed.*pip install \"spacy-lookups-data==1.0.5\""):
        component.initialize()


def test_language_without_rule_tables_is_e940():
    nlp = heron.blank("xx")
    with pytest.raises(HeronValueError, match="E940"):
        nlp.add_pipe("lemmatizer").initialize()


def test_uninitialized_is_e941_and_bad_mode_is_e931():
    nlp = heron.blank("en")
    nlp.add_pipe("lemmatizer")
    with pytest.raises(HeronValueError, match="E941"):
        nlp("cats")
    with pytest.raises(Exception, match="E931.*mode"):
        heron.blank("en").add_pipe("lemmatizer", config={"mode": "pos"})


def test_corrupt_or_oversized_tables_are_e942(rule_nlp, tmp_path, monkeypatch):
    rule_nlp.to_disk(tmp_path / "p")
    tables = tmp_path / "p" / "lemmatizer" / lemmatizer_module.TABLES_FILE
    data = tables.read_bytes()
    tables.write_bytes(data[: len(data) // 2])
    with pytest.raises(HeronValueError, match="E942.*truncated"):
        heron.load(tmp_path / "p")
    tables.write_bytes(gzip.compress(b"[1, 2]"))
    with pytest.raises(HeronValueError, match="E942.*JSON object"):
        heron.load(tmp_path / "p")
    tables.write_bytes(data)
    monkeypatch.setattr(lemmatizer_module, "MAX_TABLES_BYTES", 1000)
    with pytest.raises(HeronValueError, match="E942.*more than 1,000 bytes"):
        heron.load(tmp_path / "p")


def test_scores_lemma_acc(rule_nlp):
    from heron.training.example import Example

    gold = Doc(rule_nlp.vocab, words=WORDS, lemmas=SPACY_RULE[:-1] + ["not"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        pred = rule_nlp.get_pipe("lemmatizer")(_doc(rule_nlp))
    scores = rule_nlp.get_pipe("lemmatizer").score([Example(pred, gold)])
    assert scores["lemma_acc"] == pytest.approx(11 / 12)
