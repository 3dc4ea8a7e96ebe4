"""heron.CharacterEmbed.v1 in pipelines, contract style (DESIGN.md principle 11): as the
embed of the shared `tok2vec` trunk and of a head's inline trunk, with static vectors, and
from `heron init config` with the embed block overridden on the command line: build,
overfit, save, reload, identical predictions."""
from __future__ import annotations

import json
from typing import Any, Dict

import numpy as np
import pytest
import torch
from typer.testing import CliRunner

import heron
import heron.cli  # noqa: F401  (registers every command)
from heron.cli._app import app
from heron.config import load_config, parse_cli_overrides
from heron.language import Language
from heron.nn import CharacterEmbed
from heron.vectors import Vectors

from fakes import TAGGED, WIDTH, ents_of, listener_model, ner_examples, tagged_examples, train


def char_trunk(width: int = WIDTH, static: bool = False) -> Dict[str, Any]:
    """A small heron.Tok2Vec.v1 whose embed is a CharacterEmbed."""
    return {"@architectures": "heron.Tok2Vec.v1",
            "embed": {"@architectures": "heron.CharacterEmbed.v1", "width": width, "rows": 500, "nM": 8,
                      "nC": 8, "include_static_vectors": static},
            "encode": {"@architectures": "heron.MaxoutWindowEncoder.v1", "width": width, "window_size": 1,
                       "maxout_pieces": 3, "depth": 2}}


def tags_of(doc):
    return [t.tag_ for t in doc]


HEADS = {
    "tagger": ({"@architectures": "heron.Tagger.v1", "nO": None}, tagged_examples, tags_of),
    "ner": ({"@architectures": "heron.TransitionBasedParser.v1", "hidden_width": 32}, ner_examples, ents_of),
}


def make_nlp(head: str, shared: bool, static: bool = False) -> Language:
    nlp = heron.blank("en")
    if static:
        words = sorted({w for text, _ in TAGGED for w in text.split()})
        data = np.random.default_rng(0).normal(size=(len(words), 6)).astype(np.float32)
        nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=data, keys=words, name="tiny")
    if shared:
        nlp.add_pipe("tok2vec", config={"model": char_trunk(static=static)})
    model, _, _ = HEADS[head]
    tok2vec = listener_model(WIDTH) if shared else char_trunk(static=static)
    nlp.add_pipe(head, config={"model": dict(model, tok2vec=tok2vec)})
    return nlp


def assert_contract(nlp: Language, head: str, tmp_path, *, via_bytes: bool = True) -> None:
    """via_bytes: also round-trip through nlp.to_bytes (False with vectors: Vocab.to_bytes
    doesn't carry them, for any embed layer)."""
    _, make_examples, predictions = HEADS[head]
    examples = make_examples(nlp)
    nlp.initialize(lambda: examples)
    losses = train(nlp, examples, steps=50, lr=0.01)
    assert losses[head] < 0.1, losses
    texts = [eg.reference.text for eg in examples]
    docs = list(nlp.pipe(texts))
    assert [predictions(d) for d in docs] == [predictions(eg.reference) for eg in examples]
    nlp.to_disk(tmp_path / "model")
    loaded = heron.load(tmp_path / "model")
    assert [predictions(d) for d in loaded.pipe(texts)] == [predictions(d) for d in docs]
    if via_bytes:
        again = Language.from_config(nlp.config).from_bytes(nlp.to_bytes())
        assert [predictions(again(t)) for t in texts] == [predictions(d) for d in docs]
    # A doc's annotations and vectors don't depend on the other docs of its batch.
    if "tok2vec" in nlp.pipe_names:
        alone = [nlp(t).tensor for t in texts]
        for doc, tensor in zip(loaded.pipe(texts, batch_size=len(texts)), alone):
            np.testing.assert_allclose(doc.tensor, tensor, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shared", [True, False], ids=["listener", "inline"])
@pytest.mark.parametrize("head", list(HEADS))
def test_contract(head: str, shared: bool, tmp_path):
    torch.manual_seed(0)
    nlp = make_nlp(head, shared)
    owner = nlp.get_pipe("tok2vec").model if shared else nlp.get_pipe(head).model.tok2vec
    assert isinstance(owner.embed, CharacterEmbed)
    assert_contract(nlp, head, tmp_path)


@pytest.mark.parametrize("shared", [True, False], ids=["listener", "inline"])
def test_contract_with_static_vectors(shared: bool, tmp_path):
    torch.manual_seed(0)
    nlp = make_nlp("tagger", shared, static=True)
    assert_contract(nlp, "tagger", tmp_path, via_bytes=False)
    owner = nlp.get_pipe("tok2vec").model if shared else nlp.get_pipe("tagger").model.tok2vec
    assert owner.embed.static_proj.nM == 6, "the projection is sized from the vocab's vectors"


def test_init_config_with_the_embed_block_overridden(tmp_path):
    """The override the EWT comparison uses (bench/default_config.py --embed char does the
    same in Python): `heron init config`, then --components.tok2vec.model.embed '{...}'."""
    result = CliRunner().invoke(app, ["init", "config", str(tmp_path / "config.cfg"), "-p", "tok2vec,tagger"])
    assert result.exit_code == 0, result.output
    embed = {"@architectures": "heron.CharacterEmbed.v1", "width": "${components.tok2vec.model.encode.width}",
             "rows": 7000, "nM": 64, "nC": 8, "include_static_vectors": False}
    overrides = parse_cli_overrides(["--components.tok2vec.model.embed", json.dumps(embed),
                                     "--components.tok2vec.model.encode.width", "32"])
    nlp = Language.from_config(load_config(tmp_path / "config.cfg", overrides=overrides))
    model = nlp.get_pipe("tok2vec").model
    assert isinstance(model.embed, CharacterEmbed) and model.embed.width == 32 and model.embed.nC == 8
    examples = tagged_examples(nlp)
    nlp.initialize(lambda: examples)
    assert train(nlp, examples, steps=2)["tagger"] > 0
    nlp.to_disk(tmp_path / "model")
    assert isinstance(heron.load(tmp_path / "model").get_pipe("tok2vec").model.embed, CharacterEmbed)
