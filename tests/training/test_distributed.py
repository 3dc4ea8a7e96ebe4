"""Data-parallel training under torchrun (heron/training/distributed.py): CPU, gloo.

Fast: batch sharding, the torchrun environment and settings checks, the loop's rank-0-only
evaluation with a stand-in rank, and the DDP step in a real one-rank gloo group against
nlp.update (tests/training/_ddp_worker.py trains a tiny tok2vec + tagger + ner). Slow (each
starts processes, ~15-30 s on 2 busy cores): 2 ranks (plain subprocesses with torchrun's
environment variables) end with the weights of one process trained on the same global
batches, and rank 0's saved pipeline loads and predicts; a failing rank stops the other with
E238; `heron train` under real torchrun writes model-best, model-last and the log once.
"""
import importlib.util
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from safetensors.torch import load_file

import heron
from heron.errors import HeronValueError
from heron.tokens import Doc, DocBin
from heron.training import distributed, loop

from fakes import TINY_TAGGER_TRAIN_CONFIG

WORKER = Path(__file__).with_name("_ddp_worker.py")
REPO = Path(__file__).resolve().parents[2]
TORCHRUN_VARS = ("WORLD_SIZE", "RANK", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT")


# ---- fast: pieces ---------------------------------------------------------------------
def test_shard_batches_takes_every_nth_and_drops_an_incomplete_group():
    batches = [(e, [f"{e}-{i}"]) for e in range(2) for i in range(5)]
    shards = [list(distributed.shard_batches(batches, rank, 2)) for rank in range(2)]
    assert [b[0] for _, b in shards[0]] == ["0-0", "0-2", "1-0", "1-2"]
    assert [b[0] for _, b in shards[1]] == ["0-1", "0-3", "1-1", "1-3"]
    assert [e for e, _ in shards[0]] == [0, 0, 1, 1]  # batch 4 of each epoch dropped on both
    with pytest.raises(HeronValueError, match="E236"):
        list(distributed.shard_batches([(0, ["a"]), (1, ["b"])], 0, 2))  # 1 batch per epoch, 2 ranks
    with pytest.raises(HeronValueError, match="E236"):
        list(distributed.shard_batches([(0, ["a"])], 1, 3))


def test_same_shuffle_on_every_rank_whatever_the_global_generator():
    import random

    corpus = lambda nlp: iter(range(10))  # noqa: E731
    batcher = lambda items: ([x] for x in items)  # noqa: E731
    orders = []
    for global_seed in (1, 2):
        random.seed(global_seed)  # ranks draw from the global one differently while training
        pairs = loop.create_train_batches(None, corpus, batcher, 2, rng=random.Random(7))
        orders.append([b[0] for _, b in pairs])
    assert orders[0] == orders[1] and sorted(orders[0][:10]) == list(range(10))


def test_torchrun_environment(monkeypatch):
    for name in TORCHRUN_VARS:
        monkeypatch.delenv(name, raising=False)
    assert distributed.torchrun_world() is None
    monkeypatch.setenv("WORLD_SIZE", "1")
    assert distributed.torchrun_world() is None  # torchrun --nproc_per_node 1: one process
    monkeypatch.setenv("WORLD_SIZE", "2")
    with pytest.raises(HeronValueError, match=r"E233.*RANK is not set"):
        distributed.torchrun_world()
    env = {"RANK": "1", "LOCAL_RANK": "1", "MASTER_ADDR": "127.0.0.1", "MASTER_PORT": "29500"}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert distributed.torchrun_world() == (1, 2, 1)
    monkeypatch.setenv("RANK", "one")
    with pytest.raises(HeronValueError, match=r"E233.*'one', not an integer"):
        distributed.torchrun_world()
    monkeypatch.setenv("RANK", "2")
    with pytest.raises(HeronValueError, match="E233.*not in 0..WORLD_SIZE-1"):
        distributed.torchrun_world()


def test_backend_and_timeout_checks(monkeypatch):
    assert distributed.resolve_backend("auto", -1) == "gloo"
    with pytest.raises(HeronValueError, match="E230"):
        distributed.resolve_backend("mpi", -1)
    with pytest.raises(HeronValueError, match="E231"):
        distributed.resolve_backend("nccl", -1)
    for bad in (0, -5, "10", True):
        with pytest.raises(HeronValueError, match="E235"):
            distributed.check_timeout(bad)
    monkeypatch.delenv("WORLD_SIZE", raising=False)
    with distributed.distributed_training() as run:  # no torchrun: nothing happens
        assert run is None
    with pytest.raises(HeronValueError, match="E230"):  # a typo is reported without torchrun too
        with distributed.distributed_training(backend="glo"):
            pass


class _FakeRank:
    """A stand-in DistributedRun: rank 0 or 1 of 2, with a fixed 'rank 0 score'."""

    world_size = 2

    def __init__(self, rank):
        self.rank = rank
        self.is_main = rank == 0
        self.shared = []

    def update(self, nlp, subs, *, drop, losses, exclude, annotates, step):
        losses["tagger"] = losses.get("tagger", 0.0) + 1.0
        return 2 * sum(len(eg) for sub in subs for eg in sub), 2 * sum(len(sub) for sub in subs)

    def share_score(self, score):
        self.shared.append(score)
        return 0.75

    def mean_losses(self, losses):
        return {k: v / 2 for k, v in losses.items()}


class _Opt:
    learn_rate = 0.001
    last_score = None

    def step(self):
        pass

    def zero_grad(self):
        pass

    def use_params(self):
        import contextlib

        return contextlib.nullcontext()


@pytest.mark.parametrize("rank", [0, 1])
def test_only_rank_0_evaluates_and_all_ranks_get_its_score(rank):
    evaluated = []
    run = _FakeRank(rank)
    data = ((0, ["abc", "de"]) for _ in range(5))
    out = list(loop.train_while_improving(
        None, _Opt(), data, lambda: evaluated.append(1) or (0.5, {"tag_acc": 0.5}), dropout=0.0,
        eval_frequency=2, accumulate_gradient=1, patience=0, max_steps=3, exclude=(),
        annotating_components=(), distributed=run))
    assert len(evaluated) == (2 if rank == 0 else 0)
    assert run.shared == ([0.5, 0.5] if rank == 0 else [None, None])
    assert [info["score"] for _, info, _ in out] == [0.75, None, 0.75, None]
    assert out[-1][1]["words"] == 4 * 2 * 5 and out[-1][1]["examples"] == 4 * 2 * 2  # all ranks
    assert out[2][1]["losses"] == {"tagger": 1.0}  # 2 steps since the last evaluation, 2 ranks


# ---- multi-process ---------------------------------------------------------------------
def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k not in TORCHRUN_VARS}
    env.update(OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]))
    env.update(extra)
    return env


