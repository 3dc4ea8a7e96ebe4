"""Contract tests every trainable component passes (DESIGN.md principle 11):

build from config -> initialize -> overfit 5 sentences with nlp.update -> save -> reload
-> identical predictions. Both with a shared tok2vec (listener) and an inline one.

To add a component, append ONE `ContractCase(...)` to CASES: its factory, a function
making 5 training Examples, and a function reading its predictions off a Doc.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List

import pytest
import torch

import heron
from heron.language import Language
from heron.training.example import Example

from test_ner import ents_of, ner_examples  # noqa: E402  (NER's data; registers "ner")
from test_trainable_support import (  # noqa: E402  (tests/pipeline is on sys.path under pytest)
    WIDTH, fresh_examples, listener_model, sent_examples, tagged_examples, train, trunk_model,
)


@dataclass
class ContractCase:
    """factory: the component factory. examples(nlp) -> 5 Examples. predictions(doc) ->
    a comparable value. gold(example) -> the value predictions must reach when overfit.
    config: extra component settings; `model` gets `tok2vec` filled in by the harness.
    steps/lr: enough to overfit 5 sentences."""

    factory: str
    examples: Callable[[Language], List[Example]]
    predictions: Callable[[Any], Any]
    gold: Callable[[Example], Any]
    config: Dict[str, Any] = field(default_factory=dict)
    steps: int = 50
    lr: float = 0.01


def _tags(doc) -> List[str]:
    return [t.tag_ for t in doc]


def _starts(doc) -> List[bool]:
    return [bool(t.is_sent_start) for t in doc]


CASES = [
    ContractCase("tagger", tagged_examples, _tags, lambda eg: _tags(eg.reference),
                 config={"model": {"@architectures": "heron.Tagger.v1", "nO": None}}),
    ContractCase("senter", sent_examples, _starts, lambda eg: _starts(eg.reference),
                 config={"model": {"@architectures": "heron.Tagger.v1", "nO": None}}),
    ContractCase("ner", ner_examples, ents_of, lambda eg: ents_of(eg.reference),
                 config={"model": {"@architectures": "heron.TransitionBasedParser.v1",
                                   "hidden_width": 32}}),
]


def _config(case: ContractCase, shared: bool) -> Dict[str, Any]:
    components: Dict[str, Any] = {}
    pipeline = []
    if shared:
        pipeline.append("tok2vec")
        components["tok2vec"] = {"factory": "tok2vec", "model": trunk_model(WIDTH)}
    block = {"factory": case.factory, **case.config}
    block["model"] = dict(block.get("model", {}),
                          tok2vec=listener_model(WIDTH) if shared else trunk_model(WIDTH))
    components[case.factory] = block
    pipeline.append(case.factory)
    return {"nlp": {"lang": "en", "pipeline": pipeline}, "components": components}


@pytest.mark.parametrize("shared", [True, False], ids=["listener", "inline"])
@pytest.mark.parametrize("case", CASES, ids=[c.factory for c in CASES])
def test_contract(case: ContractCase, shared: bool, tmp_path):
    torch.manual_seed(0)
    nlp = Language.from_config(_config(case, shared))
    examples = case.examples(nlp)
    nlp.initialize(lambda: examples)
    losses = train(nlp, examples, steps=case.steps, lr=case.lr)
    assert losses[case.factory] < 0.1, losses
    texts = [eg.reference.text for eg in examples]
    docs = list(nlp.pipe(texts))
    assert [case.predictions(d) for d in docs] == [case.gold(eg) for eg in examples]
    # Saving and loading reproduces the predictions exactly.
    nlp.to_disk(tmp_path / "model")
    loaded = heron.load(tmp_path / "model")
    assert loaded.pipe_names == nlp.pipe_names
    reloaded = list(loaded.pipe(texts))
    assert [case.predictions(d) for d in reloaded] == [case.predictions(d) for d in docs]
    # So does a round trip through bytes (used by nlp.pipe(n_process=...)).
    again = Language.from_config(nlp.config).from_bytes(nlp.to_bytes())
    assert [case.predictions(again(t)) for t in texts] == [case.predictions(d) for d in docs]
    # Scores from the component's own scorer are perfect on the overfit data.
    scores = nlp.get_pipe(case.factory).score(
        [Example(d, eg.reference) for d, eg in zip(docs, fresh_examples(nlp, examples))])
    assert scores and all(v == pytest.approx(1.0) for k, v in scores.items()
                          if isinstance(v, float) and not k.endswith("_per_type")), scores
