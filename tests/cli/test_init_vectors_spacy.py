"""`heron init vectors LANG SPACY_PIPELINE OUT`: spaCy folders (default and floret mode), then
`[initialize] vectors` pointing at the result and at the spaCy folder itself."""
from __future__ import annotations

import numpy as np
from spacy_vector_folders import FLORET_CFG, spacy_pipeline
from typer.testing import CliRunner

import heron
import heron.cli  # noqa: F401  (registers every command)
from heron.cli._app import app
from heron.config import load_config_from_str
from heron.tokens import Doc, DocBin
from heron.training.initialize import init_nlp

runner = CliRunner()
WORDS = ["cat", "kitten", "dog", "car"]
DATA = np.array([[1, 0, 0], [0.9, 0.1, 0], [0, 1, 0], [0, 0, 1]], dtype=np.float32)


def run(*args):
    return runner.invoke(app, ["init", "vectors", *map(str, args), "--no-progress"])


def test_default_mode_pipeline_folder(tmp_path):
    folder = spacy_pipeline(tmp_path / "spacy_pipe", data=DATA, words=WORDS)
    result = run("en", folder, tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "format spacy" in result.stderr and "4 rows, dim 3, 4 keys" in result.stderr
    nlp = heron.load(tmp_path / "out")
    assert nlp.vocab.vectors.name == "spacy_test_vectors" == nlp.meta["vectors"]["name"]
    doc = nlp("cat kitten zebra")
    np.testing.assert_array_equal(doc[1].vector, DATA[1])
    assert not doc[2].has_vector and doc[0].similarity(doc[1]) > 0.9


def test_floret_mode_vocab_folder_and_option_checks(tmp_path):
    data = np.random.default_rng(1).normal(size=(40, 3)).astype(np.float32)
    folder = spacy_pipeline(tmp_path / "floret_pipe", data=data, key2row={}, cfg=FLORET_CFG, name=None)
    result = run("en", folder / "vocab", tmp_path / "out", "--format", "spacy")
    assert result.exit_code == 0, result.output
    table = heron.load(tmp_path / "out").vocab.vectors
    assert table.mode == "spacy_floret" and table.name == "en_floret_pipe" and table["anything"].any()
    result = run("en", folder, tmp_path / "pruned", "--prune", "10")
    assert result.exit_code == 1 and "E616" in result.stderr and "floret table" in result.stderr
    result = run("en", spacy_pipeline(tmp_path / "plain", data=DATA, words=WORDS), tmp_path / "o2", "--mode", "floret")
    assert result.exit_code == 1 and "E616" in result.stderr and "default-mode table" in result.stderr
    assert not (tmp_path / "pruned").exists() and not (tmp_path / "o2").exists()


def test_truncate_prune_and_errors(tmp_path):
    folder = spacy_pipeline(tmp_path / "pipe", data=DATA, words=WORDS)
    assert run("en", folder, tmp_path / "cut", "--truncate", "2", "--name", "cut").exit_code == 0
    table = heron.load(tmp_path / "cut").vocab.vectors
    assert table.shape == (2, 3) and table.n_keys == 2 and "dog" not in table and table.name == "cut"
    assert run("en", folder, tmp_path / "pruned", "--prune", "3").exit_code == 0
    pruned = heron.load(tmp_path / "pruned").vocab.vectors
    assert pruned.shape == (3, 3) and pruned.n_keys == 4  # "car" maps to its closest kept row
    result = run("en", "xx_not_installed_vectors_pkg", tmp_path / "o")
    assert result.exit_code == 1 and "E560" in result.stderr and "VECTORS_FILE" in result.stderr
    (tmp_path / "empty").mkdir()
    result = run("en", tmp_path / "empty", tmp_path / "o", "--format", "spacy")
    assert result.exit_code == 1 and "E562" in result.stderr


CONFIG = """
[paths]
vectors = null
train = null
dev = null

[nlp]
lang = "en"
pipeline = ["tok2vec", "tagger"]

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "heron.HashEmbedCNN.v1"
width = 8
depth = 1
embed_size = 50
window_size = 1
maxout_pieces = 2
subword_features = false
pretrained_vectors = true

[components.tagger]
factory = "tagger"

[components.tagger.model]
@architectures = "heron.Tagger.v1"

[components.tagger.model.tok2vec]
@architectures = "heron.Tok2VecListener.v1"
width = 8

[corpora]

[corpora.train]
@readers = "heron.Corpus.v1"
path = ${paths.train}

[corpora.dev]
@readers = "heron.Corpus.v1"
path = ${paths.dev}

[initialize]
vectors = ${paths.vectors}
"""


def test_initialize_vectors_config_reads_both(tmp_path):
    folder = spacy_pipeline(tmp_path / "spacy_pipe", data=DATA, words=WORDS)
    assert run("en", folder, tmp_path / "imported").exit_code == 0
    vocab = heron.blank("en").vocab
    DocBin(docs=[Doc(vocab, words=["cat", "ran"], tags=["NN", "VBD"])]).to_disk(tmp_path / "train.heron")
    paths = {"paths.train": str(tmp_path / "train.heron"), "paths.dev": str(tmp_path / "train.heron")}
    for source in (folder, tmp_path / "imported"):
        nlp = init_nlp(load_config_from_str(CONFIG, {**paths, "paths.vectors": str(source)}))
        np.testing.assert_array_equal(nlp.vocab.vectors["kitten"], DATA[1])
        assert nlp.get_pipe("tok2vec").cfg["vectors"] == {"name": "spacy_test_vectors", "shape": [4, 3]}
        assert nlp("cat dog").tensor.shape == (2, 8)