def _two_ranks(mode, out, timeout=240):
    """Run the worker as ranks 0 and 1 of a 2-process group; [(returncode, output)]."""
    port = str(_free_port())
    procs = []
    for rank in range(2):
        env = _env(WORLD_SIZE="2", RANK=str(rank), LOCAL_RANK=str(rank), MASTER_ADDR="127.0.0.1",
                   MASTER_PORT=port)
        procs.append(subprocess.Popen([sys.executable, str(WORKER), mode, str(out)], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
    results = []
    try:
        for proc in procs:
            output, _ = proc.communicate(timeout=timeout)
            results.append((proc.returncode, output))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    return results


def _load_worker():
    spec = importlib.util.spec_from_file_location("_ddp_worker", WORKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _weights(path):
    return load_file(str(path))


def _assert_same_training(single_dir, ddp_dir, variant, worker):
    """The DDP run's weights, counts, scores and logged losses equal the one-process run's."""
    single = _weights(single_dir / f"single-{variant}.safetensors")
    ddp = _weights(ddp_dir / f"ddp-{variant}.safetensors")
    assert single.keys() == ddp.keys()
    lengths, _, _, frozen, grad_factor = worker.VARIANTS[variant]
    initial, _ = worker.build(lengths, grad_factor)
    start = {f"{c}.{k}": v for c, p in initial.components for k, v in p.model.state_dict().items()}
    moved = max((single[k] - start[k]).abs().max().item() for k in single)
    assert moved > 1e-3  # training changed the weights, so equality below means something
    for key, value in single.items():
        torch.testing.assert_close(ddp[key], value, atol=2e-5, rtol=1e-4, msg=key)
    untouched = set(frozen) | ({"tok2vec"} if grad_factor == 0 else set())
    for key in single:  # frozen, or no gradient at all (not even Adam's momentum or L2 moves it)
        if key.split(".")[0] in untouched:
            assert torch.equal(single[key], start[key]) and torch.equal(ddp[key], start[key]), key
    a, b = (json.loads((folder / f"{kind}-{variant}.json").read_text())
            for folder, kind in ((single_dir, "single"), (ddp_dir, "ddp")))
    assert a["words"] == b["words"] and a["examples"] == b["examples"]  # global counts
    assert a["scores"] == b["scores"] and a["scores"][1] is None
    for la, lb in zip(a["losses"][::2], b["losses"][::2]):  # logged (at evaluations): the global batch's
        assert la.keys() == lb.keys()
        for name in la:
            if name != "tok2vec":
                assert lb[name] == pytest.approx(la[name], rel=1e-4)


@pytest.fixture(scope="module")
def worker():
    return _load_worker()


@pytest.fixture
def one_rank(worker):
    with worker.one_rank_group() as run:
        yield run


@pytest.mark.parametrize("variant", ["a", "b", "c"])
def test_ddp_step_of_one_rank_trains_like_nlp_update(one_rank, worker, tmp_path, variant):
    """The DDP code path (one module, no_sync, find_unused_parameters, frozen components
    left out, grad_factor 0) against nlp.update, on the same batches."""
    worker.run_variant(variant, tmp_path, one_rank)
    worker.run_variant(variant, tmp_path, None, merge=1)
    _assert_same_training(tmp_path, tmp_path, variant, worker)


@pytest.fixture(scope="module")
def two_rank_runs(tmp_path_factory, worker):
    out = tmp_path_factory.mktemp("ddp")
    results = _two_ranks("equal", out)
    assert all(rc == 0 for rc, _ in results), "\n".join(text[-3000:] for _, text in results)
    for name in worker.VARIANTS:  # one process, the same global batches
        worker.run_variant(name, out, None)
    return out


@pytest.mark.slow  # 2 processes starting torch: ~30 s on 2 busy cores
@pytest.mark.parametrize("variant", ["a", "b", "c"])
def test_two_ranks_end_with_the_weights_of_one_process_on_the_global_batch(two_rank_runs, worker, variant):
    _assert_same_training(two_rank_runs, two_rank_runs, variant, worker)


@pytest.mark.slow
def test_model_saved_by_rank_0_loads_and_predicts(two_rank_runs):
    nlp = heron.load(two_rank_runs / "ddp-a-model")
    doc = nlp("the big cat sees Alice")
    tagger = nlp.get_pipe("tagger")
    assert len(doc) == 5 and all(t.tag_ in tagger.labels for t in doc)
    assert all(e.label_ in ("PER", "LOC", "ORG") for e in doc.ents)


@pytest.mark.slow
def test_failing_rank_stops_the_other_with_e238(tmp_path):
    (rc0, out0), (rc1, out1) = _two_ranks("fail", tmp_path, timeout=180)
    assert rc1 != 0 and "deliberate failure of rank 1" in out1
    assert rc0 != 0 and "[E238] Training process 0 of 2 stopped at step 1" in out0


# ---- heron train under torchrun --------------------------------------------------------
CONFIG = TINY_TAGGER_TRAIN_CONFIG + """
[training]
seed = 3
max_steps = 4
eval_frequency = 2
dropout = 0.1

[training.batcher]
@batchers = "heron.batch_by_sequence.v1"
size = 2

[training.optimizer]
@optimizers = "heron.Adam.v1"
learn_rate = 0.01
"""


@pytest.mark.slow
def test_heron_train_under_torchrun(tmp_path):
    vocab = heron.blank("en").vocab
    words = [["Ada", "codes", "."], ["Bob", "sleeps", "well", "."], ["Cy", "runs", "."]] * 4
    tags = {"Ada": "NNP", "Bob": "NNP", "Cy": "NNP", "codes": "VBZ", "sleeps": "VBZ", "runs": "VBZ",
            "well": "RB", ".": "."}
    docs = [Doc(vocab, words=w, tags=[tags[x] for x in w]) for w in words]
    DocBin(docs=docs).to_disk(tmp_path / "train.heron")
    DocBin(docs=docs[:3]).to_disk(tmp_path / "dev.heron")
    (tmp_path / "config.cfg").write_text(CONFIG)
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", "2",
           "-m", "heron", "train", str(tmp_path / "config.cfg"), "-o", str(tmp_path / "out"),
           "--paths.train", str(tmp_path / "train.heron"), "--paths.dev", str(tmp_path / "dev.heron")]
    done = subprocess.run(cmd, env=_env(), capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.stderr.count("Initialized pipeline") == 1  # rank 0 speaks for both
    assert "2 processes (torchrun, gloo)" in done.stderr and done.stdout.count("Saved pipeline") == 1
    records = [json.loads(line) for line in (tmp_path / "out" / "train_log.jsonl").read_text().splitlines()]
    assert [r["step"] for r in records] == [0, 2, 4]  # written once, by rank 0
    # batch_by_sequence size 2: each of the 5 steps trains 2 ranks x 2 sentences of 3-4 words
    assert records[-1]["words"] >= 5 * 4 * 3
    for name in ("model-best", "model-last"):
        nlp = heron.load(tmp_path / "out" / name)
        assert all(t.tag_ in set(tags.values()) for t in nlp("Bob codes ."))
