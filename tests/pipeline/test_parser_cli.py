"""`heron init config -p tok2vec,tagger,parser,ner` (efficiency and accuracy) writes a
config that trains as is on generated Docs with trees, and `heron evaluate` reports the
parser's scores (dep_uas, dep_las, sents_f)."""
from __future__ import annotations

import json

import pytest
from parser_data import treebank
from typer.testing import CliRunner

import heron
from heron.cli import app
from heron.config import load_config
from heron.tokens import DocBin, Vocab

runner = CliRunner()


@pytest.mark.parametrize("optimize", ["efficiency", "accuracy"])
def test_init_config_with_a_parser_trains_and_evaluates(tmp_path, optimize):
    cfg = tmp_path / "config.cfg"
    result = runner.invoke(app, ["init", "config", str(cfg), "-p", "tok2vec,tagger,parser,ner", "-o", optimize])
    assert result.exit_code == 0, result.output
    parser = load_config(cfg)["components"]["parser"]
    assert parser["factory"] == "parser" and parser["model"]["state_type"] == "parser"
    assert parser["model"]["tok2vec"]["@architectures"] == "heron.Tok2VecListener.v1"
    # efficiency: the factory's (spaCy's factory, en_core_web_sm) sizes; accuracy: spaCy's init config's
    sizes = (parser["model"]["hidden_width"], parser["model"]["maxout_pieces"])
    assert sizes == {"efficiency": (64, 2), "accuracy": (128, 3)}[optimize]
    assert load_config(cfg)["components"]["ner"]["model"]["hidden_width"] == 64  # other heads untouched
    vocab = Vocab()
    db = DocBin()
    for doc in treebank(6, seed=3, vocab=vocab):
        tags = ["X" if t.dep_ != "ROOT" else "V" for t in doc]
        ents = ["U-ANIMAL" if t.text in ("dog", "cat") else "O" for t in doc]
        db.add(heron.tokens.Doc(vocab, words=doc.words, heads=[t.head.i for t in doc], deps=[t.dep_ for t in doc],
                                tags=tags, ents=ents))
    data = tmp_path / "train.heron"
    db.to_disk(data)
    out = tmp_path / "out"
    result = runner.invoke(app, [
        "train", str(cfg), "-o", str(out), "--paths.train", str(data), "--paths.dev", str(data),
        "--training.max_steps", "4", "--training.eval_frequency", "2",
        "--components.parser.min_action_freq", "1",
    ])
    assert result.exit_code == 0, result.output
    nlp = heron.load(out / "model-last")
    assert nlp.pipe_names == ["tok2vec", "tagger", "parser", "ner"]
    doc = nlp("the dog saw a cat .")
    assert doc.has_annotation("DEP") and list(doc.sents)
    scores_path = tmp_path / "scores.json"
    result = runner.invoke(app, ["evaluate", str(out / "model-last"), str(data), "--output", str(scores_path)])
    assert result.exit_code == 0, result.output
    scores = json.loads(scores_path.read_text())
    for key in ("dep_uas", "dep_las", "sents_f"):
        assert isinstance(scores[key], float), scores
    assert "UAS" in result.output or "dep_uas" in result.output
