"""heron.displacy.render with manual dicts (spaCy's formats), escaping of every value,
coded errors for wrong input, and Jupyter detection."""
import sys
import types
import xml.etree.ElementTree as ET

import pytest

from heron import displacy
from heron.errors import HeronError
from heron.tokens import Doc, Span

SCRIPT = "<script>alert(1)</script>"
QUOTE = '" onmouseover="alert(1)'

DEP = {"words": [{"text": "Ada", "tag": "PROPN"}, {"text": "codes", "tag": "VERB", "lemma": "code"},
                 {"text": "fast", "tag": "ADV"}],
       "arcs": [{"start": 0, "end": 1, "label": "nsubj", "dir": "left"},
                {"start": 1, "end": 2, "label": "advmod", "dir": "right"}],
       "title": "Manual parse"}
ENT = {"text": "But Google is starting from behind.",
       "ents": [{"start": 28, "end": 34, "label": "DIR"}, {"start": 4, "end": 10, "label": "ORG", "kb_id": "Q95",
                                                           "kb_url": "https://www.wikidata.org/wiki/Q95"}],
       "title": None}
SPAN = {"text": "Welcome to the Bank of China.", "tokens": ["Welcome", "to", "the", "Bank", "of", "China", "."],
        "spans": [{"start_token": 3, "end_token": 6, "label": "ORG"},
                  {"start_token": 5, "end_token": 6, "label": "GPE"}]}


def test_manual_dep_ent_and_span():
    svg = displacy.render(DEP, style="dep", manual=True)
    assert svg.startswith('<h2 style="margin: 0">Manual parse</h2>')
    root = ET.fromstring(svg[svg.index("<svg"):])
    assert len(root.findall(".//{http://www.w3.org/2000/svg}textPath")) == 2
    assert 'class="displacy-lemma"' in svg and ">code</tspan>" in svg  # lemma drawn where given
    ents = displacy.render(ENT, style="ent", manual=True)
    assert ents.index("Google") < ents.index("behind")  # drawn in text order
    assert [e["label"] for e in ENT["ents"]] == ["DIR", "ORG"]  # the caller's dict is not reordered
    assert 'href="https://www.wikidata.org/wiki/Q95">Q95</a>' in ents
    spans = displacy.render([SPAN, SPAN], style="span", manual=True, page=True)
    assert spans.count("<figure") == 2 and spans.count(">\n        ORG\n") == 2


def test_manual_settings_right_to_left_and_lang():
    rtl = dict(ENT, settings={"lang": "he", "direction": "rtl"})
    page = displacy.render(rtl, style="ent", manual=True, page=True)
    assert '<html lang="he">' in page and "direction: rtl" in page
    assert "margin-right: 0.5rem" in page  # the right-to-left entity template
    svg = displacy.render(dict(DEP, settings={"direction": "rtl"}), style="dep", manual=True)
    assert 'direction="rtl"' in svg and 'side="right"' in svg


def test_every_value_is_escaped(en_vocab):
    doc = Doc(en_vocab, words=[SCRIPT, "x"], heads=[1, 1], deps=[SCRIPT, "ROOT"], tags=[SCRIPT, "X"],
              pos=["X", "X"], lemmas=[SCRIPT, "x"])
    doc.ents = [Span(doc, 0, 1, label=SCRIPT, kb_id=QUOTE)]
    doc.spans["sc"] = [Span(doc, 0, 2, label=SCRIPT, kb_id=SCRIPT)]
    doc.user_data["title"] = SCRIPT
    outputs = [
        displacy.render(doc, style="dep", page=True, options={"fine_grained": True, "add_lemma": True,
                                                              "color": QUOTE, "font": SCRIPT}),
        displacy.render(doc, style="ent", page=True, options={"kb_url_template": "https://kb/{}",
                                                              "colors": {SCRIPT: QUOTE}}),
        displacy.render(doc, style="span", page=True, options={"kb_url_template": "{}", "colors": {SCRIPT: QUOTE}}),
        displacy.render({"text": SCRIPT, "ents": [{"start": 0, "end": 8, "label": SCRIPT, "kb_id": SCRIPT,
                                                   "kb_url": QUOTE, "params": {"bg": QUOTE}}], "title": SCRIPT},
                        style="ent", manual=True),
    ]
    for markup in outputs:
        assert "<script" not in markup and 'onmouseover="' not in markup
        assert "&lt;script&gt;" in markup
    # word, tag, lemma, arc label and the font option: each escaped in place
    assert outputs[0].count("&lt;script&gt;alert(1)&lt;/script&gt;") == 5
    assert "&quot; onmouseover=&quot;alert(1)" in outputs[1]


def test_unknown_style_and_wrong_objects(en_vocab):
    doc = Doc(en_vocab, words=["hi"])
    with pytest.raises(HeronError, match=r"\[E425\].*'tree'.*'dep', 'ent', 'span'"):
        displacy.render(doc, style="tree")
    with pytest.raises(HeronError, match=r"\[E630\].*docs\[0\] is a str"):
        displacy.render("some text")
    with pytest.raises(HeronError, match=r"\[E630\].*docs\[1\] is a int"):
        displacy.render([doc, 3], style="ent")
    with pytest.raises(HeronError, match=r"\[E631\].*docs\[0\] is a dict, which needs manual=True"):
        displacy.render(DEP, style="dep")
    with pytest.raises(HeronError, match=r"\[E631\].*docs\[1\] is a Doc, which needs manual=False"):
        displacy.render([DEP, doc], style="dep", manual=True)


