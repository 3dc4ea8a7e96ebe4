"""`heron init config -p spancat` (efficiency, accuracy, --transformer): the factory's default
config becomes a complete config (a listener to the shared trunk, or an inline CNN) that
trains as is on a DocBin with doc.spans (data written here)."""
from __future__ import annotations

import pytest
from typer.testing import CliRunner

import heron
from heron.cli import app
from heron.config import fill_config, load_config
from heron.registry import registry
from heron.tokens import Doc, DocBin, Span

runner = CliRunner()
SPANS = [
    ("Alice Smith lives in New York City .", [(0, 2, "PER"), (4, 7, "LOC"), (4, 6, "CITY")]),
    ("Bob visited Paris in May .", [(0, 1, "PER"), (2, 3, "LOC"), (2, 3, "CITY")]),
    ("The weather was nice .", []),
]


def _init(tmp_path, *args):
    out = tmp_path / "config.cfg"
    result = runner.invoke(app, ["init", "config", str(out), "--force", *args])
    assert result.exit_code == 0, result.output
    return out, load_config(out)


def _docbin(path):
    vocab, docs = heron.blank("en").vocab, []
    for text, spans in SPANS:
        doc = Doc(vocab, words=text.split())
        doc.spans["sc"] = [Span(doc, s, e, label=label) for s, e, label in spans]
        docs.append(doc)
    DocBin(docs=docs).to_disk(path)
    return path


@pytest.mark.parametrize("optimize", ["efficiency", "accuracy"])
def test_spancat_config_listens_to_the_shared_trunk(tmp_path, optimize):
    _, config = _init(tmp_path, "-p", "tok2vec,spancat", "-o", optimize)
    block = config["components"]["spancat"]
    assert block["factory"] == "spancat" and block["spans_key"] == "sc" and block["threshold"] == 0.5
    assert block["model"]["tok2vec"]["@architectures"] == "heron.Tok2VecListener.v1"
    assert block["model"]["reducer"]["@layers"] == "heron.mean_max_reducer.v1"
    assert block["suggester"] == {"@misc": "heron.ngram_suggester.v1", "sizes": [1, 2, 3]}
    weights = registry.get_factory_meta("spancat").default_score_weights  # what training selects on
    assert weights == {"spans_sc_f": 1.0, "spans_sc_p": 0.0, "spans_sc_r": 0.0}
    assert fill_config(config) == config


def test_spancat_alone_gets_an_inline_cnn(tmp_path):
    _, config = _init(tmp_path, "-p", "spancat")
    assert config["components"]["spancat"]["model"]["tok2vec"]["@architectures"] == "heron.HashEmbedCNN.v1"


def test_spancat_config_trains_as_is(tmp_path):
    cfg, _ = _init(tmp_path, "-p", "tok2vec,spancat")
    data = _docbin(tmp_path / "train.heron")
    out = tmp_path / "out"
    result = runner.invoke(app, [
        "train", str(cfg), "-o", str(out), "--paths.train", str(data), "--paths.dev", str(data),
        "--training.max_steps", "4", "--training.eval_frequency", "2"])
    assert result.exit_code == 0, result.output
    nlp = heron.load(out / "model-last")
    assert nlp.pipe_names == ["tok2vec", "spancat"]
    assert nlp.get_pipe("spancat").labels == ("CITY", "LOC", "PER")
    assert "sc" in nlp("Carol visited Rome .").spans


@pytest.mark.filterwarnings("ignore:.*W701")  # the tiny BERT's 64 wordpieces are shorter than the windows
def test_transformer_spancat_config_builds_and_trains(tmp_path, tiny_bert_dir):
    import torch

    from heron.language import Language
    from heron.training.example import Example

    _, config = _init(tmp_path, "-p", "spancat", "--transformer", str(tiny_bert_dir))
    assert config["nlp"]["pipeline"] == ["transformer", "spancat"]
    t2v = config["components"]["spancat"]["model"]["tok2vec"]
    assert t2v["@architectures"] == "heron.TransformerListener.v1" and t2v["upstream"] == "transformer"
    nlp = Language.from_config(config)
    examples = []
    for text, spans in SPANS:
        reference = Doc(nlp.vocab, words=text.split())
        reference.spans["sc"] = [Span(reference, s, e, label=label) for s, e, label in spans]
        examples.append(Example(nlp.make_doc(text), reference))
    optimizer = nlp.initialize(lambda: examples)
    losses = nlp.update(examples, sgd=optimizer)
    assert losses["spancat"] > 0 and torch.isfinite(torch.tensor(losses["spancat"]))
    assert "sc" in nlp("Carol visited Rome .").spans
