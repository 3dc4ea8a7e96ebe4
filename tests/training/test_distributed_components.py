"""The data-parallel step trains every component like nlp.update does.

In a real one-rank gloo group (no processes started), each row of the contract table
(tests/pipeline/test_contract.py: every trainable component) trains 4 steps with
accumulate_gradient = 2 through heron/training/distributed.py's DDP step, over a CNN
listener and a transformer listener (and the inline trunks for the tagger), and must end
with the weights nlp.update gives on the same batches. The 2-process equality with one
process on the global batch is tests/training/test_distributed.py's.
"""
import importlib.util
import sys
from pathlib import Path

import pytest
import torch

from heron.language import Language
from heron.pipeline.update import trainable_parameter_groups
from heron.training.loop import train_while_improving
from heron.training.optim import Adam

TESTS = Path(__file__).resolve().parents[1]


def _module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


if str(TESTS / "pipeline") not in sys.path:  # the table's rows import their test modules' data
    sys.path.insert(0, str(TESTS / "pipeline"))
CONTRACT = _module("_contract_table", TESTS / "pipeline" / "test_contract.py")
WORKER = _module("_ddp_worker_for_components", TESTS / "training" / "_ddp_worker.py")
ROWS = [(case, trunk) for trunk in CONTRACT.TRUNKS if trunk.name in ("cnn_listener", "trf_listener")
        for case in CONTRACT.CASES]
ROWS += [(CONTRACT.CASES[0], trunk) for trunk in CONTRACT.TRUNKS if trunk.name in ("cnn_inline", "trf_inline")]


@pytest.fixture(scope="module")
def one_rank():
    with WORKER.one_rank_group() as run:
        yield run


def _train(case, trunk, model_dir, run):
    torch.manual_seed(0)
    nlp = Language.from_config(CONTRACT._config(case, trunk, model_dir))
    examples = case.examples(nlp)
    nlp.initialize(lambda: examples)
    weights = lambda: {f"{c}.{k}": v.detach().clone() for c, p in nlp.components  # noqa: E731
                       for k, v in p.model.state_dict().items()}
    start = weights()
    batches = [(0, examples[i:i + 2]) for i in range(0, len(examples), 2)] * 2
    optimizer = Adam(learn_rate=0.01)(trainable_parameter_groups(nlp))
    list(train_while_improving(nlp, optimizer, iter(batches), lambda: (0.0, {}), dropout=0.0, eval_frequency=100,
                               accumulate_gradient=2, patience=0, max_steps=0, exclude=[],
                               annotating_components=[], distributed=run))
    return start, weights()


@pytest.mark.parametrize("case,trunk", ROWS, ids=[f"{c.factory}-{t.name}" for c, t in ROWS])
def test_ddp_step_trains_like_nlp_update(case, trunk, one_rank, request):
    model_dir = request.getfixturevalue("tiny_bert_dir") if trunk.transformer else None
    start, single = _train(case, trunk, model_dir, None)
    _, ddp = _train(case, trunk, model_dir, one_rank)
    assert max((single[k].float() - start[k].float()).abs().max().item() for k in start if start[k].numel()) > 1e-3
    for key, value in single.items():
        torch.testing.assert_close(ddp[key], value, atol=1e-5, rtol=1e-4, msg=key)
