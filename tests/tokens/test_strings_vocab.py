import subprocess
import sys

import pytest

from heron.errors import HeronError
from heron.tokens import Lexeme, StringStore, Vocab
from heron.tokens.strings import get_string_id


def test_string_hash_roundtrip_and_empty_is_zero():
    store = StringStore()
    key = store.add("apple")
    assert store[key] == "apple"
    assert store["apple"] == key == get_string_id("apple")
    assert store.add("") == 0 and store[0] == ""
    assert "apple" in store and key in store and "pear" not in store
    assert len(store) == 1 and list(store) == ["apple"]


def test_string_hash_is_stable_across_processes():
    code = "from heron.tokens.strings import get_string_id; print(get_string_id('Straße'))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert int(out.stdout) == get_string_id("Straße")
    assert 0 < get_string_id("Straße") < 2**64


def test_unknown_hash_raises_coded_error():
    with pytest.raises(KeyError, match=r"\[E002\]"):
        StringStore()[12345]


def test_non_string_add_raises():
    with pytest.raises(HeronError, match=r"\[E001\]"):
        StringStore().add(3.5)


def test_stringstore_disk_roundtrip(tmp_path):
    store = StringStore(["a", "b", "ü"])
    store.to_disk(tmp_path / "strings.json")
    loaded = StringStore().from_disk(tmp_path / "strings.json")
    assert sorted(loaded) == ["a", "b", "ü"] and loaded["ü"] == store["ü"]
    assert StringStore().from_bytes(store.to_bytes())["a"] == store["a"]
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(HeronError, match=r"\[E004\]"):
        StringStore().from_disk(tmp_path / "bad.json")


@pytest.mark.parametrize("word,shape", [("Apple", "Xxxxx"), ("2024", "dddd"), ("C3-PO", "Xd-XX"),
                                        ("aaaaaaa", "xxxx"), ("U.S.A.", "X.X.X."), ("", "")])
def test_shape(word, shape):
    if word:
        assert Vocab()[word].shape_ == shape


def test_lexeme_attrs():
    vocab = Vocab(lang="en")
    lex = vocab["Hello"]
    assert isinstance(lex, Lexeme) and lex.orth_ == "Hello" and lex.text == "Hello"
    assert lex.lower_ == "hello" and lex.norm_ == "hello" and lex.prefix_ == "H" and lex.suffix_ == "llo"
    assert vocab.strings[lex.lower] == "hello"
    assert lex.is_alpha and lex.is_title and not lex.is_upper and not lex.is_lower and lex.is_ascii
    assert not lex.is_digit and not lex.is_punct and not lex.is_stop
    assert vocab["the"].is_stop and vocab["The"].is_stop
    assert vocab["("].is_bracket and vocab["("].is_left_punct and vocab[")"].is_right_punct
    assert vocab['"'].is_quote and vocab["$"].is_currency and vocab["€"].is_currency
    assert vocab["!"].is_punct and vocab[" "].is_space and not vocab["Ünïcode"].is_ascii


@pytest.mark.parametrize("text", ["10", "10,000", "3.5", "1/2", "-7", "ten", "million", "Twenty", "3rd", "first"])
def test_like_num_english(text):
    assert Vocab(lang="en")[text].like_num


@pytest.mark.parametrize("text", ["ten", "apple", "1/2/3", "a1"])
def test_like_num_neutral_language_has_no_number_words(text):
    assert not Vocab(lang="xx")[text].like_num


def test_like_url_and_email():
    vocab = Vocab()
    for url in ["https://example.org/x", "www.heron.dev", "example.com", "spacy.io/usage"]:
        assert vocab[url].like_url, url
    for text in ["hello", "e.g.", "foo@bar.com", "3.14"]:
        assert not vocab[text].like_url, text
    assert vocab["ann.lee@example.co.uk"].like_email
    assert not vocab["@handle"].like_email


def test_lex_attr_getters_override_and_cache():
    calls = []

    def like_num(text):
        calls.append(text)
        return text == "zwei"

    vocab = Vocab(lang="en", lex_attr_getters={"like_num": like_num})
    assert vocab["zwei"].like_num and not vocab["10"].like_num
    assert vocab["zwei"].like_num
    assert calls == ["zwei", "10"]  # cached per string


def test_lexeme_setter_and_vocab_disk_roundtrip(tmp_path):
    vocab = Vocab(lang="en")
    vocab["heron"].is_stop = True
    vocab["heron"].norm_ = "bird"
    vocab.to_disk(tmp_path / "vocab")
    assert (tmp_path / "vocab" / "strings.json").exists()
    loaded = Vocab(lang="en").from_disk(tmp_path / "vocab")
    assert loaded["heron"].is_stop and loaded["heron"].norm_ == "bird"
    assert "heron" in loaded.strings
    assert Vocab().from_bytes(vocab.to_bytes())["heron"].norm_ == "bird"


def test_unknown_lexeme_attr():
    with pytest.raises(KeyError, match=r"\[E037\]"):
        Vocab().get_lex_attr("a", "is_fish")


def test_lex_attr_getters_accepts_attr_ids_and_rejects_unknown():
    from heron.tokens import attrs

    vocab = Vocab(lex_attr_getters={attrs.IS_STOP: lambda text: text == "zz"})
    assert vocab["zz"].is_stop and not vocab["the"].is_stop
    with pytest.raises(HeronError, match=r"\[E037\]"):
        Vocab(lex_attr_getters={"TAG": len})
