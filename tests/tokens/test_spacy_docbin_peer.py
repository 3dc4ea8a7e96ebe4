"""SpacyDocBin against a live spaCy (slow): the bench peer venv's spaCy, run in a subprocess.

Skipped when /work/main/.venv-peers (made by `make bench-peers`) has no spaCy. Checks the
symbol table and MurmurHash64A against spaCy's, and round trips spaCy -> heron -> spaCy
and heron -> spaCy, comparing every annotation spaCy reads back.
"""
import json
import random
import subprocess
from pathlib import Path

import pytest

import heron
from heron.errors import HeronWarning
from heron.tokens import Doc, Span
from heron.tokens._spacy_hash import spacy_string_ids
from heron.tokens._spacy_symbols import SYMBOLS
from heron.tokens.spacy_docbin import SpacyDocBin

ROOT = Path(__file__).resolve().parents[2]
PEER_PYTHON = ROOT / ".venv-peers" / "bin" / "python"
FIXTURES = ROOT / "tests" / "fixtures" / "spacy"


def _has_spacy() -> bool:
    if not PEER_PYTHON.exists():
        return False
    return subprocess.run([str(PEER_PYTHON), "-c", "import spacy"], capture_output=True).returncode == 0


pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not _has_spacy(), reason="needs spaCy in .venv-peers (make bench-peers)")]

# Runs in the peer venv: describe(doc) from the fixture generator, for every Doc of each file given.
DESCRIBE = f"""
import json, sys
sys.path.insert(0, {str(FIXTURES)!r})
import spacy
from spacy.tokens import DocBin
from make_sample_spacy import describe, make_docs
if sys.argv[1] == "write":
    nlp = spacy.blank("en")
    DocBin(store_user_data=True, docs=make_docs(nlp.vocab)).to_disk(sys.argv[2])
else:
    out = [[describe(d) for d in DocBin().from_disk(p).get_docs(spacy.blank("en").vocab)] for p in sys.argv[2:]]
    print(json.dumps(out))
"""


def peer(code: str, *args) -> str:
    result = subprocess.run([str(PEER_PYTHON), "-c", code, *map(str, args)], capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_symbols_and_hash_match_spacy():
    rng = random.Random(0)
    alphabet = "abcXYZ019 .-_=|é中😀"
    strings = ["", "NOUN", "nsubj", "ROOT", "Number=Sing"] + [
        "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(2000)]
    code = ("import json, sys\nfrom spacy import symbols\nfrom spacy.strings import StringStore\n"
            "s = StringStore()\nstrings = json.loads(sys.stdin.read())\n"
            "print(json.dumps({'names': list(symbols.NAMES), 'ids': [s.add(x) for x in strings]}))")
    result = subprocess.run([str(PEER_PYTHON), "-c", code], input=json.dumps(strings), capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    spacy_view = json.loads(result.stdout)
    assert tuple(spacy_view["names"]) == SYMBOLS
    assert spacy_string_ids(strings).tolist() == spacy_view["ids"]


def test_spacy_to_heron_to_spacy_keeps_everything(tmp_path):
    original = tmp_path / "original.spacy"
    peer(DESCRIBE, "write", original)
    docbin = SpacyDocBin().from_disk(original)
    again = SpacyDocBin(store_user_data=True)
    with pytest.warns(HeronWarning, match="W520"):  # the numpy user_data value is not read
        for doc, flags in zip(docbin.get_docs(heron.blank("en").vocab), docbin.flags):
            again.add(doc, has_unknown_spaces=flags["has_unknown_spaces"])
    again.to_disk(tmp_path / "again.spacy")
    before, after = json.loads(peer(DESCRIBE, "read", original, tmp_path / "again.spacy"))
    assert len(before) == len(after) == 5
    for a, b in zip(before, after):
        a["user_data"].pop("'vector'", None)
        assert a == b


def test_heron_docs_read_by_spacy(tmp_path):
    vocab = heron.blank("en").vocab
    doc = Doc(vocab, words=["Ada", "Lovelace", "wrote", "NOUN", "code", "."],
              spaces=[True, True, True, True, False, False],
              tags=["NNP", "NNP", "VBD", "NN", "NN", "."], pos=["PROPN", "PROPN", "VERB", "NOUN", "NOUN", "PUNCT"],
              morphs=["Number=Sing", "Number=Sing", "Tense=Past", "", "Number=Sing", ""],
              lemmas=["Ada", "Lovelace", "write", "noun", "code", "."], heads=[1, 2, 2, 4, 2, 2],
              deps=["compound", "nsubj", "ROOT", "compound", "dobj", "punct"],
              ents=["B-PERSON", "L-PERSON", "O", "O", "O", "O"])
    doc.ents = [Span(doc, 0, 2, "PERSON", kb_id="Q7259")]
    doc.cats = {"TECH": 1.0, "ART": 0.0}
    doc.spans["sc"] = [Span(doc, 0, 2, "PERSON", kb_id="Q7259", span_id="ada"), Span(doc, 3, 5, "THING")]
    doc.spans["sc"].attrs["annotator"] = "me"
    sentenced = Doc(vocab, words=["One", ".", "Two", "."], sent_starts=[True, False, True, False])
    SpacyDocBin(docs=[doc, sentenced]).to_disk(tmp_path / "heron.spacy")
    [spacy_view] = json.loads(peer(DESCRIBE, "read", tmp_path / "heron.spacy"))
    for got, want in zip(spacy_view, (doc, sentenced)):
        assert got["words"] == want.words and got["spaces"] == want.spaces
        for key, attr in (("tags", "tag_"), ("pos", "pos_"), ("lemmas", "lemma_"), ("deps", "dep_"),
                          ("ent_iob", "ent_iob_"), ("ent_type", "ent_type_"), ("ent_kb_id", "ent_kb_id_"),
                          ("sent_starts", "is_sent_start")):
            assert got[key] == [getattr(t, attr) for t in want], key
        assert got["morphs"] == [str(t.morph) for t in want] and got["cats"] == want.cats
        assert got["heads"] == [t.head.i for t in want] if want.has_annotation("DEP") else True
        assert got["spans"] == {k: [[s.start, s.end, s.label_, s.kb_id_, s.id_] for s in g]
                                for k, g in want.spans.items()}
        assert got["span_attrs"] == {k: g.attrs for k, g in want.spans.items()}
        assert got["has_unknown_spaces"] is False
