"""heron.displacy.render: the three styles from Docs and Spans, spaCy's options, page and
minify, and the parse_* helpers. Manual dicts, escaping, errors and Jupyter:
test_displacy_manual.py; the web server: test_displacy_serve.py."""
import re
import warnings
import xml.etree.ElementTree as ET

import pytest

from heron import displacy
from heron.errors import HeronWarning
from heron.tokens import Doc, Span

SVG = "{http://www.w3.org/2000/svg}"
WORDS = ["Ada", "Lovelace", "wrote", "the", "first", "program", "in", "London", "!", "!"]
HEADS = [1, 2, 2, 5, 5, 2, 2, 6, 2, 2]
DEPS = ["compound", "nsubj", "ROOT", "det", "amod", "dobj", "prep", "pobj", "punct", "punct"]
POS = ["PROPN", "PROPN", "VERB", "DET", "ADJ", "NOUN", "ADP", "PROPN", "PUNCT", "PUNCT"]
TAGS = ["NNP", "NNP", "VBD", "DT", "JJ", "NN", "IN", "NNP", ".", "."]
LEMMAS = ["Ada", "Lovelace", "write", "the", "first", "program", "in", "London", "!", "!"]


@pytest.fixture
def doc(en_vocab):
    doc = Doc(en_vocab, words=WORDS, heads=HEADS, deps=DEPS, pos=POS, tags=TAGS, lemmas=LEMMAS)
    doc.ents = [Span(doc, 0, 2, label="PERSON", kb_id="Q7259"), Span(doc, 7, 8, label="GPE")]
    doc.spans["sc"] = [Span(doc, 0, 2, label="PERSON"), Span(doc, 1, 6, label="CLAIM"), Span(doc, 3, 6, label="NP")]
    return doc


def svg_tree(markup: str) -> ET.Element:
    return ET.fromstring(markup)  # one well-formed <svg>


def of_class(root: ET.Element, tag: str, cls: str) -> list:
    return [el for el in root.iter(f"{SVG}{tag}") if el.get("class") == cls]


def test_dep_draws_words_tags_and_one_labelled_arc_per_dependent(doc):
    root = svg_tree(displacy.render(doc, style="dep"))
    # collapse_punct (on by default) folds "! !" into "London": 8 words, 7 non-root words
    assert [w.text for w in of_class(root, "tspan", "displacy-word")] == WORDS[:7] + ["London ! !"]
    assert [t.text for t in of_class(root, "tspan", "displacy-tag")] == POS[:8]
    assert len(of_class(root, "path", "displacy-arc")) == len(of_class(root, "path", "displacy-arrowhead")) == 7
    labels = [t.text for t in of_class(root, "textPath", "displacy-label")]
    assert sorted(labels) == sorted(["compound", "nsubj", "det", "amod", "dobj", "prep", "pobj"])
    assert root.get("width") == str(50 + 8 * 175)  # offset_x + words * distance
    assert len(doc) == 10  # the Doc itself is not retokenized


def test_dep_options(doc):
    root = svg_tree(displacy.render(doc, style="dep", options={"collapse_punct": False, "fine_grained": True,
                                                               "add_lemma": True, "distance": 100}))
    assert [w.text for w in of_class(root, "tspan", "displacy-word")] == WORDS
    assert [t.text for t in of_class(root, "tspan", "displacy-tag")] == TAGS
    assert [t.text for t in of_class(root, "tspan", "displacy-lemma")] == LEMMAS
    assert root.get("width") == str(50 + 10 * 100)
    assert len(of_class(root, "path", "displacy-arc")) == 9
    curved = of_class(root, "path", "displacy-arc")[0].get("d")
    square = of_class(svg_tree(displacy.render(doc, style="dep", options={"compact": True})), "path", "displacy-arc")
    assert " C" in curved and all(" C" not in arc.get("d") for arc in square)
    styled = svg_tree(displacy.render(doc, style="dep", options={"color": "#123", "bg": "#eee", "font": "Courier"}))
    assert "color: #123; background: #eee; font-family: Courier" in styled.get("style")
    stroked = svg_tree(displacy.render(doc, style="dep", options={"arrow_stroke": 5}))
    assert of_class(stroked, "path", "displacy-arc")[0].get("stroke-width") == "5px"


def test_dep_collapse_phrases_merges_noun_chunks(doc):
    root = svg_tree(displacy.render(doc, style="dep", options={"collapse_phrases": True}))
    words = [w.text for w in of_class(root, "tspan", "displacy-word")]
    assert "Ada Lovelace" in words and "the first program" in words


def test_arcs_nested_inside_others_sit_lower(doc):
    parsed = displacy.parse_deps(doc)
    levels = displacy.DependencyRenderer().get_levels(parsed["arcs"])
    assert levels[(3, 5, "det")] == 2 and levels[(4, 5, "amod")] == 1  # "the" spans over "first"
    assert levels[(2, 5, "dobj")] == 3


def test_a_span_is_drawn_as_its_own_doc(doc):
    root = svg_tree(displacy.render(doc[3:6], style="dep"))
    assert [w.text for w in of_class(root, "tspan", "displacy-word")] == ["the", "first", "program"]
    assert sorted(t.text for t in of_class(root, "textPath", "displacy-label")) == ["amod", "det"]


