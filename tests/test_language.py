"""Language: pipeline management, factories, processing, config round-trips."""
import pytest
from confection import Config

import heron
from heron.errors import ConfigError, HeronError
from heron.language import Language
from heron.pipeline import Pipe
from heron.tokens import Doc


@Language.component("test_lang_mark")
def mark_component(doc):
    doc.user_data.setdefault("order", []).append("mark")
    return doc


@Language.component("test_lang_mark2")
def mark2_component(doc):
    doc.user_data.setdefault("order", []).append("mark2")
    return doc


@Language.component("test_lang_returns_none")
def returns_none(doc):
    return None


class Counter(Pipe):
    def __init__(self, name, *, step):
        super().__init__(name, step=step)
        self.calls = 0

    def __call__(self, doc, extra=0):
        self.calls += 1
        doc.user_data["count"] = doc.user_data.get("count", 0) + self.cfg["step"] + extra
        return doc

    def pipe(self, docs, *, batch_size=128, extra=0):
        for doc in docs:
            yield self(doc, extra=extra)


@Language.factory("test_lang_counter", default_config={"step": 1})
def make_counter(nlp, name, step: int):
    return Counter(name, step=step)


def names(nlp):
    return nlp.pipe_names


# ---- add_pipe ---------------------------------------------------------------------


def test_add_pipe_positions(nlp):
    nlp.add_pipe("test_lang_mark", name="a")
    nlp.add_pipe("test_lang_mark", name="b")
    nlp.add_pipe("test_lang_mark", name="c", first=True)
    nlp.add_pipe("test_lang_mark", name="d", before="a")
    nlp.add_pipe("test_lang_mark", name="e", after="a")
    nlp.add_pipe("test_lang_mark", name="f", last=True)
    nlp.add_pipe("test_lang_mark", name="g", before=0)
    nlp.add_pipe("test_lang_mark", name="h", after=0)
    assert names(nlp) == ["g", "h", "c", "d", "a", "e", "b", "f"]


def test_add_pipe_returns_component_and_defaults_name(nlp):
    counter = nlp.add_pipe("test_lang_counter")
    assert isinstance(counter, Counter)
    assert counter.name == "test_lang_counter"
    assert nlp.get_pipe("test_lang_counter") is counter
    assert nlp.pipeline == [("test_lang_counter", counter)]
    assert nlp.pipe_factories == {"test_lang_counter": "test_lang_counter"}


def test_add_pipe_unknown_factory_suggests_closest(nlp):
    with pytest.raises(HeronError) as e:
        nlp.add_pipe("sentencizr")
    msg = str(e.value)
    assert msg.startswith("[E300]")
    assert "Did you mean 'sentencizer'?" in msg
    assert "entity_ruler" in msg  # the list of available factories


def test_add_pipe_duplicate_name(nlp):
    nlp.add_pipe("sentencizer")
    with pytest.raises(HeronError, match=r"\[E301\].*'sentencizer'"):
        nlp.add_pipe("sentencizer")
    nlp.add_pipe("sentencizer", name="sentencizer2")
    assert names(nlp) == ["sentencizer", "sentencizer2"]


@pytest.mark.parametrize("kwargs", [
    {"before": "missing"}, {"after": "missing"}, {"before": 5}, {"after": -1},
    {"first": True, "last": True}, {"before": "a", "after": "a"},
])
def test_add_pipe_bad_position(nlp, kwargs):
    nlp.add_pipe("test_lang_mark", name="a")
    with pytest.raises(HeronError, match=r"\[E30[23]\]"):
        nlp.add_pipe("test_lang_mark", name="b", **kwargs)
    assert names(nlp) == ["a"]


def test_add_pipe_rejects_callable_and_reserved_names(nlp):
    with pytest.raises(HeronError, match=r"\[E304\]"):
        nlp.add_pipe(mark_component)
    for bad in ("vocab", "tokenizer", "a/b", ""):
        with pytest.raises(HeronError, match=r"\[E324\]"):
            nlp.add_pipe("test_lang_mark", name=bad)


