"""Saving and loading whole pipelines: layout, round-trips, errors, atomic writes."""
import json

import pytest

import heron
from heron.errors import HeronError
from heron.language import Language
from heron.pipeline import Pipe


class Tagged(Pipe):
    """Marks tokens listed in its saved state (exercises component to_disk/from_disk)."""

    def __init__(self, name):
        super().__init__(name, words=[])

    def __call__(self, doc):
        for token in doc:
            if token.lower_ in self.cfg["words"]:
                token.tag_ = "KW"
        return doc

    @property
    def labels(self):
        return ("KW",)


@Language.factory("test_ser_tagged")
def make_tagged(nlp, name):
    return Tagged(name)


class Broken(Pipe):
    def to_disk(self, path, *, exclude=()):
        path.mkdir(parents=True)
        (path / "half.json").write_text("{")
        raise RuntimeError("disk full")

    def __call__(self, doc):
        return doc


@Language.factory("test_ser_broken")
def make_broken(nlp, name):
    return Broken(name)


TEXTS = ["Heron Labs is in San Francisco. The keyword is here!", "london calling. Keyword"]


def annotations(doc):
    return ([t.text for t in doc], [t.tag_ for t in doc], [t.is_sent_start for t in doc],
            [(e.start, e.end, e.label_, e.id_) for e in doc.ents])


@pytest.fixture
def full_nlp():
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    ruler = nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": "ORG", "pattern": "heron labs"},
                        {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"},
                        {"label": "GPE", "pattern": "London"}])
    nlp.add_pipe("test_ser_tagged", name="kw").cfg["words"] = ["keyword"]
    nlp.tokenizer.add_special_case("here!", [{"ORTH": "here!"}])
    nlp.meta["name"] = "tiny"
    return nlp


def test_folder_layout_and_meta(full_nlp, tmp_path):
    full_nlp.to_disk(tmp_path / "p")
    names = sorted(p.name for p in (tmp_path / "p").iterdir())
    assert names == ["config.cfg", "entity_ruler", "kw", "meta.json", "sentencizer",
                     "tokenizer", "vocab"]
    assert (tmp_path / "p" / "vocab" / "strings.json").exists()
    meta = json.loads((tmp_path / "p" / "meta.json").read_text())
    assert meta["name"] == "tiny" and meta["lang"] == "en"
    assert meta["heron_version"] == heron.__version__
    assert meta["pipeline"] == ["sentencizer", "entity_ruler", "kw"]
    assert meta["labels"]["entity_ruler"] == ["GPE", "ORG"]
    assert meta["labels"]["kw"] == ["KW"]
    # No temp folders left beside the pipeline.
    assert [p.name for p in tmp_path.iterdir()] == ["p"]


def test_round_trip_identical_annotations(full_nlp, tmp_path):
    expected = [annotations(d) for d in full_nlp.pipe(TEXTS)]
    assert expected[0][1].count("KW") == 1 and "here!" in expected[0][0]
    full_nlp.to_disk(tmp_path / "p")
    loaded = heron.load(tmp_path / "p")
    assert loaded.pipe_names == full_nlp.pipe_names
    assert loaded.meta["name"] == "tiny"
    assert [annotations(d) for d in loaded.pipe(TEXTS)] == expected
    assert loaded.config["components"] == full_nlp.config["components"]
    # Saving over an existing pipeline replaces it.
    loaded.remove_pipe("kw")
    loaded.to_disk(tmp_path / "p")
    assert heron.load(tmp_path / "p").pipe_names == ["sentencizer", "entity_ruler"]


def test_bytes_round_trip(full_nlp):
    expected = [annotations(d) for d in full_nlp.pipe(TEXTS)]
    data = full_nlp.to_bytes()
    rebuilt = Language.from_config(full_nlp.config).from_bytes(data)
    assert [annotations(d) for d in rebuilt.pipe(TEXTS)] == expected
    with pytest.raises(HeronError, match=r"\[E326\]"):
        rebuilt.from_bytes(b"not a pipeline")


def test_exclude_and_disable(full_nlp, tmp_path):
    full_nlp.to_disk(tmp_path / "p", exclude=["entity_ruler"])
    assert not (tmp_path / "p" / "entity_ruler").exists()
    loaded = heron.load(tmp_path / "p")
    assert len(loaded.get_pipe("entity_ruler")) == 0
    loaded = heron.load(tmp_path / "p", disable=["kw"], exclude=["sentencizer"])
    assert loaded.component_names == ["entity_ruler", "kw"] and loaded.pipe_names == ["entity_ruler"]
    assert heron.load(tmp_path / "p", config={"nlp.batch_size": 7}).batch_size == 7


