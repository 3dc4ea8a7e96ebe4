"""Engine behaviour: special cases, configuration, explain, pipe, serialisation, errors."""
import re

import pytest

from heron.errors import HeronError, HeronTypeError, HeronValueError
from heron.registry import registry
from heron.tokenizer import (
    Tokenizer,
    TokenizerRules,
    compile_infix_regex,
    compile_prefix_regex,
    compile_suffix_regex,
    create_tokenizer,
    get_lang_defaults,
)
from heron.tokens import Vocab

from .conftest import orths


def test_add_special_case_applies_and_flushes_cache():
    tok = create_tokenizer("en")
    assert orths(tok, "gimme that") == ["gim", "me", "that"]
    assert orths(tok, "lemme") == ["lem", "me"]
    assert orths(tok, "zorblax now") == ["zorblax", "now"]  # now cached
    tok.add_special_case("zorblax", [{"ORTH": "zorb"}, {"ORTH": "lax", "NORM": "relax"}])
    assert orths(tok, "zorblax now") == ["zorb", "lax", "now"]
    assert orths(tok, "(zorblax!)") == ["(", "zorb", "lax", "!", ")"]
    assert tok.rules["zorblax"][1] == {"ORTH": "lax", "NORM": "relax"}


@pytest.mark.parametrize("substrings,code", [
    ([{"ORTH": "gim"}, {"ORTH": "m"}], "[E100]"),
    ([{"ORTH": "gim"}, {"ORTH": "mee"}], "[E100]"),
    ([], "[E103]"),
    ([{"NORM": "give"}], "[E103]"),
    ("gimme", "[E103]"),
    ([{"ORTH": "gimme", "TAG": "VB"}], "[E104]"),
])
def test_add_special_case_validates(substrings, code):
    tok = create_tokenizer("xx")
    with pytest.raises(HeronError) as err:
        tok.add_special_case("gimme", substrings)
    assert str(err.value).startswith(code)
    assert orths(tok, "gimme") == ["gimme"]


def test_empty_special_case_string_is_rejected():
    with pytest.raises(HeronValueError, match=r"\[E102\]"):
        create_tokenizer("xx").add_special_case("", [{"ORTH": "x"}])


def test_non_str_input_is_a_coded_error(en_tokenizer):
    with pytest.raises(HeronTypeError, match=r"\[E109\]"):
        en_tokenizer(b"bytes")


def test_unknown_language_is_a_coded_error():
    with pytest.raises(HeronValueError, match=r"\[E108\].*'zz'"):
        get_lang_defaults("zz")


def test_invalid_pattern_names_the_list():
    with pytest.raises(HeronValueError, match=r"\[E101\] Tokenizer prefixes"):
        Tokenizer(Vocab(), prefixes=["(unclosed"])
    with pytest.raises(HeronTypeError, match=r"\[E105\]"):
        Tokenizer(Vocab(), suffixes="not-a-list")


def test_custom_pattern_lists_change_tokenization():
    rules = get_lang_defaults("en")
    assert orths(Tokenizer(Vocab(), rules), "ab~cd") == ["ab", "~", "cd"]
    rules.infixes = [p for p in rules.infixes if "~" not in p]
    rules.prefixes.append(r"\^")
    tok = Tokenizer(Vocab(), rules)
    assert orths(tok, "ab~cd ^up") == ["ab~cd", "^", "up"]
    # The defaults are fresh copies: changing one set of rules leaves new ones intact.
    assert orths(create_tokenizer("en"), "^up") == ["^up"]


def test_setting_compiled_functions_like_spacy():
    tok = create_tokenizer("xx")
    tok.suffix_search = compile_suffix_regex([r"!+"]).search
    tok.prefix_search = compile_prefix_regex([r"@"]).search
    tok.infix_finditer = compile_infix_regex([r"_"]).finditer
    assert orths(tok, "@a_b!!") == ["@", "a", "_", "b", "!!"]
    tok.token_match = r"^@\w+$"
    assert orths(tok, "@a_b") == ["@a_b"]


def test_bare_tokenizer_splits_on_whitespace_only():
    tok = Tokenizer(Vocab())
    assert orths(tok, "(hello), world!") == ["(hello),", "world!"]


def test_url_match_runs_after_affixes():
    tok = Tokenizer(Vocab(), prefixes=[r"\("], suffixes=[r"\)"], infixes=[r"/"], url_match=r"^https?://\S+$")
    assert orths(tok, "(http://a.org/x)") == ["(", "http://a.org/x", ")"]
    assert orths(tok, "a/b") == ["a", "/", "b"]


