"""Token-pattern Matcher: attributes, predicates, quantifiers, validation."""
import pytest

from heron.errors import HeronError
from heron.matcher import Matcher
from heron.tokens import Doc, Span


@pytest.fixture
def matcher(en_vocab):
    return Matcher(en_vocab)


def words(doc, matches):
    return [doc[s:e].text for _, s, e in matches]


def test_basic_match_and_api(nlp, matcher):
    doc = nlp("Hello, world! hello WORLD")
    matcher.add("HW", [[{"LOWER": "hello"}, {"IS_PUNCT": True, "OP": "?"}, {"LOWER": "world"}]])
    assert "HW" in matcher and len(matcher) == 1
    matches = matcher(doc)
    assert words(doc, matches) == ["Hello, world", "hello WORLD"]
    match_id = nlp.vocab.strings["HW"]
    assert all(m[0] == match_id for m in matches)
    spans = matcher(doc, as_spans=True)
    assert all(isinstance(s, Span) for s in spans)
    assert [(s.text, s.label_) for s in spans] == [("Hello, world", "HW"), ("hello WORLD", "HW")]
    on_match, patterns = matcher.get("HW")
    assert on_match is None and len(patterns) == 1
    matcher.remove("HW")
    assert "HW" not in matcher and matcher(doc) == []
    with pytest.raises(KeyError, match=r"\[E335\]"):
        matcher.remove("HW")


@pytest.mark.parametrize("spec,expected", [
    ({"ORTH": "Apple"}, ["Apple"]),
    ({"TEXT": "apple"}, ["apple"]),
    ({"LOWER": "apple"}, ["Apple", "apple", "APPLE"]),
    ({"NORM": "apple"}, ["Apple", "apple", "APPLE"]),
    ({"SHAPE": "Xxxxx"}, ["Apple"]),
    ({"PREFIX": "a"}, ["apple", "a@b.co"]),
    ({"SUFFIX": "PLE"}, ["APPLE"]),
    ({"LENGTH": 2}, ["42"]),
    ({"IS_ALPHA": False}, ["42", "3.5", "!", "a@b.co"]),
    ({"IS_DIGIT": True}, ["42"]),
    ({"IS_PUNCT": True}, ["!"]),
    ({"IS_TITLE": True}, ["Apple"]),
    ({"IS_UPPER": True}, ["APPLE"]),
    ({"IS_LOWER": True}, ["apple", "a@b.co"]),
    ({"LIKE_NUM": True}, ["42", "3.5"]),
    ({"LIKE_EMAIL": True}, ["a@b.co"]),
    ({"lower": "apple", "is_title": True}, ["Apple"]),  # names are case-insensitive
])
def test_attributes(nlp, matcher, spec, expected):
    doc = nlp("Apple apple APPLE 42 3.5 ! a@b.co")
    matcher.add("K", [[spec]])
    assert words(doc, matcher(doc)) == expected


def test_like_url_and_is_space(nlp, matcher):
    doc = nlp("see https://example.org now  ok")
    matcher.add("URL", [[{"LIKE_URL": True}]])
    matcher.add("SPACE", [[{"IS_SPACE": True}]])
    found = {(nlp.vocab.strings[m], doc[s:e].text) for m, s, e in matcher(doc)}
    assert found == {("URL", "https://example.org"), ("SPACE", " ")}


def test_annotation_attributes(en_vocab, matcher):
    doc = Doc(en_vocab, words=["She", "runs", "fast", "."],
              tags=["PRP", "VBZ", "RB", "."], pos=["PRON", "VERB", "ADV", "PUNCT"],
              lemmas=["she", "run", "fast", "."], deps=["nsubj", "ROOT", "advmod", "punct"],
              heads=[1, 1, 1, 1], sent_starts=[True, False, False, False],
              ents=["B-PERSON", "O", "O", "O"])
    matcher.add("POS", [[{"POS": "VERB"}]])
    matcher.add("TAG", [[{"TAG": "RB"}]])
    matcher.add("LEMMA", [[{"LEMMA": "run"}, {"DEP": "advmod"}]])
    matcher.add("ENT", [[{"ENT_TYPE": "PERSON"}]])
    matcher.add("START", [[{"SENT_START": True}]])
    found = sorted((en_vocab.strings[m], doc[s:e].text) for m, s, e in matcher(doc))
    assert found == [("ENT", "She"), ("LEMMA", "runs fast"), ("POS", "runs"),
                     ("START", "She"), ("TAG", "fast")]


