"""span_ruler: token and phrase patterns into doc.spans and/or doc.ents (spaCy's SpanRuler),
pattern management, filters, saving (patterns.jsonl, checked on load) and scoring."""
from __future__ import annotations

import json
from typing import Any, List, Tuple

import pytest

import heron
from heron.errors import DataError, HeronValueError
from heron.language import Language
from heron.pipeline.span_ruler import (
    first_longest_spans_filter,
    prioritize_existing_ents_filter,
    prioritize_new_ents_filter,
)
from heron.tokens import Doc, Span
from heron.training.example import Example

PATTERNS = [
    {"label": "ORG", "pattern": "Apple"},
    {"label": "GPE", "pattern": [{"LOWER": "san"}, {"LOWER": "francisco"}], "id": "sf"},
    {"label": "CITY", "pattern": "San Francisco"},
    {"label": "PLACE", "pattern": [{"LOWER": "francisco"}, {"LOWER": "bay"}]},
]
TEXT = "Apple opened in San Francisco Bay today"


def spans(doc: Any, key: str = "ruler") -> List[Tuple[str, str, str]]:
    return [(s.text, s.label_, s.id_) for s in doc.spans[key]]


def ents(doc: Any) -> List[Tuple[str, str]]:
    return [(e.text, e.label_) for e in doc.ents]


@pytest.fixture
def nlp() -> Language:
    return heron.blank("en")


@pytest.fixture
def ruler(nlp):
    ruler = nlp.add_pipe("span_ruler")
    ruler.add_patterns(PATTERNS)
    return ruler


def test_every_match_goes_to_doc_spans_overlaps_included(nlp, ruler):
    doc = nlp(TEXT)
    assert spans(doc) == [("Apple", "ORG", ""), ("San Francisco", "CITY", ""), ("San Francisco", "GPE", "sf"),
                          ("Francisco Bay", "PLACE", "")]
    assert ents(doc) == []  # annotate_ents is off by default
    assert doc.spans["ruler"].name == "ruler"


def test_pattern_management(nlp, ruler):
    assert len(ruler) == 4 and "ORG" in ruler and "PER" not in ruler
    assert ruler.labels == ("CITY", "GPE", "ORG", "PLACE") and ruler.ids == ("sf",)
    assert ruler.patterns == PATTERNS and ruler.key == "ruler"
    ruler.remove("CITY")
    assert [s[1] for s in spans(nlp(TEXT))] == ["ORG", "GPE", "PLACE"]
    ruler.remove_by_id("sf")
    assert [s[1] for s in spans(nlp(TEXT))] == ["ORG", "PLACE"]
    with pytest.raises(HeronValueError, match=r"\[E988\].*label 'CITY'.*Known: \['ORG', 'PLACE'\]"):
        ruler.remove("CITY")
    with pytest.raises(HeronValueError, match=r"\[E988\].*id 'sf'"):
        ruler.remove_by_id("sf")
    ruler.clear()
    assert len(ruler) == 0
    with pytest.warns(UserWarning, match=r"\[W980\]"):
        assert spans(nlp(TEXT)) == []


@pytest.mark.parametrize("bad,detail", [
    ({"pattern": "x"}, "label"),
    ({"label": "", "pattern": "x"}, "label must be"),
    ({"label": "X", "pattern": ""}, "pattern must be"),
    ({"label": "X", "pattern": "x", "id": 3}, "id must be"),
    ({"label": "X", "pattern": [{"LOWR": "x"}]}, "E331"),
])
def test_bad_patterns_are_coded_errors_and_add_nothing(nlp, bad, detail):
    ruler = nlp.add_pipe("span_ruler")
    with pytest.raises(HeronValueError, match=rf"\[E987\] Span ruler pattern 1 .*{detail}"):
        ruler.add_patterns([{"label": "OK", "pattern": "fine"}, bad])
    assert len(ruler) == 0


def test_validate_checks_value_types(nlp):
    ruler = nlp.add_pipe("span_ruler", config={"validate": True})
    with pytest.raises(HeronValueError, match=r"\[E987\].*E333"):
        ruler.add_patterns([{"label": "X", "pattern": [{"LOWER": 1}]}])


def test_phrase_matcher_attr(nlp):
    ruler = nlp.add_pipe("span_ruler", config={"phrase_matcher_attr": "LOWER"})
    ruler.add_patterns([{"label": "ORG", "pattern": "apple"}])
    assert spans(nlp("APPLE and Apple")) == [("APPLE", "ORG", ""), ("Apple", "ORG", "")]


def test_overwrite_and_spans_filter(nlp):
    ruler = nlp.add_pipe("span_ruler", config={"overwrite": False})
    ruler.add_patterns(PATTERNS)
    doc = nlp.make_doc(TEXT)
    doc.spans["ruler"] = [Span(doc, 6, 7, label="TIME")]
    assert [s[1] for s in spans(ruler(doc))] == ["TIME", "ORG", "CITY", "GPE", "PLACE"]
    doc = nlp.make_doc(TEXT)
    doc.spans["ruler"] = [Span(doc, 6, 7, label="TIME")]
    ruler.overwrite = True
    assert "TIME" not in [s[1] for s in spans(ruler(doc))]
    filtered = heron.blank("en")
    ruler = filtered.add_pipe("span_ruler", config={
        "spans_filter": {"@misc": "heron.first_longest_spans_filter.v1"}})
    ruler.add_patterns(PATTERNS)
    assert spans(filtered(TEXT)) == [("Apple", "ORG", ""), ("San Francisco", "CITY", "")]


