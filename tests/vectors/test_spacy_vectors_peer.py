"""Parity with spaCy itself (slow; needs .venv-peers from `make bench-peers`): spaCy writes a
default and a floret vectors table, heron imports both and returns the same vectors for
words in the table and words it never saw; heron's spaCy string IDs equal spaCy's."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

import heron
import heron.cli  # noqa: F401  (registers every command)
from heron.cli._app import app
from heron.tokens._spacy_hash import spacy_string_ids
from heron.vectors.init import load_vectors_into

PEERS_PYTHON = Path(__file__).resolve().parents[2] / ".venv-peers" / "bin" / "python"
pytestmark = pytest.mark.slow

SPACY_SCRIPT = r"""
import json, sys
import numpy as np
import spacy
from spacy.strings import get_string_id
from spacy.vectors import Vectors

out, words, oov, probes = sys.argv[1], *json.loads(sys.argv[2])
rng = np.random.default_rng(0)
nlp = spacy.blank("en")
for word in words:
    nlp.vocab[word]  # spacy init vectors adds the words to the vocab (strings.json)
nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=rng.normal(size=(len(words), 6)).astype("f"),
                            keys=words, name="peer_vectors")
nlp.to_disk(f"{out}/default")
floret = spacy.blank("en")
floret.vocab.vectors = Vectors(strings=floret.vocab.strings, data=rng.normal(size=(97, 6)).astype("f"),
                               mode="floret", minn=3, maxn=5, hash_count=3, hash_seed=2166136261,
                               bow="<", eow=">")
floret.to_disk(f"{out}/floret")
expected = {
    "default": {w: nlp.vocab[w].vector.tolist() for w in words + oov},
    "floret": {w: floret.vocab[w].vector.tolist() for w in words + oov},
    "ids": [int(get_string_id(p)) for p in probes],
}
json.dump(expected, open(f"{out}/expected.json", "w"))
"""

WORDS = ["the", "Paris", "root", "case", "NOUN", "naïve", "日本語", "emoji🙂", "a" * 40, "x", "New_York"]
OOV = ["unseen", "Parisian", "zzzzzzzzzzzzzzzzz", "é", "🙂"]


def _peer_ok() -> bool:
    if not PEERS_PYTHON.exists():
        return False
    return subprocess.run([str(PEERS_PYTHON), "-c", "import spacy"], capture_output=True).returncode == 0


@pytest.fixture(scope="module")
def spacy_tables(tmp_path_factory):
    if not _peer_ok():
        pytest.skip("spaCy is not installed in .venv-peers (make bench-peers)")
    out = tmp_path_factory.mktemp("spacy_vectors")
    rng = np.random.default_rng(1)
    probes = ["", "PERSON", "nsubj", *("".join(chr(int(c)) for c in rng.integers(32, 0x3000, size=n))
                                        for n in rng.integers(1, 40, size=500))]
    subprocess.run([str(PEERS_PYTHON), "-c", SPACY_SCRIPT, str(out), json.dumps([WORDS, OOV, probes])],
                   check=True, timeout=300)
    return out, json.loads((out / "expected.json").read_text(encoding="utf8")), probes


def test_string_ids_equal_spacys(spacy_tables):
    _, expected, probes = spacy_tables
    assert spacy_string_ids(probes).tolist() == expected["ids"]


def test_default_table_gives_spacys_vectors(spacy_tables, tmp_path):
    out, expected, _ = spacy_tables
    args = ["init", "vectors", "en", str(out / "default"), str(tmp_path / "v"), "--no-progress"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    nlp = heron.load(tmp_path / "v")
    assert nlp.vocab.vectors.name == "peer_vectors" and nlp.vocab.vectors.n_keys == len(WORDS)
    for word, vector in expected["default"].items():
        got = nlp.vocab.vectors.get_batch([word])[0]
        np.testing.assert_array_equal(got, np.asarray(vector, np.float32), err_msg=word)


def test_floret_table_gives_spacys_vectors_for_any_word(spacy_tables):
    out, expected, _ = spacy_tables
    nlp = heron.blank("en")
    table = load_vectors_into(nlp, out / "floret")
    assert table.mode == "spacy_floret"
    words = list(expected["floret"])
    np.testing.assert_allclose(table.get_batch(words), np.asarray([expected["floret"][w] for w in words]),
                               rtol=1e-5, atol=1e-6)