@pytest.mark.parametrize("value,expected", [
    ({"IN": ["cat", "dog"]}, ["cat", "dog"]),
    ({"NOT_IN": ["cat", "dog", "."]}, ["a", "bird", "and", "a", "Cat"]),
    ({"REGEX": "^[cC]at$"}, ["cat", "Cat"]),
])
def test_string_predicates(nlp, matcher, value, expected):
    doc = nlp("a cat, dog, bird and a Cat.")
    pattern = [{"ORTH": value, "IS_PUNCT": False}]
    matcher.add("K", [pattern])
    assert words(doc, matcher(doc)) == expected


@pytest.mark.parametrize("pred,expected", [
    ({">=": 4}, ["three", "four"]),
    ({"<": 4}, ["a", "is", "two"]),
    ({"==": 3}, ["two"]),
    ({"!=": 3}, ["a", "is", "three", "four"]),
    ({">": 4}, ["three"]),
    ({"<=": 2}, ["a", "is"]),
    ({">": 1, "<": 4}, ["is", "two"]),
])
def test_comparison_predicates(nlp, matcher, pred, expected):
    doc = nlp("a is two three four")
    matcher.add("K", [[{"LENGTH": pred}]])
    assert words(doc, matcher(doc)) == expected


@pytest.mark.parametrize("op,expected", [
    ("?", ["a", "a b"]),
    ("*", ["a", "a b", "a b b"]),
    ("+", ["a b", "a b b"]),
    ("{2}", ["a b b"]),
    ("{1,2}", ["a b", "a b b"]),
    ("{2,}", ["a b b"]),
    ("{,1}", ["a", "a b"]),
])
def test_quantifiers(nlp, matcher, op, expected):
    doc = nlp("a b b c")
    matcher.add("K", [[{"ORTH": "a"}, {"ORTH": "b", "OP": op}]])
    assert words(doc, matcher(doc)) == expected


def test_negation_consumes_one_non_matching_token(nlp, matcher):
    doc = nlp("a b a c a")
    matcher.add("K", [[{"ORTH": "a"}, {"ORTH": "b", "OP": "!"}]])
    assert words(doc, matcher(doc)) == ["a c"]


def test_plus_alone_returns_all_spans_and_greedy_filters(nlp, en_vocab):
    doc = nlp("x x x y x")
    matcher = Matcher(en_vocab)
    matcher.add("X", [[{"ORTH": "x", "OP": "+"}]])
    assert words(doc, matcher(doc)) == ["x", "x x", "x x x", "x", "x x", "x", "x"]
    longest = Matcher(en_vocab)
    longest.add("X", [[{"ORTH": "x", "OP": "+"}]], greedy="LONGEST")
    assert words(doc, longest(doc)) == ["x x x", "x"]
    first = Matcher(en_vocab)
    first.add("X", [[{"ORTH": "x"}, {"ORTH": "x", "OP": "?"}]], greedy="FIRST")
    assert words(doc, first(doc)) == ["x x", "x", "x"]  # (0,2), (2,3), (4,5)
    with pytest.raises(HeronError, match=r"\[E334\]"):
        first.add("Y", [[{"ORTH": "x"}]], greedy="BEST")


def test_multiple_patterns_and_keys_no_duplicates(nlp, matcher):
    doc = nlp("New York and new york")
    matcher.add("CITY", [[{"LOWER": "new"}, {"LOWER": "york"}], [{"ORTH": "New"}, {"ORTH": "York"}]])
    matcher.add("NEW", [[{"LOWER": "new"}]])
    matches = matcher(doc)
    labels = [(nlp.vocab.strings[m], s, e) for m, s, e in matches]
    assert labels == [("NEW", 0, 1), ("CITY", 0, 2), ("NEW", 3, 4), ("CITY", 3, 5)]


def test_on_match_callback(nlp, matcher):
    calls = []

    def on_match(m, doc, i, matches):
        calls.append((i, doc[matches[i][1]:matches[i][2]].text))

    matcher.add("K", [[{"LOWER": "hi"}]], on_match=on_match)
    matcher(nlp("hi there hi"))
    assert calls == [(0, "hi"), (1, "hi")]