def test_add_pipe_config_validation(nlp):
    with pytest.raises(ConfigError) as e:
        nlp.add_pipe("test_lang_counter", config={"step": "many"})
    assert str(e.value).startswith("[E310]")
    assert "components.test_lang_counter.step" in str(e.value)
    with pytest.raises(ConfigError, match=r"unexpected|unknown"):
        nlp.add_pipe("sentencizer", config={"punct_char": ["."]})
    with pytest.raises(HeronError, match=r"\[E305\]"):
        nlp.add_pipe("test_lang_counter", config={"step": object()})
    assert nlp.pipe_names == []


def test_factory_must_take_nlp_and_name():
    with pytest.raises(HeronError, match=r"\[E308\]"):
        @Language.factory("test_lang_bad_factory")
        def bad(doc):
            return doc


def test_component_decorator_rejects_classes():
    with pytest.raises(HeronError, match=r"\[E309\]"):
        Language.component("test_lang_class", func=Counter)


def test_factory_returning_non_callable(nlp):
    Language.factory("test_lang_not_callable", func=lambda nlp, name: 42)
    with pytest.raises(HeronError, match=r"\[E306\]"):
        nlp.add_pipe("test_lang_not_callable")


# ---- running ----------------------------------------------------------------------


def test_call_runs_components_in_order(nlp):
    nlp.add_pipe("test_lang_mark2")
    nlp.add_pipe("test_lang_mark", first=True)
    doc = nlp("Hello world")
    assert doc.user_data["order"] == ["mark", "mark2"]
    doc = nlp("Hello", disable=["test_lang_mark"])
    assert doc.user_data["order"] == ["mark2"]


def test_call_accepts_doc_and_rejects_other_types(nlp):
    doc = nlp.make_doc("Already tokenized")
    assert nlp(doc) is doc
    with pytest.raises(HeronError, match=r"\[E313\]"):
        nlp(42)


def test_component_returning_none_is_an_error(nlp):
    nlp.add_pipe("test_lang_returns_none")
    with pytest.raises(HeronError, match=r"\[E307\].*test_lang_returns_none"):
        nlp("text")
    with pytest.raises(HeronError, match=r"\[E307\]"):
        list(nlp.pipe(["text"]))


def test_max_length(nlp):
    nlp.max_length = 10
    with pytest.raises(HeronError, match=r"\[E314\]"):
        nlp("x" * 11)
    assert len(nlp("x" * 10)) == 1


def test_component_cfg_and_pipe(nlp):
    nlp.add_pipe("test_lang_counter", config={"step": 2})
    assert nlp("a", component_cfg={"test_lang_counter": {"extra": 10}}).user_data["count"] == 12
    docs = list(nlp.pipe(["a", "b"], component_cfg={"test_lang_counter": {"extra": 1}}))
    assert [d.user_data["count"] for d in docs] == [3, 3]


def test_pipe_keeps_order_and_as_tuples(nlp):
    nlp.add_pipe("sentencizer")
    texts = [f"Text number {i}." for i in range(25)]
    docs = list(nlp.pipe(texts, batch_size=4))
    assert [d.text for d in docs] == texts
    pairs = list(nlp.pipe([(t, {"i": i}) for i, t in enumerate(texts)], as_tuples=True, batch_size=3))
    assert [(d.text, c["i"]) for d, c in pairs] == [(t, i) for i, t in enumerate(texts)]


def test_pipe_is_lazy(nlp):
    seen = []

    def texts():
        for i in range(1000):
            seen.append(i)
            yield f"text {i}"

    stream = nlp.pipe(texts(), batch_size=10)
    next(stream)
    assert len(seen) < 100


def test_pipe_rejects_bad_n_process(nlp):
    with pytest.raises(HeronError, match=r"\[E322\]"):
        list(nlp.pipe(["a"], n_process=0))


