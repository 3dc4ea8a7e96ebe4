"""grad_factor settings are checked before training starts (issue 15 item 8).

A number < 0 is refused when the listener is built (E388). A schedule is read at every step
the run can reach by `prepare_training` (what `heron train` and `heron debug config` call),
so one that turns negative (E389) or fails (E519) at step N, or that lets gradients into a
frozen trunk at step N (E354), stops the run before it starts, not N steps into it.
"""
import pytest
from confection import Config

import heron
from heron.errors import HeronValueError
from heron.tokens import Doc, DocBin
from heron.training.initialize import prepare_training

from fakes import TINY_TAGGER_TRAIN_CONFIG

CONFIG = TINY_TAGGER_TRAIN_CONFIG + """[training]
max_steps = 100
"""


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    path = tmp_path_factory.mktemp("grad_factor_checks") / "train.heron"
    vocab = heron.blank("en").vocab
    DocBin(docs=[Doc(vocab, words=["Ada", "codes"], tags=["NNP", "VBZ"])]).to_disk(path)
    return str(path)


def _config(corpus, grad_factor=None, **training):
    config = Config().from_str(CONFIG, interpolate=False)
    config["paths"].update({"train": corpus, "dev": corpus})
    if grad_factor is not None:
        config["components"]["tagger"]["model"]["tok2vec"]["grad_factor"] = grad_factor
    config["training"].update(training)
    return config


def _decaying(decay):
    """base 1 / (1 + decay * step): negative from step 3 for decay -0.4, 1/0 at step 2 for -0.5."""
    return {"@schedules": "heron.decaying.v1", "base_rate": 1.0, "decay": decay}


def test_a_negative_number_is_refused_when_built(corpus):
    with pytest.raises(HeronValueError, match="E388"):
        prepare_training(_config(corpus, -0.5))


def test_a_schedule_turning_negative_is_refused_before_training(corpus):
    with pytest.raises(HeronValueError, match=r"E389.*tagger\.model\.tok2vec.*step 3"):
        prepare_training(_config(corpus, _decaying(-0.4)))


def test_a_schedule_turning_negative_after_max_steps_is_accepted(corpus):
    setup = prepare_training(_config(corpus, _decaying(-0.4), max_steps=2))
    assert setup.nlp.get_pipe("tagger").model.tok2vec.step is None  # left as built


def test_a_failing_schedule_is_a_coded_error(corpus):
    with pytest.raises(HeronValueError, match=r"E519.*tagger\.model\.tok2vec.*ZeroDivisionError.*step 2"):
        prepare_training(_config(corpus, _decaying(-0.5)))


def test_unlimited_runs_are_checked_for_the_first_steps(corpus):
    from heron.training.initialize import SCHEDULE_CHECK_STEPS

    late = {"@schedules": "heron.decaying.v1", "base_rate": 1.0, "decay": -1 / 5000.5}  # < 0 after 5000
    with pytest.raises(HeronValueError, match="E389"):
        prepare_training(_config(corpus, late, max_steps=0))
    assert SCHEDULE_CHECK_STEPS > 5000


def test_a_schedule_opening_a_frozen_trunk_later_is_refused(corpus):
    ramp = {"@schedules": "heron.warmup_linear.v1", "initial_rate": 1.0, "warmup_steps": 10,
            "total_steps": 100}  # 0 at step 0, > 0 from step 1
    with pytest.raises(HeronValueError, match="E354"):
        prepare_training(_config(corpus, ramp, frozen_components=["tok2vec"]))
    zero = {"@schedules": "heron.constant.v1", "rate": 0.0}
    prepare_training(_config(corpus, zero, frozen_components=["tok2vec"]))  # never opens: fine
