"""Issue 15 "Done when": a pipeline trained from `heron init config -p tok2vec,tagger,ner`
has its ner sourced into a new pipeline with replace_listeners, frozen, trained next to a
new tagger, saved and reloaded, with identical ner predictions throughout.

Through heron.training's functions (the CLI is the same code; docs/usage/sourcing.md runs
this workflow through the CLI).
"""
from __future__ import annotations

import io
import itertools
from pathlib import Path

import torch
from typer.testing import CliRunner

import heron
import heron.cli  # noqa: F401  (registers the commands)
from heron.cli._app import app
from heron.config import load_config
from heron.pipeline.listener import iter_listeners
from heron.tokens import Doc, DocBin
from heron.training.loop import train

TEXTS = ["Alice flew to Rome on Friday .", "Dave flew to Oslo on Monday .", "Bob flew to Paris ."]


def write_corpus(path: Path) -> None:
    """Generated sentences with tags and entities (every combination of the slots)."""
    vocab = heron.blank("en").vocab
    docs = [Doc(vocab, words=[person, "flew", "to", city, "on", day, "."],
                tags=["NNP", "VBD", "IN", "NNP", "IN", "NNP", "."],
                ents=["U-PER", "O", "O", "U-LOC", "O", "O", "O"])
            for person, city, day in itertools.product(["Alice", "Bob", "Carol", "Dave"],
                                                       ["Paris", "Rome", "Oslo"], ["Monday", "Friday"])]
    DocBin(docs=docs).to_disk(path)


def entities(nlp):
    return [[(ent.text, ent.label_) for ent in doc.ents] for doc in nlp.pipe(TEXTS)]


def test_sourced_frozen_ner_keeps_its_predictions(tmp_path):
    corpus = tmp_path / "train.heron"
    write_corpus(corpus)
    result = CliRunner().invoke(app, ["init", "config", str(tmp_path / "config.cfg"), "-p", "tok2vec,tagger,ner"])
    assert result.exit_code == 0, result.output
    overrides = {"paths.train": str(corpus), "paths.dev": str(corpus),
                 "components.tok2vec.model.encode.width": 16, "components.tok2vec.model.encode.depth": 1,
                 "components.tok2vec.model.embed.rows": 500, "components.tok2vec.model.embed.nM": 8,
                 "training.max_steps": 40, "training.eval_frequency": 10}
    log = io.StringIO()
    _, first_best = train(load_config(tmp_path / "config.cfg", overrides=overrides), tmp_path / "first",
                          stdout=log, stderr=log)
    first = heron.load(first_best)
    expected = entities(first)
    assert any(expected), "the first pipeline should have learnt some entities"

    config = load_config(tmp_path / "config.cfg", overrides=overrides)
    config["components"]["ner"] = {"source": str(first_best), "replace_listeners": ["model.tok2vec"]}
    config["training"]["frozen_components"] = ["ner"]
    trained, second_best = train(config, tmp_path / "second", stdout=log, stderr=log)
    assert entities(trained) == expected
    for path in (second_best, tmp_path / "second" / "model-last"):
        second = heron.load(path)
        assert entities(second) == expected
        ner = second.get_pipe("ner")
        assert not list(iter_listeners(ner))
        assert second.get_pipe("tok2vec").listening_components == ["tagger"]
        head, trunk = first.get_pipe("ner").model.state_dict(), first.get_pipe("tok2vec").model.state_dict()
        copied = ner.model.state_dict()
        assert all(torch.equal(head[k], copied[k]) for k in head)
        assert all(torch.equal(trunk[k], copied["tok2vec." + k]) for k in trunk)
        # The new tagger (on the new trunk) was trained and saved too.
        assert all(token.tag_ for doc in second.pipe(TEXTS) for token in doc)


def test_sourced_component_resumes_instead_of_being_initialized_anew(tmp_path):
    """A sourced, not frozen component keeps what it learnt (labels, weights) and resumes
    training, as in spaCy: initializing it from the new corpus would throw its labels away."""
    from heron.training.initialize import init_nlp

    corpus = tmp_path / "train.heron"
    write_corpus(corpus)
    result = CliRunner().invoke(app, ["init", "config", str(tmp_path / "config.cfg"), "-p", "tok2vec,tagger,ner"])
    assert result.exit_code == 0, result.output
    overrides = {"paths.train": str(corpus), "paths.dev": str(corpus),
                 "components.tok2vec.model.encode.width": 16, "components.tok2vec.model.encode.depth": 1,
                 "components.tok2vec.model.embed.rows": 500, "components.tok2vec.model.embed.nM": 8,
                 "training.max_steps": 10, "training.eval_frequency": 10}
    log = io.StringIO()
    _, first_best = train(load_config(tmp_path / "config.cfg", overrides=overrides), tmp_path / "first",
                          stdout=log, stderr=log)
    # New data with ORG entities only: initializing ner from it would leave labels ("ORG",).
    vocab = heron.blank("en").vocab
    orgs = [Doc(vocab, words=[org, "hired", "Ann", "."], tags=["NNP", "VBD", "NNP", "."],
                ents=["U-ORG", "O", "O", "O"]) for org in ("Acme", "Initech", "Globex")]
    DocBin(docs=orgs).to_disk(tmp_path / "orgs.heron")
    config = load_config(tmp_path / "config.cfg", overrides={**overrides, "paths.train": str(tmp_path / "orgs.heron"),
                                                              "paths.dev": str(tmp_path / "orgs.heron")})
    config["components"]["ner"] = {"source": str(first_best), "replace_listeners": ["model.tok2vec"]}
    nlp = init_nlp(config)
    assert {"LOC", "PER"} <= set(nlp.get_pipe("ner").labels)
    first_head = heron.load(first_best).get_pipe("ner").model.state_dict()
    resumed = nlp.get_pipe("ner").model.state_dict()
    assert all(torch.equal(first_head[k], resumed[k]) for k in first_head)
