"""Everyday spaCy API in heron (issue 19, item 7): heron.lang, STOP_WORDS, heron.util
helpers, nlp.disable_pipes / analyze_pipes / memory_zone, token strings in
vocab.strings, and unregistered extensions in Matcher patterns."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import catalogue
import pytest

import heron
from heron.errors import HeronError, HeronWarning
from heron.lang.en import English
from heron.lang.en.stop_words import STOP_WORDS
from heron.lang.xx import MultiLanguage
from heron.matcher import DependencyMatcher, Matcher
from heron.registry import registry
from heron.tokens import Doc, Token
from heron.util import compounding, filter_spans, get_lang_class, minibatch, set_lang_class

PEERS_PYTHON = Path(__file__).resolve().parents[1] / ".venv-peers" / "bin" / "python"


# ---- heron.lang ---------------------------------------------------------------------
def test_english_is_blank_en():
    nlp, blank = English(), heron.blank("en")
    assert isinstance(nlp, heron.language.Language) and nlp.lang == English.lang == "en"
    assert nlp.vocab.lang == "en" and nlp.config.to_str() == blank.config.to_str()
    text = "I'd've gone to the U.K.!"
    assert [t.text for t in nlp(text)] == [t.text for t in blank(text)]
    nlp.add_pipe("sentencizer")
    assert [s.text for s in nlp("One. Two.").sents] == ["One.", "Two."]


def test_english_from_config_and_save(tmp_path):
    nlp = English.from_config(heron.blank("en").config)
    assert type(nlp) is English
    nlp.add_pipe("sentencizer")
    nlp.to_disk(tmp_path / "p")
    assert heron.load(tmp_path / "p").pipe_names == ["sentencizer"]


def test_get_lang_class():
    assert get_lang_class("en") is English and get_lang_class("xx") is MultiLanguage
    assert get_lang_class("xx")().lang == "xx"
    with pytest.raises(HeronError, match=r"E656.*'zz'.*en, xx"):
        get_lang_class("zz")


def test_set_lang_class():
    class Custom(English):
        pass

    try:
        set_lang_class("en_custom_test", Custom)
        assert get_lang_class("en_custom_test") is Custom
    finally:
        catalogue._remove(("heron", "languages", "en_custom_test"))


# ---- STOP_WORDS -----------------------------------------------------------------------
def test_stop_words_are_spacys_list():
    assert len(STOP_WORDS) == 326
    assert {"amount", "whereafter", "ca", "n't", "‘ll", "’re", "twenty", "serious"} <= STOP_WORDS
    assert "heron" not in STOP_WORDS and "" not in STOP_WORDS


def test_is_stop_reads_stop_words():
    vocab = heron.blank("en").vocab
    assert all(vocab[w].is_stop for w in ("Amount", "whereafter", "’ve", "N'T"))
    assert not vocab["heron"].is_stop
    assert not heron.blank("xx").vocab["the"].is_stop


# ---- heron.util -----------------------------------------------------------------------
def test_minibatch():
    assert list(minibatch(range(7), size=3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(minibatch(range(7), size=iter([1, 2, 10]))) == [[0], [1, 2], [3, 4, 5, 6]]
    assert list(minibatch(range(7), size=iter([2]))) == [[0, 1]]  # sizes ran out
    assert list(minibatch([], size=4)) == []
    with pytest.raises(HeronError, match="E658"):
        list(minibatch(range(3), size=0))


def test_compounding_is_positional_and_clipped():
    sizes = compounding(1.0, 10.0, 1.5)
    assert [next(sizes) for _ in range(4)] == [1.0, 1.5, 2.25, 3.375]
    assert [next(sizes) for _ in range(10)][-1] == 10.0
    falling = compounding(10.0, 1.0, 0.5)
    assert [next(falling) for _ in range(4)] == [10.0, 5.0, 2.5, 1.25] and next(falling) == 1.0
    batches = minibatch(range(100), size=compounding(2.0, 8.0, 2.0))
    assert [len(b) for b in batches][:4] == [2, 4, 8, 8]


def test_filter_spans():
    doc = heron.blank("en")("a b c d e")
    spans = [doc[0:2], doc[1:4], doc[3:5], doc[4:5]]
    assert [(s.start, s.end) for s in filter_spans(spans)] == [(1, 4), (4, 5)]


# ---- nlp.disable_pipes / analyze_pipes ------------------------------------------------
def test_disable_pipes_is_a_deprecated_select_pipes():
    nlp = heron.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("entity_ruler")
    with pytest.warns(HeronWarning, match="W670"):
        disabled = nlp.disable_pipes("sentencizer", "entity_ruler")
    assert nlp.pipe_names == [] and list(disabled) == ["sentencizer", "entity_ruler"]
    disabled.restore()
    assert nlp.pipe_names == ["sentencizer", "entity_ruler"]
    with pytest.warns(HeronWarning, match="W670"), nlp.disable_pipes(["entity_ruler"]):
        assert nlp.pipe_names == ["sentencizer"]
    assert nlp.pipe_names == ["sentencizer", "entity_ruler"]


@pytest.fixture
def needs_tags():
    name = "api_parity_needs_tags"

    @heron.language.Language.component(name, requires=["token.tag"], assigns=["doc._.checked"])
    def needs_tags_component(doc):
        return doc

    yield name
    catalogue._remove(("heron", "factories", name))


def test_analyze_pipes(needs_tags, capsys):
    nlp = heron.blank("en")
    nlp.add_pipe(needs_tags)
    nlp.add_pipe("tagger")
    analysis = nlp.analyze_pipes()
    assert set(analysis) == {"summary", "problems", "attrs"}
    assert analysis["summary"]["tagger"] == {"assigns": ["token.tag"], "requires": [], "scores": ["tag_acc"],
                                             "retokenizes": False}
    assert analysis["problems"] == {needs_tags: ["token.tag"], "tagger": []}  # tagger comes too late
    assert analysis["attrs"]["token.tag"] == {"assigns": ["tagger"], "requires": [needs_tags]}
    assert capsys.readouterr().out == ""

    nlp.remove_pipe(needs_tags)
    nlp.add_pipe(needs_tags)
    fixed = nlp.analyze_pipes(keys=["assigns"], pretty=True)
    assert fixed["problems"] == {"tagger": [], needs_tags: []}
    assert fixed["summary"][needs_tags] == {"assigns": ["doc._.checked"]}
    printed = capsys.readouterr().out
    assert "Pipeline Overview" in printed and "token.tag" in printed and "No problems found" in printed


def test_analyze_pipes_pretty_lists_problems(needs_tags, capsys):
    nlp = heron.blank("en")
    nlp.add_pipe(needs_tags)
    nlp.analyze_pipes(pretty=True)
    assert f"'{needs_tags}' requirements not met: token.tag" in capsys.readouterr().out


# ---- token strings in vocab.strings, memory zones ---------------------------------------
def test_doc_strings_are_interned():
    nlp = heron.blank("en")
    strings = nlp.vocab.strings
    doc = nlp("Apple isn't looking")
    assert strings[strings["Apple"]] == "Apple" and strings[doc[2].orth] == "n't"
    made = Doc(nlp.vocab, words=["Zyxwvut", "!"])
    assert strings[made[0].orth] == "Zyxwvut"


def test_memory_zone_forgets_what_it_added():
    nlp = heron.blank("en")
    nlp("kept words")
    strings, n_before = nlp.vocab.strings, len(nlp.vocab.strings)
    with nlp.memory_zone():
        doc = nlp("zonewordone kept zonewordtwo")
        assert doc[0].lower_ == "zonewordone" and "zonewordone" in strings
        doc[0].tag_ = "ZONETAG"
        strings.add("PERMANENT_LABEL", allow_transient=False)
        nlp.vocab["zonestop"].is_stop = True  # a lexeme setting outlives the zone
    assert "zonewordone" not in strings and "zonewordtwo" not in strings
    assert "kept" in strings and "PERMANENT_LABEL" in strings
    assert len(strings) == n_before + 1
    assert "zonewordone" not in nlp.vocab._lex_cache["lower"]
    assert "zonewordone" not in nlp.tokenizer._cache and "kept" in nlp.tokenizer._cache
    assert nlp.vocab["zonestop"].is_stop
    with pytest.raises(KeyError, match="E002"):  # a Doc made in the zone must not be used after it
        doc[0].tag_  # noqa: B018
    again = nlp("zonewordone")  # made again outside: its strings are back
    assert strings[again[0].orth] == "zonewordone" and again[0].lower_ == "zonewordone"


def test_nested_memory_zones_clear_at_the_outer_end():
    nlp = heron.blank("en")
    with nlp.memory_zone():
        with nlp.memory_zone():
            nlp("innerword")
        assert "innerword" in nlp.vocab.strings
        nlp("outerword")
    assert "innerword" not in nlp.vocab.strings and "outerword" not in nlp.vocab.strings


def test_vocab_zone_alone_leaves_no_stale_tokenizer_cache():
    nlp = heron.blank("en")
    with nlp.vocab.memory_zone():
        nlp("vocabzoneword")
    assert "vocabzoneword" not in nlp.vocab.strings
    doc = nlp("vocabzoneword")  # the tokenizer must not trust its cache entry
    assert nlp.vocab.strings[doc[0].orth] == "vocabzoneword"


def test_memory_zone_enters_component_zones():
    entered = []

    class Component:
        def __call__(self, doc):
            return doc

        def memory_zone(self):
            import contextlib

            @contextlib.contextmanager
            def zone():
                entered.append("in")
                yield
                entered.append("out")

            return zone()

    name = "api_parity_zone_component"
    registry.factory(name, func=lambda nlp, name: Component())
    try:
        nlp = heron.blank("en")
        nlp.add_pipe(name)
        with nlp.memory_zone():
            assert entered == ["in"]
        assert entered == ["in", "out"]
    finally:
        catalogue._remove(("heron", "factories", name))


# ---- Matcher: unregistered extensions (spaCy E046) ---------------------------------------
def test_matcher_unregistered_extension_raises():
    nlp = heron.blank("en")
    matcher = Matcher(nlp.vocab)
    matcher.add("X", [[{"_": {"api_parity_not_registered": True}}]])
    with pytest.raises(AttributeError, match=r"E657.*api_parity_not_registered"):
        matcher(nlp("hello world"))
    assert matcher(nlp("")) == []
    Token.set_extension("api_parity_not_registered", default=True)
    try:
        assert len(matcher(nlp("hello world"))) == 2
    finally:
        Token.remove_extension("api_parity_not_registered")


def test_dependency_matcher_unregistered_extension_raises():
    nlp = heron.blank("en")
    doc = Doc(nlp.vocab, words=["dogs", "bark"], heads=[1, 1], deps=["nsubj", "ROOT"])
    matcher = DependencyMatcher(nlp.vocab)
    matcher.add("X", [[{"RIGHT_ID": "v", "RIGHT_ATTRS": {"_": {"api_parity_missing": 1}}}]])
    with pytest.raises(AttributeError, match="E657"):
        matcher(doc)


@pytest.mark.slow
@pytest.mark.skipif(not PEERS_PYTHON.exists(), reason="needs .venv-peers (make bench-peers)")
def test_stop_words_equal_spacys():
    script = "import json\nfrom spacy.lang.en.stop_words import STOP_WORDS\nprint(json.dumps(sorted(STOP_WORDS)))"
    result = subprocess.run([str(PEERS_PYTHON), "-c", script], capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        pytest.skip(f"spaCy not usable in .venv-peers: {result.stderr[-200:]}")
    assert json.loads(result.stdout) == sorted(STOP_WORDS)
