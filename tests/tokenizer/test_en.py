"""English tokenization cases (sentences written for these tests)."""
import pytest

from .conftest import orths


@pytest.mark.parametrize("text,expected", [
    ("I don't know", ["I", "do", "n't", "know"]),
    ("I'm here", ["I", "'m", "here"]),
    ("You can't go", ["You", "ca", "n't", "go"]),
    ("We won't stop", ["We", "wo", "n't", "stop"]),
    ("I'm gonna win", ["I", "'m", "gon", "na", "win"]),
    ("I wanna go", ["I", "wan", "na", "go"]),
    ("You gotta see", ["You", "got", "ta", "see"]),
    ("DON'T panic", ["DO", "N'T", "panic"]),
    ("Don't panic", ["Do", "n't", "panic"]),
    ("I don’t know", ["I", "do", "n’t", "know"]),
    ("She’ll come", ["She", "’ll", "come"]),
    ("They've left", ["They", "'ve", "left"]),
    ("we'd've gone", ["we", "'d", "'ve", "gone"]),
    ("it cannot be", ["it", "can", "not", "be"]),
    ("i dont care", ["i", "do", "nt", "care"]),
    ("y'all ready", ["y'", "all", "ready"]),
    ("Let's go", ["Let", "'s", "go"]),
    ("The dog's bone", ["The", "dog", "'s", "bone"]),
    ("the 80's were fun", ["the", "80's", "were", "fun"]),
])
def test_contractions(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Mr. Smith met Dr. Jones.", ["Mr.", "Smith", "met", "Dr.", "Jones", "."]),
    ("The U.S. economy grew.", ["The", "U.S.", "economy", "grew", "."]),
    ("Bring fruit, e.g. apples, i.e. food.", ["Bring", "fruit", ",", "e.g.", "apples", ",", "i.e.", "food", "."]),
    ("See you Jan. 5 at 3 p.m. sharp", ["See", "you", "Jan.", "5", "at", "3", "p.m.", "sharp"]),
    ("Acme Inc. (Boston) wins", ["Acme", "Inc.", "(", "Boston", ")", "wins"]),
    ("(Dr.)", ["(", "Dr.", ")"]),
    ("J. R. R. Tolkien", ["J.", "R.", "R.", "Tolkien"]),
])
def test_abbreviations(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Visit https://example.org/a?b=1&c=2.", ["Visit", "https://example.org/a?b=1&c=2", "."]),
    ("(see www.example.com/page)", ["(", "see", "www.example.com/page", ")"]),
    ("Go to example.co.uk now", ["Go", "to", "example.co.uk", "now"]),
    ("Mail jane.doe+x@mail.example.com, please", ["Mail", "jane.doe+x@mail.example.com", ",", "please"]),
    ("<bob@example.net>", ["<", "bob@example.net", ">"]),
    ("Follow #nlproc and @heron", ["Follow", "#nlproc", "and", "@heron"]),
])
def test_urls_emails(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("I love it :) really", ["I", "love", "it", ":)", "really"]),
    ("so sad :-( today", ["so", "sad", ":-(", "today"]),
    ("<3 you", ["<3", "you"]),
    ("great:)", ["great", ":)"]),
    ("(:-)!", ["(", ":-)", "!"]),
    ("haha xD", ["haha", "xD"]),
])
def test_emoticons(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("I ran 10km today", ["I", "ran", "10", "km", "today"]),
    ("It costs $5.", ["It", "costs", "$", "5", "."]),
    ("Up 5% now", ["Up", "5", "%", "now"]),
    ("a 3.5kg bag", ["a", "3.5", "kg", "bag"]),
    ("about €20", ["about", "€", "20"]),
    ("at 7:30pm", ["at", "7:30", "pm"]),
    ("pages 5-10", ["pages", "5", "-", "10"]),
    ("call 713-555-0199", ["call", "713-555-0199"]),
    ("on 11/28/2000", ["on", "11/28/2000"]),
    ("1,000,000 people", ["1,000,000", "people"]),
])
def test_numbers_units(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("a well-known fact", ["a", "well", "-", "known", "fact"]),
    ("send an e-mail", ["send", "an", "e-mail"]),
    ("non-stop flights", ["non-stop", "flights"]),
    ("a T-shirt", ["a", "T-shirt"]),
    ("wait -- what", ["wait", "--", "what"]),
    ("speech--no", ["speech", "--", "no"]),
    ("and/or", ["and", "/", "or"]),
    ("w/o sugar", ["w/o", "sugar"]),
])
def test_hyphens_slashes(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ('He said "hello."', ["He", "said", '"', "hello", ".", '"']),
    ("‘Quoted’ words", ["‘", "Quoted", "’", "words"]),
    ("“Curly” ones", ["“", "Curly", "”", "ones"]),
    ("[a] {b} (c)", ["[", "a", "]", "{", "b", "}", "(", "c", ")"]),
    ("Wait... what?!", ["Wait", "...", "what", "?!"]),
    ("Really!!!", ["Really", "!!!"]),
    ("Well…", ["Well", "…"]),
    ("''Quoted''", ["''", "Quoted", "''"]),
    ("end.Start", ["end", ".", "Start"]),
    ("one,two", ["one", ",", "two"]),
])
def test_quotes_brackets_punct(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,words,spaces", [
    ("a  b", ["a", " ", "b"], [True, False, False]),
    ("a\nb", ["a", "\n", "b"], [False, False, False]),
    ("a \n b", ["a", "\n ", "b"], [True, False, False]),
    (" a", [" ", "a"], [False, False]),
    ("a ", ["a"], [True]),
    ("a   ", ["a", "  "], [True, False]),
    ("", [], []),
    ("   ", ["   "], [False]),
    ("a\t\tb.", ["a", "\t\t", "b", "."], [False, False, False, False]),
])
def test_whitespace(en_tokenizer, text, words, spaces):
    assert en_tokenizer.words_and_spaces(text) == (words, spaces)
    doc = en_tokenizer(text)
    assert doc.text == text
    assert [t.text for t in doc] == words


def test_norms_of_special_cases_are_kept_as_data(en_tokenizer):
    assert en_tokenizer.rules["don't"] == [{"ORTH": "do"}, {"ORTH": "n't", "NORM": "not"}]
