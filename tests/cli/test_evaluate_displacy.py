"""The evaluation pages (heron.displacy's render_parses/render_entities) and `heron evaluate`
on a parsing pipeline: UAS/LAS, the per-label LAS table, and --displacy-path writing
parses.html next to entities.html. displacy.render itself: tests/test_displacy*.py."""
import json
import xml.etree.ElementTree as ET

import pytest
from typer.testing import CliRunner

import heron
import heron.cli.evaluate  # noqa: F401  (registers the command)
from heron import displacy
from heron.cli._app import app
from heron.displacy.dep import arc_levels
from heron.errors import HeronError
from heron.tokens import Doc, DocBin

SVG = "{http://www.w3.org/2000/svg}"
# Two sentences; words and labels that need escaping, a control character and a lone
# surrogate (a Doc may hold any str; the page must stay valid UTF-8 and XML).
WORDS = ["<b>Tom</b>", "&", "Ann", "run", ".", "Bye", "\x07\ud800"]
HEADS = [3, 0, 0, 3, 3, 5, 5]
DEPS = ["nsubj", "cc", "conj", "ROOT", "punct", "ROOT", 'x"<y>']
TAGS = ["NNP", "CC", "NNP", "VBP", ".", "UH", "<XX>"]


@pytest.fixture
def parsed(en_vocab):
    return Doc(en_vocab, words=WORDS, heads=HEADS, deps=DEPS, tags=TAGS)


def parse_page(page: str) -> ET.Element:
    page.encode("utf8")  # no lone surrogates left
    return ET.fromstring(page)  # well-formed XML (and HTML5: <!DOCTYPE html>, <meta .../>)


def assert_self_contained(page: str) -> None:
    for needle in ("<script", "href=", "src=", "url(", "@import", "<link", "<img"):
        assert needle not in page


def test_parses_page_is_well_formed_escaped_and_labelled(en_vocab, parsed):
    unparsed = Doc(en_vocab, words=["no", "parse"])
    page = displacy.render_parses([parsed, unparsed], title="a <title>")
    root = parse_page(page)
    assert page.startswith("<!DOCTYPE html>") and root.find("head/title").text == "a <title>"
    assert_self_contained(page)
    svgs = root.findall(f".//{SVG}svg")
    assert len(svgs) == 3  # two sentences, then the unparsed Doc as one piece
    texts = [t.text for svg in svgs for t in svg.iter(f"{SVG}text")]
    words = [t.text for svg in svgs for t in svg.iter(f"{SVG}text") if t.get("class") == "word"]
    assert words == ["<b>Tom</b>", "&", "Ann", "run", ".", "Bye", "\ufffd\ufffd", "no", "parse"]
    assert "<XX>" in texts and "NNP" in texts  # the tag row
    labels = [t.text for svg in svgs for t in svg.iter(f"{SVG}text") if t.get("class") == "label"]
    assert sorted(labels) == sorted(d for d, h, i in zip(DEPS, HEADS, range(7)) if h != i)
    roots = [t.text for svg in svgs for t in svg.iter(f"{SVG}text") if t.get("class") == "root"]
    assert roots == ["ROOT", "ROOT"]
    assert "&lt;b&gt;Tom&lt;/b&gt;" in page and "x&quot;&lt;y&gt;" in page  # escaped, not markup
    # one arc (a path and an arrowhead) per non-root token of each sentence
    arcs = [len(svg.findall(f"{SVG}g")) for svg in svgs]
    assert arcs == [4, 1, 0]


def test_standalone_svg_and_entities(parsed):
    svg = displacy.render_dep_svg(parsed[0:5])
    assert ET.fromstring(svg).tag == f"{SVG}svg"
    parsed.ents = [parsed.char_span(0, len(WORDS[0]), label="P<ER>")]
    markup = displacy.render_ent_markup(parsed)
    assert "P&lt;ER&gt;" in markup and "&lt;b&gt;Tom&lt;/b&gt;" in markup
    parse_page(displacy.render_entities([parsed]))
    with pytest.raises(HeronError, match=r"\[E425\].*'tree'"):
        displacy.render(parsed, style="tree")


def test_arc_levels_stack_nested_arcs():
    # (head, dependent): 0->1 and 2->3 sit inside 0->3, which sits inside 4->0
    assert arc_levels([(0, 1), (0, 3), (2, 3), (4, 0)]) == [1, 2, 1, 3]
    assert arc_levels([]) == []


CODE = '''
from heron.pipeline import Pipe
from heron.registry import registry
from heron.scorer import score_parser


class ChainParser(Pipe):
    """Attaches every token to the one before it (a fixed 'parse' for tests)."""

    def __call__(self, doc):
        for token in doc:
            token.head = doc[max(token.i - 1, 0)]
            token.dep_ = "ROOT" if token.i == 0 else "dep"
        return doc

    def score(self, examples, **kwargs):
        return score_parser(examples, **kwargs)


@registry.factory("test_chain_parser", default_config={})
def make_chain_parser(nlp, name):
    return ChainParser(name)
'''


def test_evaluate_cli_scores_and_draws_parses(tmp_path):
    code = tmp_path / "chain.py"
    code.write_text(CODE, encoding="utf8")
    heron.config.import_code(code)
    nlp = heron.blank("en")
    nlp.add_pipe("test_chain_parser")
    nlp.to_disk(tmp_path / "model")
    gold = Doc(nlp.vocab, words=["Ada", "codes", "fast"], heads=[1, 1, 1], deps=["nsubj", "ROOT", "advmod"])
    DocBin(docs=[gold]).to_disk(tmp_path / "dev.heron")
    viz = tmp_path / "viz"
    result = CliRunner().invoke(app, ["evaluate", str(tmp_path / "model"), str(tmp_path / "dev.heron"),
                                      "--code", str(code), "--output", str(tmp_path / "scores.json"),
                                      "--displacy-path", str(viz)])
    assert result.exit_code == 0, result.output
    # chain: Ada root (gold: codes), codes->Ada (gold: root), fast->codes (right head, wrong label)
    scores = json.loads((tmp_path / "scores.json").read_text())
    assert scores["dep_uas"] == pytest.approx(1 / 3) and scores["dep_las"] == 0.0
    assert "UAS" in result.output and "LAS (per type)" in result.output and "advmod" in result.output
    page = (viz / "parses.html").read_text(encoding="utf8")
    parse_page(page)
    assert_self_contained(page)
    assert ">fast</text>" in page and ">dep</text>" in page and ">ROOT</text>" in page
    parse_page((viz / "entities.html").read_text(encoding="utf8"))
