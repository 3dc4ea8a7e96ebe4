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


# ---- item 5: debug config and train agree on listeners without their trunk ---------------
# Building the pipeline binds every listener strictly (Language.from_config), and both
# commands build it in prepare_training, so `debug config` stops with the error `train`
# would stop with. These cases pin that down for both trunk kinds.


def _same_error(config, corpus, code):
    checked = _invoke("debug", "config", config, "--paths.train", corpus, "--paths.dev", corpus)
    trained = _train(config, corpus)
    for result in (checked, trained):
        assert result.exit_code == 1 and f"[{code}]" in result.output, result.output
        assert "Traceback" not in result.output


@pytest.mark.parametrize("edit, code", [
    (('upstream = "*"', 'upstream = "tok2vec2"'), "E352"),  # no such component
    (('pipeline = ["tok2vec", "tagger"]', 'pipeline = ["tagger"]'), "E351"),  # no trunk at all
    (('pipeline = ["tok2vec", "tagger"]', 'pipeline = ["tagger", "tok2vec"]'), "E351"),  # trunk after it
])
def test_cnn_listener_without_its_trunk(tmp_path, corpus, edit, code):
    config = tmp_path / "config.cfg"
    _invoke("init", "config", config, "-p", "tok2vec,tagger")
    text = config.read_text()
    assert edit[0] in text
    config.write_text(text.replace(*edit))
    _same_error(config, corpus, code)


# The tiny BERT lowercases, so the tagger reads it and a CNN `tok2vec` (heron.ConcatTok2Vec.v1).
TRF_PIPELINE = 'pipeline = ["tok2vec", "transformer", "tagger"]'


@pytest.mark.parametrize("edit, code", [
    (('upstream = "transformer"', 'upstream = "trf"'), "E751"),  # width unknown: no such trunk
    ((TRF_PIPELINE, 'pipeline = ["tok2vec", "tagger"]'), "E751"),
    (('width = null', 'width = 32'), "E352"),  # width given, then the binding names the gap
])
def test_transformer_listener_without_its_trunk(tmp_path, corpus, tiny_bert_dir, edit, code):
    config = tmp_path / "config.cfg"
    assert _invoke("init", "config", config, "-p", "tagger", "-T", tiny_bert_dir).exit_code == 0
    text = config.read_text()
    if code == "E352":  # the width is known, and the trunk is gone
        text = text.replace(TRF_PIPELINE, 'pipeline = ["tok2vec", "tagger"]')
    assert edit[0] in text
    config.write_text(text.replace(*edit))
    _same_error(config, corpus, code)
