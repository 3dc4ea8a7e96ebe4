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


# Each rule below has positive cases and at least one case that must NOT change.
@pytest.mark.parametrize("text,expected", [
    # a hyphen glued to the end or start of a word is a dash
    ("I tried- it failed", ["I", "tried", "-", "it", "failed"]),
    ("pre- and post-war", ["pre", "-", "and", "post-war"]),
    ("reply -Anna", ["reply", "-", "Anna"]),
    ("a loss of -$1,234", ["a", "loss", "of", "-", "$", "1,234"]),
    ("score -7 today", ["score", "-", "7", "today"]),
    # ...but not inside a word, in arrows or in emoticons
    ("send an e-mail", ["send", "an", "e-mail"]),
    ("wait -> now", ["wait", "->", "now"]),
    ("meh -_- ok", ["meh", "-_-", "ok"]),
    ("my x-rays", ["my", "x-rays"]),
])
def test_glued_dashes(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("in 1969-1970 only", ["in", "1969", "-", "1970", "only"]),
    ("sold 400-500 units", ["sold", "400", "-", "500", "units"]),
    ("dose 1.5-2.0 mg", ["dose", "1.5", "-", "2.0", "mg"]),
    ("open 3:00-5:30 daily", ["open", "3:00", "-", "5:30", "daily"]),
    ("from $10-$20 each", ["from", "$", "10", "-", "$", "20", "each"]),
    # phone numbers, ZIP+4 codes, numeric dates and hyphenated IDs stay whole
    ("call 555-0142 now", ["call", "555-0142", "now"]),
    ("zip 77001-0027 here", ["zip", "77001-0027", "here"]),
    ("on 8-7-01 we", ["on", "8-7-01", "we"]),
    ("file ab#12345-1.DOC sent", ["file", "ab#12345-1.DOC", "sent"]),
])
def test_number_ranges(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("due 01-Feb-02 latest", ["due", "01-Feb-02", "latest"]),
    ("on 5-Jan-2001, ok", ["on", "5-Jan-2001", ",", "ok"]),
    ("(15-MAR-99)", ["(", "15-MAR-99", ")"]),
    # not a month: the hyphens split as usual
    ("the 5-Jane-2001 one", ["the", "5", "-", "Jane", "-", "2001", "one"]),
])
def test_day_month_year_dates(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("in the mid-1980s", ["in", "the", "mid-1980s"]),
    ("a pre-2000 model", ["a", "pre-2000", "model"]),
    # a hyphen between a word that is not a bound prefix and a number still splits
    ("an AK-47 rifle", ["an", "AK", "-", "47", "rifle"]),
])
def test_bound_prefix_before_number(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("raised $3.8bn today", ["raised", "$", "3.8", "bn", "today"]),
    ("about 40K fans", ["about", "40", "K", "fans"]),
    ("15MM cubic feet", ["15", "MM", "cubic", "feet"]),
    ("a 2.7M loss", ["a", "2.7", "M", "loss"]),
    ("at 60Hz for 20mins", ["at", "60", "Hz", "for", "20", "mins"]),
    # network generations, ordinals and letter-first model names stay whole
    ("on 4G and 3G", ["on", "4G", "and", "3G"]),
    ("on the 4th", ["on", "the", "4th"]),
    ("an M16 rifle", ["an", "M16", "rifle"]),
])
def test_number_magnitudes_and_units(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("Why...? Really", ["Why", "...", "?", "Really"]),
    ("Hmm....! fine", ["Hmm", "....", "!", "fine"]),
    # one dot or mixed ?/! runs stay one token
    ("Really?! yes", ["Really", "?!", "yes"]),
    ("What.? no", ["What", ".?", "no"]),
    ("Wait... what", ["Wait", "...", "what"]),
])
def test_ellipsis_before_question_mark(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ('the"best"one', ["the", '"', "best", '"', "one"]),
    ('Ann Lee"<ann@example.org>', ["Ann", "Lee", '"', "<", "ann@example.org", ">"]),
    # after a digit a double quote is an inch mark and stays attached
    ('a 12"x8" frame', ["a", '12"x8', '"', "frame"]),
])
def test_glued_double_quotes(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("I got an A+ today", ["I", "got", "an", "A", "+", "today"]),
    ("a B++ mark", ["a", "B", "++", "mark"]),
    # language names keep their symbols
    ("I know C++ and C#.", ["I", "know", "C++", "and", "C#", "."]),
    ("using .NET now", ["using", ".NET", "now"]),
])
def test_grades_and_language_names(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("file report.pdf)(See notes", ["file", "report.pdf", ")", "(", "See", "notes"]),
    ("file (draft).doc here", ["file", "(", "draft", ")", ".doc", "here"]),
    # a sentence-final period after a bracket is still a suffix
    ("(the end).", ["(", "the", "end", ")", "."]),
])
def test_glued_brackets(en_tokenizer, text, expected):
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