def test_match_on_span_is_relative(nlp, matcher):
    doc = nlp("hello world and hello world")
    matcher.add("HW", [[{"LOWER": "hello"}, {"LOWER": "world"}]])
    span = doc[2:5]
    assert [(s, e) for _, s, e in matcher(span)] == [(1, 3)]
    assert [(s.start, s.end) for s in matcher(span, as_spans=True)] == [(3, 5)]


def test_extension_attributes(nlp, matcher):
    from heron.tokens import Token

    Token.set_extension("test_matcher_flag", default=False, force=True)
    try:
        doc = nlp("one two three")
        doc[1]._.test_matcher_flag = True
        matcher.add("EXT", [[{"_": {"test_matcher_flag": True}}]])
        assert words(doc, matcher(doc)) == ["two"]
    finally:
        Token.remove_extension("test_matcher_flag")


@pytest.mark.parametrize("patterns,code,needle", [
    ([[{"LOWR": "x"}]], "E331", "Did you mean 'LOWER'"),
    ([[{"ORTH": "x", "OP": "++"}]], "E332", "'++'"),
    ([[{"ORTH": "x", "OP": "{3,1}"}]], "E332", "{3,1}"),
    ([[{"ORTH": {"INN": ["x"]}}]], "E333", "Did you mean 'IN'"),
    ([[{"ORTH": {"REGEX": "("}}]], "E333", "invalid regular expression"),
    ([[{"ORTH": {">": 3}}]], "E333", "compares numbers"),
    ([[{"ORTH": {"IN": "x"}}]], "E333", "list"),
    ([[]], "E330", "non-empty"),
    ([{"ORTH": "x"}], "E330", "list of patterns"),
])
def test_invalid_patterns_always_raise(matcher, patterns, code, needle):
    with pytest.raises(HeronError) as e:
        matcher.add("BAD", patterns)
    assert str(e.value).startswith(f"[{code}]")
    assert needle in str(e.value)
    assert "BAD" not in matcher


def test_error_names_pattern_and_token_index(matcher):
    with pytest.raises(HeronError) as e:
        matcher.add("KEY", [[{"ORTH": "a"}], [{"ORTH": "b"}, {"FOO": 1}]])
    assert "pattern 1 for key 'KEY', token 1" in str(e.value)


def test_validate_checks_value_types(en_vocab):
    loose = Matcher(en_vocab)
    loose.add("OK", [[{"IS_ALPHA": 1}]])  # truthy value accepted without validate
    strict = Matcher(en_vocab, validate=True)
    for pattern in ([{"IS_ALPHA": 1}], [{"LOWER": 5}], [{"LENGTH": "3"}],
                    [{"LOWER": {"IN": ["a", 2]}}]):
        with pytest.raises(HeronError, match=r"\[E333\]"):
            strict.add("BAD", [pattern])
    strict.add("GOOD", [[{"IS_ALPHA": True, "LOWER": {"IN": ["a"]}, "LENGTH": {">": 0}}]])


@pytest.mark.parametrize("rest", [
    [], [{"LOWER": "b", "OP": "*"}], [{"LOWER": "b", "OP": "+"}, {"IS_PUNCT": True, "OP": "?"}],
    [{"LOWER": "a", "OP": "!"}], [{"LENGTH": {">": 0}, "OP": "{1,3}"}],
])
def test_first_token_index_agrees_with_full_scan(nlp, en_vocab, rest):
    """Patterns starting with an exact value are indexed; IN forces a scan of every start."""
    doc = nlp("a b b . A a c b a b")
    indexed, scanned = Matcher(en_vocab), Matcher(en_vocab)
    indexed.add("K", [[{"LOWER": "a"}] + rest])
    scanned.add("K", [[{"LOWER": {"IN": ["a"]}}] + rest])
    assert indexed(doc) == scanned(doc)
    assert indexed(doc)  # the comparison is not vacuous


def test_remove_then_add_updates_index(nlp, matcher):
    doc = nlp("x y")
    matcher.add("A", [[{"ORTH": "x"}]])
    assert len(matcher(doc)) == 1
    matcher.remove("A")
    matcher.add("B", [[{"ORTH": "y"}]])
    assert [(nlp.vocab.strings[m], s) for m, s, _ in matcher(doc)] == [("B", 1)]
