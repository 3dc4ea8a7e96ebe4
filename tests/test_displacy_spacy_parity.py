"""heron.displacy draws what spaCy's displaCy draws: the same script renders the same
hand-built Doc (and manual dicts) with each library, over every style and many options,
and the markup must match character for character (the random arc-id prefix aside).

Slow; skipped without spaCy in .venv-peers (`make bench-peers`). Left out on purpose:
Spans drawn as Docs (heron's Span.as_doc makes a token whose head lies outside the span
a root; spaCy attaches it to the span's root as "dep"), right-to-left entity pages (heron
uses displaCy's right-to-left template; spaCy 3.8 never does) and labels or text that
need escaping beyond spaCy's (spaCy leaves labels, tags and titles unescaped).
"""
import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

PEER_PYTHON = Path(__file__).resolve().parent.parent / ".venv-peers" / "bin" / "python"

SCRIPT = r'''
import json, re, sys, warnings
warnings.simplefilter("ignore")
if sys.argv[1] == "spacy":
    import spacy as lib
    from spacy import displacy
    from spacy.tokens import Doc, Span
else:
    import heron as lib
    from heron import displacy
    from heron.tokens import Doc, Span
nlp = lib.blank("en")
WORDS = ["Ada", "Lovelace", "wrote", "the", "first", "program", "in", "London", ",", "1843", "!", "!"]
HEADS = [1, 2, 2, 5, 5, 2, 2, 6, 2, 2, 2, 2]
DEPS = ["compound", "nsubj", "ROOT", "det", "amod", "dobj", "prep", "pobj", "punct", "npadvmod", "punct", "punct"]
POS = ["PROPN", "PROPN", "VERB", "DET", "ADJ", "NOUN", "ADP", "PROPN", "PUNCT", "NUM", "PUNCT", "PUNCT"]
TAGS = ["NNP", "NNP", "VBD", "DT", "JJ", "NN", "IN", "NNP", ",", "CD", ".", "."]
LEMMAS = ["Ada", "Lovelace", "write", "the", "first", "program", "in", "London", ",", "1843", "!", "!"]
doc = Doc(nlp.vocab, words=WORDS, heads=HEADS, deps=DEPS, pos=POS, tags=TAGS, lemmas=LEMMAS)
doc.ents = [Span(doc, 0, 2, label="PERSON", kb_id="Q7259"), Span(doc, 7, 8, label="GPE"),
            Span(doc, 9, 10, label="DATE")]
doc.spans["sc"] = [Span(doc, 0, 2, label="PERSON"), Span(doc, 1, 6, label="CLAIM"), Span(doc, 3, 6, label="NP"),
                   Span(doc, 7, 8, label="GPE", kb_id="Q84")]
doc.user_data["title"] = "A title"
plain = Doc(nlp.vocab, words=["Hello", "\n", "<world>", "&", "more"])
out = {}
DEP_OPTIONS = [{}, {"compact": True}, {"collapse_punct": False}, {"fine_grained": True, "add_lemma": True},
               {"collapse_phrases": True},
               {"distance": 100, "color": "#123", "bg": "#eee", "font": "Courier", "offset_x": 20, "arrow_stroke": 3,
                "arrow_width": 8, "arrow_spacing": 10, "word_spacing": 30}]
for k, options in enumerate(DEP_OPTIONS):
    out[f"dep{k}"] = displacy.render(doc, style="dep", options=options, jupyter=False)
    # spaCy can't collapse the phrases of an unparsed Doc (E029; heron draws its words)
    second = doc if options.get("collapse_phrases") else plain
    out[f"dep_page{k}"] = displacy.render([doc, second], style="dep", options=options, page=True, jupyter=False)
ENT_OPTIONS = [{}, {"ents": ["GPE"]}, {"colors": {"gpe": "red"}}, {"kb_url_template": "https://kb.org/{}"},
               {"template": "<b style='{bg}'>{text}:{label}{kb_link}</b>"}]
for k, options in enumerate(ENT_OPTIONS):
    out[f"ent{k}"] = displacy.render([doc, plain], style="ent", options=options, page=True, jupyter=False)
    out[f"ent_min{k}"] = displacy.render(doc, style="ent", options=options, minify=True, jupyter=False)
SPAN_OPTIONS = [{}, {"colors": {"CLAIM": "green"}}, {"kb_url_template": "u/{}", "top_offset": 30,
                "span_label_offset": 10, "top_offset_step": 9}]
for k, options in enumerate(SPAN_OPTIONS):
    out[f"span{k}"] = displacy.render([doc, plain], style="span", options=options, page=True, jupyter=False)
out["manual_dep"] = displacy.render(
    [{"words": [{"text": "a", "tag": "X"}, {"text": "b", "tag": "Y", "lemma": "bb"}, {"text": "c", "tag": "Z"}],
      "arcs": [{"start": 0, "end": 2, "label": "l1", "dir": "left"}, {"start": 1, "end": 2, "label": "l2",
                "dir": "right"}], "title": "T"}], style="dep", manual=True, page=True, jupyter=False)
out["manual_ent"] = displacy.render(
    {"text": "But Google is starting\nfrom behind.", "settings": {"lang": "de"}, "title": None,
     "ents": [{"start": 28, "end": 34, "label": "DIR"}, {"start": 4, "end": 10, "label": "ORG", "kb_id": "Q95",
               "kb_url": "x"}]}, style="ent", manual=True, page=True, jupyter=False)
out["manual_span"] = displacy.render(
    {"text": "Welcome to the Bank of China.", "tokens": ["Welcome", "to", "the", "Bank", "of", "China", "."],
     "spans": [{"start_token": 3, "end_token": 6, "label": "ORG"}, {"start_token": 5, "end_token": 6,
                "label": "GPE"}]}, style="span", manual=True, jupyter=False)
json.dump({key: re.sub(r"[0-9a-f]{32}", "ID", markup) for key, markup in out.items()}, sys.stdout)
'''


def rendered_by(python: str, lib: str, tmp_path: Path) -> dict:
    script = tmp_path / "render_all.py"
    script.write_text(SCRIPT, encoding="utf8")
    result = subprocess.run([python, str(script), lib], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_markup_matches_spacy(tmp_path):
    if not PEER_PYTHON.exists():
        pytest.skip("needs spaCy in .venv-peers (make bench-peers)")
    spacy_out = rendered_by(str(PEER_PYTHON), "spacy", tmp_path)
    heron_out = rendered_by(sys.executable, "heron", tmp_path)
    assert set(heron_out) == set(spacy_out)
    different = [key for key in spacy_out if heron_out[key] != spacy_out[key]]
    assert not different, f"{different}: first difference in {different[0]}:\n" + _first_difference(
        spacy_out[different[0]], heron_out[different[0]])


def _first_difference(expected: str, got: str) -> str:
    at = next((i for i, (a, b) in enumerate(zip(expected, got)) if a != b), min(len(expected), len(got)))
    return f"spaCy: {expected[max(0, at - 80):at + 80]!r}\nheron: {got[max(0, at - 80):at + 80]!r}"