# ---- remove / rename / replace / select --------------------------------------------


def test_remove_rename_replace(nlp):
    nlp.add_pipe("test_lang_mark", name="a")
    counter = nlp.add_pipe("test_lang_counter", name="b")
    assert nlp.remove_pipe("a") == ("a", mark_component)
    assert names(nlp) == ["b"]
    nlp.rename_pipe("b", "c")
    assert names(nlp) == ["c"] and counter.name == "c"
    assert nlp.get_pipe_config("c")["factory"] == "test_lang_counter"
    nlp.add_pipe("test_lang_mark", name="d")
    with pytest.raises(HeronError, match=r"\[E301\]"):
        nlp.rename_pipe("c", "d")
    with pytest.raises(HeronError, match=r"\[E303\]"):
        nlp.remove_pipe("zzz")
    with pytest.raises(KeyError):  # coded errors for unknown names are KeyErrors too
        nlp.get_pipe("zzz")
    new = nlp.replace_pipe("c", "sentencizer")
    assert names(nlp) == ["c", "d"] and nlp.get_pipe("c") is new
    assert nlp.pipe_factories["c"] == "sentencizer"
    assert nlp.has_pipe("d") and not nlp.has_pipe("b")


def test_unknown_pipe_suggests(nlp):
    nlp.add_pipe("sentencizer")
    with pytest.raises(HeronError, match="Did you mean 'sentencizer'"):
        nlp.get_pipe("sentencize")


def test_select_pipes_context_and_plain_call(nlp):
    for name in ("a", "b", "c"):
        nlp.add_pipe("test_lang_mark", name=name)
    with nlp.select_pipes(disable=["a", "c"]) as disabled:
        assert names(nlp) == ["b"]
        assert list(disabled) == ["a", "c"]
        assert nlp.component_names == ["a", "b", "c"]
        assert nlp.disabled == ["a", "c"]
    assert names(nlp) == ["a", "b", "c"]
    disabled = nlp.select_pipes(enable="b")
    assert names(nlp) == ["b"]
    disabled.restore()
    assert names(nlp) == ["a", "b", "c"]


def test_select_pipes_keeps_previously_disabled(nlp):
    for name in ("a", "b"):
        nlp.add_pipe("test_lang_mark", name=name)
    nlp.disable_pipe("a")
    with nlp.select_pipes(disable=["a", "b"]):
        assert names(nlp) == []
    assert names(nlp) == ["b"]  # "a" was disabled before and stays so
    nlp.enable_pipe("a")
    assert names(nlp) == ["a", "b"]


def test_select_pipes_errors(nlp):
    nlp.add_pipe("test_lang_mark", name="a")
    with pytest.raises(HeronError, match=r"\[E311\]"):
        nlp.select_pipes()
    with pytest.raises(HeronError, match=r"\[E303\]"):
        nlp.select_pipes(disable=["nope"])
    nlp.add_pipe("test_lang_mark", name="b")
    with pytest.raises(HeronError, match=r"\[E311\]"):
        nlp.select_pipes(enable=["a"], disable=["a"])


# ---- blank / config -------------------------------------------------------------------


def test_blank_languages():
    assert heron.blank("en").lang == "en"
    xx = heron.blank("xx")
    assert xx.lang == "xx" and xx.vocab.lang == "xx"
    assert [t.text for t in xx("Hello, world!")] == ["Hello", ",", "world", "!"]
    with pytest.raises(HeronError) as e:
        heron.blank("enn")
    assert str(e.value).startswith("[E315]") and "'en'" in str(e.value)