def test_annotate_ents_only(nlp):
    ruler = nlp.add_pipe("span_ruler", config={"annotate_ents": True, "spans_key": None})
    ruler.add_patterns(PATTERNS)
    doc = nlp(TEXT)
    # Non-overlapping, longest first then leftmost: "San Francisco" beats "Francisco Bay".
    assert ents(doc) == [("Apple", "ORG"), ("San Francisco", "CITY")]
    assert "ruler" not in doc.spans and ruler.key is None


@pytest.mark.parametrize("ents_filter,overwrite,want", [
    ("heron.first_longest_spans_filter.v1", True, [("Apple", "ORG"), ("San Francisco", "CITY")]),
    ("heron.prioritize_existing_ents_filter.v1", False, [("Apple", "ORG"), ("Francisco Bay", "OLD")]),
    ("heron.prioritize_new_ents_filter.v1", False, [("Apple", "ORG"), ("San Francisco", "CITY")]),
])
def test_ents_filters(nlp, ents_filter, overwrite, want):
    ruler = nlp.add_pipe("span_ruler", config={"annotate_ents": True, "overwrite": overwrite,
                                               "ents_filter": {"@misc": ents_filter}})
    ruler.add_patterns(PATTERNS[:3])
    doc = nlp.make_doc(TEXT)
    doc.ents = [Span(doc, 4, 6, label="OLD")]
    assert ents(ruler(doc)) == want
    assert spans(doc) == [("Apple", "ORG", ""), ("San Francisco", "CITY", ""), ("San Francisco", "GPE", "sf")]


def test_filters_directly():
    doc = heron.blank("en").make_doc("a b c d e")
    existing = [Span(doc, 3, 4, label="E")]
    new = [Span(doc, 0, 2, label="N"), Span(doc, 1, 4, label="L")]
    assert [(s.start, s.end) for s in first_longest_spans_filter(existing, new)] == [(1, 4)]
    assert [(s.start, s.end) for s in prioritize_new_ents_filter(existing, new)] == [(1, 4)]
    assert [(s.start, s.end) for s in prioritize_existing_ents_filter(existing, new)] == [(3, 4), (0, 2)]


def test_an_overlapping_ents_filter_is_a_coded_error(nlp):
    ruler = nlp.add_pipe("span_ruler", config={"annotate_ents": True})
    ruler.ents_filter = lambda existing, new: list(new)  # keeps overlaps
    ruler.add_patterns(PATTERNS)
    with pytest.raises(HeronValueError, match=r"\[E990\].*'San Francisco'.*ents_filter"):
        nlp(TEXT)


def test_spans_key_null_needs_annotate_ents(nlp):
    with pytest.raises(HeronValueError, match=r"\[E991\].*spans_key.*annotate_ents"):
        nlp.add_pipe("span_ruler", config={"spans_key": None})


def test_initialize_replaces_patterns_only_when_given(nlp, ruler):
    nlp.initialize()
    assert ruler.patterns == PATTERNS  # spaCy would have cleared them
    ruler.initialize(lambda: [], nlp=nlp, patterns=[{"label": "X", "pattern": "today"}])
    assert spans(nlp(TEXT)) == [("today", "X", "")]


def test_save_and_load(nlp, ruler, tmp_path):
    nlp.to_disk(tmp_path / "p")
    lines = (tmp_path / "p" / "span_ruler" / "patterns.jsonl").read_text(encoding="utf8").splitlines()
    assert [json.loads(line) for line in lines] == PATTERNS
    loaded = heron.load(tmp_path / "p")
    assert spans(loaded(TEXT)) == spans(nlp(TEXT))
    again = Language.from_config(nlp.config).from_bytes(nlp.to_bytes())
    assert again.get_pipe("span_ruler").patterns == PATTERNS
    # A lone .jsonl file works too, both ways.
    ruler.to_disk(tmp_path / "patterns.jsonl")
    other = heron.blank("en").add_pipe("span_ruler").from_disk(tmp_path / "patterns.jsonl")
    assert other.patterns == PATTERNS


def test_bad_files_are_coded_errors(nlp, ruler, tmp_path):
    path = tmp_path / "patterns.jsonl"
    path.write_text('{"label": "X", "pattern": "x"}\n{not json\n', encoding="utf8")
    with pytest.raises(DataError, match=rf"\[E989\].*{path.name}, line 2"):
        ruler.from_disk(path)
    bad = {"label": "X", "pattern": [{"LOWER": {"REGEX": "^(a+)+$"}}]}
    path.write_text(json.dumps(bad) + "\n", encoding="utf8")
    with pytest.raises(HeronValueError, match=r"\[E110\].*span_ruler.*entry 0"):
        ruler.from_disk(path)
    with pytest.raises(HeronValueError, match="E110"):
        ruler.from_bytes(json.dumps({"patterns": [bad]}).encode())
    with pytest.raises(DataError, match=r"\[E989\]"):
        ruler.from_bytes(b"not json")
    assert ruler.patterns == PATTERNS  # a refused load changes nothing


def test_score(nlp, ruler):
    reference = Doc(nlp.vocab, words=TEXT.split())
    reference.spans["ruler"] = [Span(reference, 0, 1, label="ORG"), Span(reference, 3, 5, label="CITY"),
                                Span(reference, 6, 7, label="TIME")]
    scores = ruler.score([Example(nlp(TEXT), reference)])
    assert scores["spans_ruler_p"] == pytest.approx(2 / 4) and scores["spans_ruler_r"] == pytest.approx(2 / 3)
    assert scores["spans_ruler_per_type"]["ORG"]["f"] == 1.0 and scores["spans_ruler_per_type"]["TIME"]["r"] == 0.0
    assert nlp.get_pipe_meta("span_ruler").default_score_weights["spans_ruler_f"] == 1.0
