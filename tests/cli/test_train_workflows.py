"""Configs from `heron init config` / `init fill-config` train as written (issue 15 items 3, 5).

Each test runs the CLI the way the issue's user did: generate or fill a config, then
`heron train` (a step or two on a two-sentence corpus) or `heron debug config`.
"""
import pytest
from typer.testing import CliRunner

import heron
import heron.cli  # noqa: F401  (registers the commands)
from heron.cli._app import app
from heron.config import load_config
from heron.tokens import Doc, DocBin

runner = CliRunner()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train_workflows")
    vocab = heron.blank("en").vocab
    docs = [Doc(vocab, words=["Ada", "codes", "."], tags=["NNP", "VBZ", "."]),
            Doc(vocab, words=["Bob", "sleeps", "."], tags=["NNP", "VBZ", "."])]
    DocBin(docs=docs).to_disk(folder / "train.heron")
    return folder / "train.heron"


def _invoke(*args):
    result = runner.invoke(app, [str(a) for a in args])
    return result


def _train(config, corpus, *extra):
    return _invoke("train", config, "--paths.train", corpus, "--paths.dev", corpus,
                   "--training.max_steps", "1", "--training.eval_frequency", "1", *extra)


# ---- item 3: training doesn't need the pretraining corpus --------------------------------


def test_train_on_a_pretraining_config_needs_no_raw_text(tmp_path, corpus):
    config = tmp_path / "config.cfg"
    assert _invoke("init", "config", config, "-p", "tok2vec,tagger", "--pretraining").exit_code == 0
    assert load_config(config)["paths"]["raw_text"] is None  # as generated: not set
    result = _train(config, corpus)
    assert result.exit_code == 0, result.output
    assert "E802" not in result.output and "TAG_ACC" in result.output


def test_debug_config_on_a_pretraining_config_needs_no_raw_text(tmp_path, corpus):
    config = tmp_path / "config.cfg"
    _invoke("init", "config", config, "-p", "tok2vec,tagger", "--pretraining")
    result = _invoke("debug", "config", config, "--paths.train", corpus, "--paths.dev", corpus)
    assert result.exit_code == 0, result.output


def test_a_broken_corpus_that_training_uses_is_still_an_error(tmp_path, corpus):
    config = tmp_path / "config.cfg"
    _invoke("init", "config", config, "-p", "tok2vec,tagger", "--pretraining")
    result = _train(config, corpus, "--corpora.dev.max_length", "-1")
    assert result.exit_code == 1 and "E516" in result.output, result.output
    result = _train(config, corpus, "--training.dev_corpus", "corpora.nope")
    assert result.exit_code == 1 and "E513" in result.output, result.output
    assert "corpora.pretrain" in result.output  # the available corpora are all listed


# ---- item 5: fill-config writes the corpus readers ----------------------------------------

PARTIAL = """
[nlp]
lang = "en"
pipeline = ["tok2vec", "tagger"]

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tagger]
factory = "tagger"
"""


def test_fill_config_writes_default_corpus_readers(tmp_path, corpus):
    base, filled = tmp_path / "base.cfg", tmp_path / "filled.cfg"
    base.write_text(PARTIAL)
    result = _invoke("init", "fill-config", base, filled)
    assert result.exit_code == 0, result.output
    config = load_config(filled)
    for split in ("train", "dev"):
        assert config["corpora"][split]["@readers"] == "heron.Corpus.v1"
        assert config["corpora"][split]["path"] == f"${{paths.{split}}}"
        assert config["paths"][split] is None
    result = _train(filled, corpus)
    assert result.exit_code == 0, result.output


def test_fill_config_keeps_the_users_corpora(tmp_path):
    base, filled = tmp_path / "base.cfg", tmp_path / "filled.cfg"
    base.write_text(PARTIAL + """
[paths]
mine = "x.heron"

[corpora]

[corpora.mine]
@readers = "heron.Corpus.v1"
path = ${paths.mine}
limit = 3

[training]
train_corpus = "corpora.mine"
""")
    assert _invoke("init", "fill-config", base, filled).exit_code == 0
    corpora = load_config(filled)["corpora"]
    assert corpora["mine"]["limit"] == 3
    assert sorted(corpora) == ["dev", "mine"]  # only the missing dev reader is added