def test_page_holds_one_figure_per_document_with_unique_ids(doc):
    page = displacy.render([doc, doc, doc[0:3]], style="dep", page=True)
    assert page.startswith("<!DOCTYPE html>") and page.count("<figure") == 3
    ids = re.findall(r'<svg [^>]* id="([^"]+)"', page)
    assert len(set(ids)) == 3
    arc_ids = re.findall(r'<path class="displacy-arc" id="([^"]+)"', page)
    assert len(arc_ids) == len(set(arc_ids)) == 7 + 7 + 2  # labels find their arcs by id
    assert '<html lang="en">' in page


def test_minify_drops_newlines_and_indentation(doc):
    markup = displacy.render(doc, style="ent", minify=True)
    assert "\n" not in markup and "    " not in markup and markup.count("<mark") == 2


def test_ent_marks_entities_with_labels_colours_and_links(doc):
    markup = displacy.render(doc, style="ent")
    marks = re.findall(r'<mark class="entity" style="background: ([^;]+);.*?>\s*(.*?)\s*<span[^>]*>(\w+)', markup,
                       re.S)
    assert marks == [("#aa9cfc", "Ada Lovelace", "PERSON"), ("#feca74", "London", "GPE")]
    assert 'href="#">Q7259</a>' in markup  # no kb_url_template: the id links nowhere (as in spaCy)
    linked = displacy.render(doc, style="ent", options={"kb_url_template": "https://www.wikidata.org/wiki/{}"})
    assert 'href="https://www.wikidata.org/wiki/Q7259">Q7259</a>' in linked
    coloured = displacy.render(doc, style="ent", options={"colors": {"gpe": "green"}, "ents": ["gpe"]})
    assert coloured.count("<mark") == 1 and "background: green" in coloured and "PERSON" not in coloured
    assert 'ltr">Ada Lovelace wrote' in coloured  # an entity left out stays plain text


def test_ent_title_newlines_and_custom_template(en_vocab):
    doc = Doc(en_vocab, words=["Hi", "\n", "Bob"], spaces=[False, False, False])
    doc.ents = [Span(doc, 2, 3, label="PERSON")]
    doc.user_data["title"] = "Greeting"
    markup = displacy.render(doc, style="ent", options={"template": "[{text}|{label}|{bg}]"})
    assert markup.startswith('<h2 style="margin: 0">Greeting</h2>')
    assert "Hi<br>[Bob|PERSON|#aa9cfc]" in markup


def test_span_stacks_overlapping_spans(doc):
    markup = displacy.render(doc, style="span")
    starts = re.findall(r"top: (\d+)px; height: 4px; border-top-left-radius[^>]*>\s*<span[^>]*>\s*(\w+)", markup)
    # PERSON starts first (slot 1), CLAIM opens under it (slot 2), NP under CLAIM (slot 3)
    assert starts == [("40", "PERSON"), ("57", "CLAIM"), ("74", "NP")]
    assert markup.count('<div class="spans"') == 1 and "wrote" in markup
    assert "background: #aa9cfc" in markup  # PERSON has a default colour, CLAIM the fallback #ddd
    custom = displacy.render(doc, style="span", options={"colors": {"claim": "pink"}, "top_offset": 10})
    assert "background: pink" in custom and "top: 10px" in custom


def test_span_key_option_and_missing_key_warning(doc):
    doc.spans["other"] = [Span(doc, 7, 8, label="CITY")]
    assert "CITY" in displacy.render(doc, style="span", options={"spans_key": "other"})
    with pytest.warns(HeronWarning, match=r"\[W632\].*'nope'.*'other', 'sc'"):
        displacy.render(doc, style="span", options={"spans_key": "nope"})


def test_parse_helpers_give_spacys_dict_formats(doc):
    deps = displacy.parse_deps(doc, {"collapse_punct": False})
    assert deps["words"][2] == {"text": "wrote", "tag": "VERB", "lemma": None}
    assert deps["arcs"][0] == {"start": 0, "end": 1, "label": "compound", "dir": "left"}
    assert deps["settings"] == {"lang": "en", "direction": "ltr"}
    ents = displacy.parse_ents(doc)
    assert ents["ents"][0] == {"start": 0, "end": 12, "label": "PERSON", "kb_id": "Q7259", "kb_url": "#"}
    assert ents["text"] == doc.text and ents["title"] is None
    spans = displacy.parse_spans(doc)
    assert spans["tokens"] == WORDS
    assert spans["spans"][1] == {"start": 4, "end": 36, "start_token": 1, "end_token": 6, "label": "CLAIM",
                                 "kb_id": "", "kb_url": "#"}


def test_warnings_for_nothing_to_draw(en_vocab, doc):
    plain = Doc(en_vocab, words=["no", "annotations"])
    with pytest.warns(HeronWarning, match=r"\[W630\]"):
        root = svg_tree(displacy.render(plain, style="dep"))
    assert [w.text for w in of_class(root, "tspan", "displacy-word")] == ["no", "annotations"]
    with pytest.warns(HeronWarning, match=r"\[W631\]"):
        assert "no annotations" in displacy.render(plain, style="ent")
    with pytest.warns(HeronWarning, match=r"\[W635\].*'colours'"):
        displacy.render(doc, style="dep", options={"colours": {}})


def test_render_wrapper(doc):
    try:
        displacy.set_render_wrapper(lambda html: f"<section>{html}</section>")
        assert displacy.render(doc, style="ent").startswith("<section><div")
    finally:
        displacy.set_render_wrapper(None)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a Doc with everything draws without warnings
        assert displacy.render(doc, style="ent").startswith("<div")
