"""The one trunk protocol (pipeline/trunk.py) and the one GradFactor (nn/grad.py):
tok2vec is a Trunk, duck-typed components are not; grad factors are numbers or
schedules >= 0 read at the one global step; the listener's step when update() is
given none is the pipeline's own count of update calls."""
from __future__ import annotations

from typing import Any, Dict, List

import pytest
import torch

import heron
from heron.errors import HeronValueError
from heron.nn.grad import GradFactor, set_grad_step
from heron.pipeline.listener import bind_listeners
from heron.pipeline.tok2vec import Tok2Vec
from heron.pipeline.trunk import Trunk, is_trunk
from heron.training.example import Example

WIDTH = 16
TAGGED = [("The cat sat .", ["DT", "NN", "VBD", "."]), ("Dogs bark loudly .", ["NNS", "VBP", "RB", "."])]


def _cnn() -> Dict[str, Any]:
    return {"@architectures": "heron.HashEmbedCNN.v1", "width": WIDTH, "depth": 1, "embed_size": 200,
            "window_size": 1, "maxout_pieces": 2, "subword_features": True, "pretrained_vectors": None}


def _listener(grad_factor: Any = 1.0) -> Dict[str, Any]:
    return {"@architectures": "heron.Tok2VecListener.v1", "width": WIDTH, "grad_factor": grad_factor}


def _nlp(grad_factor: Any = 1.0) -> Any:
    nlp = heron.blank("en")
    nlp.add_pipe("tok2vec", config={"model": _cnn()})
    nlp.add_pipe("tagger", config={"model": {"@architectures": "heron.Tagger.v1",
                                             "tok2vec": _listener(grad_factor)}})
    return nlp


def _examples(nlp: Any) -> List[Example]:
    return [Example.from_dict(nlp.make_doc(text), {"tags": tags}) for text, tags in TAGGED]


class Recorder:
    """A grad_factor schedule that records the steps it is read at."""

    def __init__(self, value: float = 1.0):
        self.value, self.steps = value, []

    def __call__(self, step: int) -> float:
        self.steps.append(step)
        return self.value


def test_tok2vec_is_a_trunk_and_duck_typing_is_not():
    nlp = _nlp()
    assert isinstance(nlp.get_pipe("tok2vec"), (Trunk, Tok2Vec)) and is_trunk(nlp.get_pipe("tok2vec"))

    class LooksLikeATrunk:  # has forward_batch, but isn't a Trunk
        def forward_batch(self, docs):
            raise AssertionError("never called")

    assert not is_trunk(LooksLikeATrunk()) and not is_trunk(nlp.get_pipe("tagger"))


def test_trunk_runs_once_per_batch_and_reports_its_gradient():
    torch.manual_seed(0)
    nlp = _nlp()
    examples = _examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    trunk = nlp.get_pipe("tok2vec")
    docs = [eg.predicted for eg in examples]
    with torch.enable_grad():
        first = trunk.forward_batch(docs)
        assert trunk.forward_batch(list(docs)) is first  # memoised on the Docs
    trunk.clear_batch_cache()
    assert trunk.cached_batch(docs) is None
    for _ in range(2):
        losses = nlp.update(examples, sgd=optimizer)
    assert losses["tok2vec"] > 0 and trunk.pop_grad_loss() == 0.0  # update popped it


@pytest.mark.parametrize("value", [-1.0, -0.01, float("nan"), "x", True])
def test_grad_factor_rejects_negative_and_non_numbers(value):
    with pytest.raises(HeronValueError, match=r"\[E388\]"):
        GradFactor(value)


def test_negative_grad_factor_in_a_config_is_coded():
    with pytest.raises(HeronValueError, match=r"\[E388\] grad_factor = -0.5 .*Fix: set grad_factor"):
        _nlp(grad_factor=-0.5)


def test_schedule_returning_a_negative_factor_is_coded_at_that_step():
    nlp = _nlp()
    examples = _examples(nlp)
    optimizer = nlp.initialize(lambda: examples)
    nlp.get_pipe("tagger").model.tok2vec.grad_factor = lambda step: 1.0 - step
    nlp.update(examples, sgd=optimizer, step=1)  # 0.0: fine
    with pytest.raises(HeronValueError, match=r"\[E389\] .* of tagger\.model\.tok2vec returned -1\.0 at "
                                              r"training step 2"):
        nlp.update(examples, sgd=optimizer, step=2)


def test_grad_factor_at_and_apply():
    assert GradFactor(0.5).at(7) == 0.5 and GradFactor(GradFactor(2)).value == 2.0
    ramp = GradFactor(lambda step: min(1.0, step / 10))
    assert ramp.is_schedule and ramp.at(None) == 0.0 and ramp.at(5) == 0.5
    x = torch.ones(3, requires_grad=True)
    (ramp.apply(x, 5) * 2).sum().backward()
    assert torch.equal(x.grad, torch.full((3,), 1.0))
    assert not GradFactor(0.0).apply(x, 3).requires_grad  # 0 detaches
    assert GradFactor(0.5) == 0.5 and GradFactor(0.5) == GradFactor(0.5)


def test_update_without_step_counts_update_calls_per_pipeline():
    nlp, other = _nlp(), _nlp()
    for pipeline in (nlp, other):
        examples = _examples(pipeline)
        pipeline.initialize(lambda: examples)
    recorder = nlp.get_pipe("tagger").model.tok2vec.grad_factor = Recorder()
    nlp.update(_examples(nlp), sgd=False)
    other.update(_examples(other), sgd=False)  # another pipeline's updates don't count
    nlp.update(_examples(nlp), sgd=False)
    nlp.update(_examples(nlp), sgd=False, step=10)
    nlp.update([], sgd=False)  # no examples: not a step
    nlp.update(_examples(nlp), sgd=False)
    assert recorder.steps == [0, 1, 10, 3]


def test_set_grad_step_reaches_every_grad_factor_user():
    nlp = _nlp()
    bind_listeners(nlp)
    set_grad_step(nlp.get_pipe("tagger").model, 42)
    assert nlp.get_pipe("tagger").model.tok2vec.step == 42


def test_replace_listeners_errors_come_from_the_trunk():
    nlp = _nlp()
    with pytest.raises(HeronValueError, match=r"\[E357\].*no listener at 'model.nope'"):
        nlp.replace_listeners("tok2vec", "tagger", ["model.nope"])
    with pytest.raises(HeronValueError, match=r"\[E357\].*not a tok2vec-like component"):
        nlp.replace_listeners("tagger", "tagger", ["model.tok2vec"])