def test_config_round_trip(nlp):
    nlp.add_pipe("sentencizer", config={"punct_chars": [".", "|"]})
    nlp.add_pipe("test_lang_counter", name="count", config={"step": 5})
    nlp.add_pipe("entity_ruler", config={"phrase_matcher_attr": "LOWER"})
    nlp.disable_pipe("count")
    config = nlp.config
    assert config["nlp"]["pipeline"] == ["sentencizer", "count", "entity_ruler"]
    assert config["nlp"]["disabled"] == ["count"]
    assert config["components"]["count"] == {"factory": "test_lang_counter", "step": 5}
    assert config["components"]["sentencizer"]["overwrite"] is False  # defaults filled
    # Through text, as a config file would be.
    text = config.to_str()
    nlp2 = Language.from_config(Config().from_str(text, interpolate=False))
    assert nlp2.component_names == nlp.component_names
    assert nlp2.disabled == ["count"]
    assert nlp2.get_pipe("count").cfg["step"] == 5
    assert nlp2.get_pipe("sentencizer").punct_chars == {".", "|"}
    assert nlp2.get_pipe("entity_ruler").phrase_matcher_attr == "LOWER"
    assert nlp2.config["components"] == config["components"]
    assert nlp2.config["nlp"] == config["nlp"]


def test_from_config_disable_enable_exclude():
    config = {
        "nlp": {"lang": "en", "pipeline": ["a", "b", "c"]},
        "components": {name: {"factory": "test_lang_mark"} for name in "abc"},
    }
    nlp = Language.from_config(config, disable=["b"])
    assert nlp.pipe_names == ["a", "c"] and nlp.component_names == ["a", "b", "c"]
    nlp = Language.from_config(config, enable=["b"])
    assert nlp.pipe_names == ["b"]
    nlp = Language.from_config(config, exclude=["a"])
    assert nlp.component_names == ["b", "c"]


def test_from_config_errors():
    with pytest.raises(ConfigError) as e:
        Language.from_config({"nlp": {"lang": "en", "pipeline": ["x"]}, "components": {}})
    assert "components" in str(e.value) and "'x'" in str(e.value)
    with pytest.raises(ConfigError) as e:
        Language.from_config({
            "nlp": {"lang": "en", "pipeline": ["c"]},
            "components": {"c": {"factory": "test_lang_counter", "step": "x"}},
        })
    assert "components.c.step" in str(e.value)
    with pytest.raises(ConfigError):
        Language.from_config({"components": {}})


def test_from_config_keeps_variables():
    config = Config().from_str("""
[paths]
step = 3

[nlp]
lang = "en"
pipeline = ["count"]

[components]

[components.count]
factory = "test_lang_counter"
step = ${paths.step}
""", interpolate=False)
    nlp = Language.from_config(config)
    assert nlp.get_pipe("count").cfg["step"] == 3
    assert nlp.config["components"]["count"]["step"] == "${paths.step}"
    assert nlp.config.interpolate()["components"]["count"]["step"] == 3


def test_meta(nlp):
    nlp.meta["name"] = "demo"
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "ORG", "pattern": "Heron"}])
    meta = nlp.meta
    assert meta["name"] == "demo" and meta["lang"] == "en"
    assert meta["pipeline"] == ["entity_ruler"]
    assert meta["labels"] == {"entity_ruler": ["ORG"]}
    assert meta["heron_version"] == heron.__version__


def test_initialize_passes_settings():
    config = Config().from_str("""
[nlp]
lang = "en"
pipeline = ["entity_ruler"]

[components]

[components.entity_ruler]
factory = "entity_ruler"

[initialize]

[initialize.components]

[initialize.components.entity_ruler]
patterns = [{"label": "ORG", "pattern": "Heron"}]
""", interpolate=False)
    nlp = Language.from_config(config)
    assert len(nlp.get_pipe("entity_ruler")) == 0
    nlp.initialize()
    assert [(e.text, e.label_) for e in nlp("I like Heron").ents] == [("Heron", "ORG")]


def test_docs_share_vocab(nlp):
    doc = nlp("hello")
    assert isinstance(doc, Doc) and doc.vocab is nlp.vocab