@pytest.mark.parametrize("style,doc,match", [
    ("dep", {"words": []}, r"the dict has no 'arcs'"),
    ("dep", dict(DEP, arcs=[{"start": 1, "end": 0, "label": "x", "dir": "left"}]), r"arcs\[0\] has start=1, end=0"),
    ("dep", dict(DEP, arcs=[{"start": 0, "end": 3, "label": "x", "dir": "left"}]), r"end=3 with 3 words"),
    ("dep", dict(DEP, arcs=[{"start": 0, "end": 1, "label": "x", "dir": "up"}]), r"dir='up'"),
    ("dep", dict(DEP, words=["Ada"]), r"words\[0\] is a str"),
    ("ent", {"text": "abc", "ents": [{"start": 0, "end": 9, "label": "X"}]}, r"doesn't fit the text of 3"),
    ("ent", {"text": "abcdef", "ents": [{"start": 0, "end": 4, "label": "X"}, {"start": 2, "end": 5, "label": "Y"}]},
     r"overlaps the one before it"),
    ("ent", {"text": "abc", "ents": [{"start": 0, "label": "X"}]}, r"ents\[0\] has no 'end'"),
    ("span", {"tokens": ["a"], "spans": [{"start_token": 0, "end_token": 2, "label": "X"}]}, r"end_token=2 with 1"),
])
def test_malformed_manual_dicts(style, doc, match):
    with pytest.raises(HeronError, match=r"\[E632\].*" + match + r".*Fix: pass dicts of the form"):
        displacy.render(doc, style=style, manual=True)


@pytest.mark.parametrize("style,options,match", [
    ("dep", {"distance": "wide"}, r"\[E633\] displacy options\['distance'\] = 'wide': is not a number"),
    ("dep", {"compact": True, "offset_x": True}, r"\[E633\].*'offset_x'"),
    ("dep", {"color": 3}, r"\[E633\].*'color'\] = 3: is not a str"),
    ("ent", {"colors": ["red"]}, r"\[E633\].*'colors'.*is not a dict"),
    ("ent", {"ents": "ORG"}, r"\[E633\].*'ents'.*not a list of labels"),
    ("span", {"template": {"span": "{text}"}}, r"\[E633\].*'template'.*three templates"),
    ("ent", ["compact"], r"\[E633\].*options is a list"),
    ("ent", {"kb_url_template": "https://kb/{id}"}, r"\[E634\].*'https://kb/\{id\}'.*KeyError"),
    ("ent", {"template": "<b>{text}{score}</b>"}, r"\[E639\].*template.*KeyError: 'score'.*\{text\}"),
])
def test_bad_options(en_vocab, style, options, match):
    doc = Doc(en_vocab, words=["Ada", "codes"], heads=[1, 1], deps=["nsubj", "ROOT"])
    doc.ents = [Span(doc, 0, 1, label="PERSON", kb_id="Q7259")]
    with pytest.raises(HeronError, match=match):
        displacy.render(doc, style=style, options=options)


def test_bad_span_template_placeholder(en_vocab):
    doc = Doc(en_vocab, words=["Ada"])
    doc.spans["sc"] = [Span(doc, 0, 1, label="PERSON")]
    templates = {"span": "{text}{span_slices}{span_starts}", "slice": "", "start": "{label}{colour}"}
    with pytest.raises(HeronError, match=r"\[E639\].*template\['start'\].*'colour'"):
        displacy.render(doc, style="span", options={"template": templates})
    ok = dict(templates, start="<i>{label}</i>")
    assert displacy.render(doc, style="span", options={"templates": ok}).endswith("Ada<i>PERSON</i></div>")


def test_set_render_wrapper_needs_a_callable():
    with pytest.raises(HeronError, match=r"\[E638\].*got str"):
        displacy.set_render_wrapper("<div>")


class ZMQInteractiveShell:  # the class name is what a Jupyter kernel's shell is known by
    pass


@pytest.fixture
def fake_kernel(monkeypatch):
    """A stand-in IPython whose get_ipython() is a Jupyter kernel's shell; records display()."""
    shown = []
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = ZMQInteractiveShell  # type: ignore[attr-defined]
    display_module = types.ModuleType("IPython.display")
    display_module.HTML = lambda markup: ("HTML", markup)  # type: ignore[attr-defined]
    display_module.display = shown.append  # type: ignore[attr-defined]
    ipython.display = display_module  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    monkeypatch.setitem(sys.modules, "IPython.display", display_module)
    return shown


def test_jupyter_kernel_displays_instead_of_returning(fake_kernel):
    assert displacy.is_in_jupyter()
    assert displacy.render(DEP, style="dep", manual=True) is None
    (kind, markup), = fake_kernel
    assert kind == "HTML" and markup.startswith('<span class="tex2jax_ignore"><h2') and "nsubj" in markup
    assert displacy.render(DEP, style="dep", manual=True, jupyter=False).startswith("<h2")
    assert len(fake_kernel) == 1


def test_outside_jupyter(monkeypatch):
    monkeypatch.delitem(sys.modules, "google.colab", raising=False)
    ipython = types.ModuleType("IPython")
    ipython.get_ipython = lambda: None  # type: ignore[attr-defined]  # IPython imported, no shell running
    monkeypatch.setitem(sys.modules, "IPython", ipython)
    assert not displacy.is_in_jupyter()
    assert displacy.render(DEP, style="dep", manual=True).startswith("<h2")
    monkeypatch.setitem(sys.modules, "IPython.display", None)  # importing it fails
    with pytest.raises(HeronError, match=r"\[E635\]"):
        displacy.render(DEP, style="dep", manual=True, jupyter=True)