def test_disabled_state_is_saved(full_nlp, tmp_path):
    full_nlp.disable_pipe("kw")
    full_nlp.to_disk(tmp_path / "p")
    loaded = heron.load(tmp_path / "p")
    assert loaded.disabled == ["kw"]
    assert loaded.get_pipe("kw").cfg["words"] == ["keyword"]  # loaded all the same


def test_failed_write_leaves_nothing(full_nlp, tmp_path):
    full_nlp.add_pipe("test_ser_broken", name="broken")
    with pytest.raises(RuntimeError, match="disk full"):
        full_nlp.to_disk(tmp_path / "p")
    assert list(tmp_path.iterdir()) == []
    # An existing pipeline survives a failed overwrite untouched.
    full_nlp.remove_pipe("broken")
    full_nlp.to_disk(tmp_path / "p")
    before = sorted(p.name for p in (tmp_path / "p").iterdir())
    full_nlp.add_pipe("test_ser_broken", name="broken")
    with pytest.raises(RuntimeError):
        full_nlp.to_disk(tmp_path / "p")
    assert sorted(p.name for p in (tmp_path / "p").iterdir()) == before
    assert [p.name for p in tmp_path.iterdir()] == ["p"]
    assert heron.load(tmp_path / "p").pipe_names == ["sentencizer", "entity_ruler", "kw"]


def test_load_errors(tmp_path, full_nlp):
    missing = tmp_path / "nope"
    with pytest.raises(OSError) as e:
        heron.load(missing)
    assert str(e.value).startswith("[E316]") and str(missing) in str(e.value)
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(HeronError, match=r"\[E317\].*file"):
        heron.load(tmp_path / "file.txt")
    (tmp_path / "empty").mkdir()
    with pytest.raises(HeronError) as e:
        heron.load(tmp_path / "empty")
    assert str(e.value).startswith("[E317]") and "config.cfg and meta.json" in str(e.value)
    full_nlp.to_disk(tmp_path / "p")
    (tmp_path / "p" / "meta.json").write_text("{broken")
    with pytest.raises(HeronError, match=r"\[E320\].*meta.json"):
        heron.load(tmp_path / "p")


def test_unknown_factory_in_saved_config_is_a_config_error(full_nlp, tmp_path):
    full_nlp.to_disk(tmp_path / "p")
    cfg = tmp_path / "p" / "config.cfg"
    cfg.write_text(cfg.read_text().replace('factory = "test_ser_tagged"', 'factory = "os.system"'))
    with pytest.raises(HeronError, match="os.system"):
        heron.load(tmp_path / "p")


def test_version_warning(full_nlp, tmp_path):
    full_nlp.to_disk(tmp_path / "p")
    meta_path = tmp_path / "p" / "meta.json"
    meta = json.loads(meta_path.read_text())
    meta["heron_version"] = "9.9.0"
    meta_path.write_text(json.dumps(meta))
    with pytest.warns(UserWarning, match=r"\[W300\].*9\.9\.0"):
        heron.load(tmp_path / "p")


def test_source_components(full_nlp, tmp_path):
    nlp = heron.blank("en")
    ruler = nlp.add_pipe("entity_ruler", name="rules", source=full_nlp)
    assert ruler is not full_nlp.get_pipe("entity_ruler") and ruler.nlp is nlp
    assert ruler.patterns == full_nlp.get_pipe("entity_ruler").patterns
    assert nlp.config["components"]["rules"]["phrase_matcher_attr"] == "LOWER"
    with pytest.raises(HeronError, match=r"\[E323\]"):
        nlp.add_pipe("missing", source=full_nlp)
    # From a config: source = "path".
    full_nlp.to_disk(tmp_path / "p")
    config = {
        "nlp": {"lang": "en", "pipeline": ["ents"]},
        "components": {"ents": {"source": str(tmp_path / "p"), "component": "entity_ruler"}},
    }
    built = Language.from_config(config)
    assert [e.label_ for e in built("to London").ents] == ["GPE"]
    assert built.config["components"]["ents"]["factory"] == "entity_ruler"
