"""English tokenization where users rely on spaCy's conventions (issue 19, item 7).

Each expected split below was checked against `spacy.blank("en")` 3.8 (the slow test at
the end re-checks the ones marked SAME_AS_SPACY with spaCy itself). Where heron keeps
EWT's convention or keeps a URL whole that spaCy cuts at a "/", the case says so.
"""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

import heron

from .conftest import orths

PEERS_PYTHON = Path(__file__).resolve().parents[2] / ".venv-peers" / "bin" / "python"

SAME_AS_SPACY = [
    # repeated brackets and double quotes split into single characters
    ("((hello))", ["(", "(", "hello", ")", ")"]),
    ("[[x]]", ["[", "[", "x", "]", "]"]),
    ("{{template}}", ["{", "{", "template", "}", "}"]),
    ('""quoted""', ['"', '"', "quoted", '"', '"']),
    ("““smart””", ["“", "“", "smart", "”", "”"]),
    ("«« x »»", ["«", "«", "x", "»", "»"]),
    ('(("x"))', ["(", "(", '"', "x", '"', ")", ")"]),
    ("a))))", ["a", ")", ")", ")", ")"]),
    ("((", ["(", "("]),
    ("))!", [")", ")", "!"]),
    # asterisks glued to a word split one by one
    ("**bold**", ["*", "*", "bold", "*", "*"]),
    ("***update***", ["*", "*", "*", "update", "*", "*", "*"]),
    ("b****", ["b", "*", "*", "*", "*"]),
    # the Penn closing quote stays one token
    ("''", ["''"]),
    ("’’", ["’’"]),
    # punctuation glued before a URL or an e-mail address splits off
    ("see:http://example.com", ["see", ":", "http://example.com"]),
    ("at:www.example.com", ["at", ":", "www.example.com"]),
    ("see<www.x.com", ["see", "<", "www.x.com"]),
    ("#http://x.com/a", ["#", "http://x.com/a"]),
    ("#john@x.com", ["#", "john@x.com"]),
    ("(https://x.org)", ["(", "https://x.org", ")"]),
    ('"john@x.com"', ['"', "john@x.com", '"']),
    ("((john@x.com))", ["(", "(", "john@x.com", ")", ")"]),
    ("**www.x.com**", ["*", "*", "www.x.com", "*", "*"]),
    # an abbreviation or initialism keeps its dot before ! and ?
    ("U.K.!", ["U.K.", "!"]),
    ("U.S.?", ["U.S.", "?"]),
    ("U.S.A.!", ["U.S.A.", "!"]),
    ("e.g.!", ["e.g.", "!"]),
    ("Dr.!", ["Dr.", "!"]),
    ('"U.K.!"', ['"', "U.K.", "!", '"']),
    # modal + 've
    ("would've", ["would", "'ve"]),
    ("should've", ["should", "'ve"]),
    ("could've", ["could", "'ve"]),
    ("might've", ["might", "'ve"]),
    ("must've", ["must", "'ve"]),
    ("Would've", ["Would", "'ve"]),
    ("would’ve", ["would", "’ve"]),
    ("wouldn't've", ["would", "n't", "'ve"]),
    ("I'd've", ["I", "'d", "'ve"]),
]

HERON_ONLY = [
    # A chunk of asterisks alone (a separator line, a footnote mark) stays one token as
    # in EWT; spaCy splits it too ("*" "*" ...).
    ("*****", ["*****"]),
    ("** note **", ["**", "note", "**"]),
    # The rest of the chunk after glued punctuation is one URL (spaCy cuts it at "/").
    ("URL:http://www.example.com/path?q=1", ["URL", ":", "http://www.example.com/path?q=1"]),
    ("see:http://x.com/a/b", ["see", ":", "http://x.com/a/b"]),
    # A colon glued before an address splits (spaCy reads "Email:jo" as a user name).
    ("Email:john@example.com", ["Email", ":", "john@example.com"]),
    # "mailto:" belongs to its URL, inside brackets too (EWT).
    ("<mailto:jo@x.org>", ["<", "mailto:jo@x.org", ">"]),
    ("mailto:jo@x.org", ["mailto:jo@x.org"]),
    # EWT conventions kept: a word's own ".?" and runs of "!" / "<<" / "--"
    ("room.?", ["room", ".?"]),
    ("wow!!!", ["wow", "!!!"]),
    ("<<", ["<<"]),
    ("--", ["--"]),
    ("``hello''", ["``", "hello", "''"]),
    # a dash run is not cut into special cases ("-----" is not "--" "---")
    ("=-----", ["=", "-----"]),
]


@pytest.mark.parametrize("text,expected", SAME_AS_SPACY + HERON_ONLY)
def test_english_conventions(en_tokenizer, text, expected):
    assert orths(en_tokenizer, text) == expected


def test_modal_have_norms(en_tokenizer):
    doc = en_tokenizer("WOULDN’T’VE wouldve")
    assert [t.text for t in doc] == ["WOULD", "N’T", "’VE", "would", "ve"]
    assert [t.norm_ for t in doc] == ["would", "not", "have", "would", "have"]


def test_explain_labels_the_url_after_an_infix(en_tokenizer):
    assert en_tokenizer.explain("see:http://x.com/a") == [
        ("TOKEN", "see"), ("INFIX", ":"), ("URL_MATCH", "http://x.com/a")]


def test_rules_survive_serialisation(en_tokenizer):
    nlp = heron.blank("en")
    nlp.tokenizer.from_bytes(en_tokenizer.to_bytes())
    assert [t.text for t in nlp("**x** see:http://x.com U.K.!")] == [
        "*", "*", "x", "*", "*", "see", ":", "http://x.com", "U.K.", "!"]


@pytest.mark.slow
@pytest.mark.skipif(not PEERS_PYTHON.exists(), reason="needs .venv-peers (make bench-peers)")
def test_same_as_spacy_itself(en_tokenizer):
    script = ("import json, sys, spacy\nnlp = spacy.blank('en')\n"
              "print(json.dumps([[t.text for t in nlp(s)] for s in json.loads(sys.argv[1])]))")
    texts = [text for text, _ in SAME_AS_SPACY]
    result = subprocess.run([str(PEERS_PYTHON), "-c", script, json.dumps(texts)],
                            capture_output=True, text=True, timeout=300)
    if result.returncode != 0 or "No module named 'spacy'" in result.stderr:
        pytest.skip(f"spaCy not usable in .venv-peers: {result.stderr[-200:]}")
    assert json.loads(result.stdout) == [orths(en_tokenizer, text) for text in texts]