def test_explain_labels(en_tokenizer):
    explained = en_tokenizer.explain("(don't) see-saw http://a.org")
    assert explained == [
        ("PREFIX", "("), ("SPECIAL-1", "do"), ("SPECIAL-2", "n't"), ("SUFFIX", ")"),
        ("TOKEN", "see"), ("INFIX", "-"), ("TOKEN", "saw"), ("URL_MATCH", "http://a.org"),
    ]
    text = "(don't) see-saw http://a.org"
    assert [t for _, t in explained] == orths(en_tokenizer, text)


def test_pipe_yields_docs_in_order(en_tokenizer):
    texts = ["One text.", "", "Two  texts!"]
    docs = list(en_tokenizer.pipe(texts, batch_size=2))
    assert [d.text for d in docs] == texts
    assert [len(d) for d in docs] == [3, 0, 4]


def test_docs_share_the_tokenizer_vocab():
    vocab = Vocab(lang="en")
    tok = Tokenizer(vocab, get_lang_defaults("en"))
    assert tok("hello").vocab is vocab


def test_bytes_round_trip_preserves_behaviour(tmp_path):
    tok = create_tokenizer("en")
    tok.add_special_case("gonnae", [{"ORTH": "gon"}, {"ORTH": "nae"}])
    tok.prefix_search = compile_prefix_regex(get_lang_defaults("en").prefixes + [r"\^"]).search
    text = "^Gonnae (not) e-mail me at x@y.org :) U.S. gonnae don't 5km!!"
    fresh = Tokenizer(Vocab()).from_bytes(tok.to_bytes())
    assert orths(fresh, text) == orths(tok, text)
    assert "^" in orths(fresh, text)
    tok.to_disk(tmp_path / "tokenizer")
    assert orths(Tokenizer(Vocab()).from_disk(tmp_path / "tokenizer"), text) == orths(tok, text)


def test_serialised_form_is_plain_json(en_tokenizer):
    import json

    data = json.loads(en_tokenizer.to_bytes())
    assert set(data) == {"prefix_search", "suffix_search", "infix_finditer", "token_match", "url_match", "exceptions"}
    assert isinstance(data["prefix_search"], str) and data["exceptions"]["can't"][0] == {"ORTH": "ca", "NORM": "can"}


def test_exclude_keeps_current_values(en_tokenizer):
    tok = Tokenizer(Vocab(), exceptions={"abc": [{"ORTH": "a"}, {"ORTH": "bc"}]})
    tok.from_bytes(en_tokenizer.to_bytes(exclude=["exceptions"]))
    assert orths(tok, "abc (x)") == ["a", "bc", "(", "x", ")"]


@pytest.mark.parametrize("payload,needle", [
    (b"\xff\xfe", "[E107]"),
    (b"[1, 2]", "[E107]"),
    (b'{"prefix_search": 5}', "[E107]"),
    (b'{"prefix_search": "(unclosed"}', "[E107]"),
    (b'{"exceptions": {"ab": [{"ORTH": "b"}]}}', "[E100]"),
])
def test_from_bytes_rejects_bad_data(payload, needle):
    with pytest.raises(HeronValueError) as err:
        Tokenizer(Vocab()).from_bytes(payload)
    assert needle in str(err.value)


def test_from_disk_error_names_the_file(tmp_path):
    path = tmp_path / "tok.json"
    path.write_text("not json")
    with pytest.raises(HeronValueError, match=re.escape(str(path))):
        Tokenizer(Vocab()).from_disk(path)


def test_custom_callable_is_not_serialised_but_warns():
    tok = Tokenizer(Vocab(), token_match=lambda s: s == "keep-me")
    with pytest.warns(UserWarning, match=r"\[W100\]"):
        data = tok.to_bytes()
    assert b"token_match" not in data


def test_registered_factory_builds_from_nlp_like_object():
    class FakeNLP:
        lang = "en"
        vocab = Vocab(lang="en")

    factory = registry.tokenizers.get("heron.Tokenizer.v1")()
    tok = factory(FakeNLP())
    assert isinstance(tok, Tokenizer) and tok.vocab is FakeNLP.vocab
    assert orths(tok, "can't") == ["ca", "n't"]


def test_rules_are_plain_data():
    rules = get_lang_defaults("en")
    assert isinstance(rules, TokenizerRules)
    copied = rules.copy()
    copied.exceptions.clear()
    assert rules.exceptions


def test_xx_rules_split_punctuation_but_not_english_contractions(xx_tokenizer):
    assert orths(xx_tokenizer, "Hallo, (Welt)! don't") == ["Hallo", ",", "(", "Welt", ")", "!", "don't"]
    assert orths(xx_tokenizer, "10km :) https://x.org/a.") == ["10", "km", ":)", "https://x.org/a", "."]
    assert orths(xx_tokenizer, "Привет, мир.") == ["Привет", ",", "мир", "."]
    assert "n't" not in orths(xx_tokenizer, "don't")
