"""Regexes read from files must not be able to hang the process (issue 13, item 4)."""
import json
import re

import pytest

import heron
from heron.errors import HeronValueError
from heron.regex_safety import check_regex
from heron.tokenizer.lang import get_lang_defaults
from heron.tokenizer.rules import compile_infix_regex, compile_prefix_regex, compile_suffix_regex

EXPONENTIAL = [
    r"^(a+)+$", r"(a*)*", r"(a|aa)+$", r"(a|ab)*c", r"^(\w+\s?)+$", r"(.*a){12}",
    r"((ab)*c?)+d", r"(?i)(?:[a-z]+A)+$", r"(x+x+)+y", r"^(\d+|\d+\.)+$",
]
SAFE = [
    r"(?:[a-z0-9]+\.)+", r"[a-z]+", r"(?:ab)+", r"(?:a|b)+", r"(?:ab|cd)+", r"(?:a+)++",
    r"(?>(a+)+)", r"\w*\w*$", r"(?:\.[a-z]+)+", r"^\d{1,3}(?:,\d{3})+$", r"(a{1,3}){1,3}",
]


@pytest.mark.parametrize("pattern", EXPONENTIAL)
def test_exponential_patterns_are_refused(pattern):
    with pytest.raises(HeronValueError, match=r"\[E110\].*my place"):
        check_regex(pattern, where="my place")


@pytest.mark.parametrize("pattern", SAFE)
def test_safe_patterns_pass(pattern):
    check_regex(pattern, where="x")


def test_invalid_pattern_is_a_coded_error():
    with pytest.raises(HeronValueError, match=r"\[E111\].*where"):
        check_regex("(a", where="where")


@pytest.mark.parametrize("lang", ["en", "xx"])
def test_builtin_rules_pass_the_check(lang):
    # A customised pipeline's combined pattern is checked in full, built-in pieces included.
    rules = get_lang_defaults(lang)
    sources = [compile_prefix_regex(rules.prefixes).pattern, compile_suffix_regex(rules.suffixes).pattern,
               compile_infix_regex(rules.infixes).pattern, rules.token_match, rules.url_match]
    for source in sources:
        if source:
            check_regex(source, where=lang)


def _saved(tmp_path, **changes):
    nlp = heron.blank("en")
    nlp.to_disk(tmp_path / "p")
    path = tmp_path / "p" / "tokenizer"
    data = json.loads(path.read_text(encoding="utf8"))
    data.update(changes)
    path.write_text(json.dumps(data), encoding="utf8")
    return tmp_path / "p"


def test_load_refuses_redos_token_match(tmp_path):
    path = _saved(tmp_path, token_match="^(a+)+$")
    with pytest.raises(HeronValueError, match=r"\[E110\].*tokenizer.*'token_match'"):
        heron.load(path)


def test_from_disk_refuses_and_leaves_tokenizer_unchanged(tmp_path):
    path = _saved(tmp_path, url_match="^(a|aa)+$", token_match="^x$")
    nlp = heron.blank("en")
    before = nlp.tokenizer.token_match
    with pytest.raises(HeronValueError, match="E110"):
        nlp.tokenizer.from_disk(path / "tokenizer")
    assert nlp.tokenizer.token_match is before


def test_possessive_rewrite_loads_and_tokenizes(tmp_path):
    path = _saved(tmp_path, token_match="^(?:a+)++$")
    nlp = heron.load(path)
    text = "a" * 40 + "b aaa"
    assert nlp(text).text == text
    assert [t.text for t in nlp("aaa")] == ["aaa"]


def test_customised_rules_round_trip(tmp_path):
    nlp = heron.blank("en")
    nlp.tokenizer.prefix_search = compile_prefix_regex(get_lang_defaults("en").prefixes + ["§"]).search
    nlp.to_disk(tmp_path / "p")
    loaded = heron.load(tmp_path / "p")
    assert [t.text for t in loaded("§5 (x)")] == [t.text for t in nlp("§5 (x)")]


def test_code_set_patterns_are_trusted():
    nlp = heron.blank("en")
    nlp.tokenizer.token_match = re.compile("^(?:ab)+$").match  # user code: not checked
    assert [t.text for t in nlp("abab")] == ["abab"]


def test_entity_ruler_patterns_from_disk_are_checked(tmp_path):
    nlp = heron.blank("en")
    ruler = nlp.add_pipe("entity_ruler")
    ruler.add_patterns([{"label": "X", "pattern": [{"TEXT": {"REGEX": "^b+$"}}]}])
    nlp.to_disk(tmp_path / "p")
    assert heron.load(tmp_path / "p")("bbb").ents[0].label_ == "X"
    bad = {"label": "X", "pattern": [{"LOWER": {"REGEX": "^(a+)+$"}}]}
    (tmp_path / "p" / "entity_ruler" / "patterns.jsonl").write_text(json.dumps(bad) + "\n", encoding="utf8")
    with pytest.raises(HeronValueError, match=r"\[E110\].*entity_ruler.*entry 0"):
        heron.load(tmp_path / "p")
    with pytest.raises(HeronValueError, match="E110"):
        heron.blank("en").add_pipe("entity_ruler").from_bytes(json.dumps({"patterns": [bad]}).encode())
