"""`heron init config -p textcat / textcat_multilabel`: BOW for efficiency, the ensemble on the
shared tok2vec (or an inline CNN) for accuracy, the ensemble on the transformer with
--transformer (spaCy's quickstart choices)."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

from heron.cli import app
from heron.config import load_config
from heron.language import Language
from heron.nn.textcat import TextCatBOW, TextCatEnsemble
from heron.pipeline.listener import Tok2VecListener

runner = CliRunner()


def init(tmp_path, *args):
    out = tmp_path / "config.cfg"
    result = runner.invoke(app, ["init", "config", str(out), "--force", *args])
    assert result.exit_code == 0, result.output
    return load_config(out)


@pytest.mark.parametrize("factory, exclusive", [("textcat", True), ("textcat_multilabel", False)])
def test_efficiency_is_a_bag_of_ngrams(tmp_path, factory, exclusive):
    config = init(tmp_path, "-p", factory)
    block = config["components"][factory]
    assert block["model"]["@architectures"] == "heron.TextCatBOW.v3"
    assert block["model"]["exclusive_classes"] is exclusive and block["model"]["length"] == 262144
    assert block["threshold"] == (0.0 if exclusive else 0.5)
    nlp = Language.from_config(config)
    assert isinstance(nlp.get_pipe(factory).model, TextCatBOW)


def test_accuracy_is_the_ensemble_on_the_shared_tok2vec_or_an_inline_cnn(tmp_path):
    config = init(tmp_path, "-p", "tok2vec,textcat_multilabel", "-o", "accuracy")
    model = config["components"]["textcat_multilabel"]["model"]
    assert model["@architectures"] == "heron.TextCatEnsemble.v2"
    assert model["tok2vec"]["@architectures"] == "heron.Tok2VecListener.v1"
    assert model["linear_model"]["exclusive_classes"] is False
    nlp = Language.from_config(config)
    assert isinstance(nlp.get_pipe("textcat_multilabel").model.tok2vec, Tok2VecListener)
    inline = init(tmp_path, "-p", "textcat", "-o", "accuracy")["components"]["textcat"]["model"]
    assert inline["tok2vec"]["@architectures"] == "heron.HashEmbedCNN.v1"
    assert inline["linear_model"]["exclusive_classes"] is True


@pytest.mark.filterwarnings("ignore:.*W701")  # the tiny BERT's 64 wordpieces are shorter than the windows
@pytest.mark.parametrize("optimize", ["efficiency", "accuracy"])
def test_transformer_heads_pool_the_transformer(tmp_path, tiny_bert_dir, optimize):
    config = init(tmp_path, "-p", "textcat", "-o", optimize, "--transformer", str(tiny_bert_dir))
    assert config["nlp"]["pipeline"] == ["transformer", "textcat"]
    model = config["components"]["textcat"]["model"]
    assert model["@architectures"] == "heron.TextCatEnsemble.v2"
    assert model["tok2vec"]["@architectures"] == "heron.TransformerListener.v1"
    nlp = Language.from_config(config)
    assert isinstance(nlp.get_pipe("textcat").model, TextCatEnsemble)
    nlp.get_pipe("transformer").initialize(nlp=nlp)
    nlp.get_pipe("textcat").initialize(labels=["NEG", "POS"])
    assert sorted(nlp("a short text").cats) == ["NEG", "POS"]
