"""`heron apply --cluster` on Dask distributed (heron/apply/cluster.py, worker.py).

The LocalCluster that `--cluster local:2` starts (2 worker processes, loopback only, no
dashboard) is started once for the module and used through its tcp:// address, so the
tests also exercise the scheduler-address path; its scheduler reports a dead worker's
tasks at once (allowed-failures 0), so the kill test goes through heron's own
resubmission of the partitions whose records are missing. A slow test runs
`heron apply --cluster local:2` end to end. The pipeline is the same initialised
tok2vec + tagger + ner as test_apply.py's: arbitrary but deterministic predictions.
Fast checks of the options and error paths need no cluster.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Set

import pytest
import torch
from typer.testing import CliRunner

import heron
from heron.apply import apply
from heron.apply import cluster as cluster_mod
from heron.apply.worker import worker_stats
from heron.cli import app
from heron.config import import_code
from heron.errors import HeronError

from fakes import trained_tagger_ner

distributed = pytest.importorskip("distributed")
psutil = pytest.importorskip("psutil")

N_ROWS = 14
KILL_TEXT = "KILL this worker once ."
KILL_CODE = '''
import os
import signal
from pathlib import Path

from heron.registry import registry

MARKER = Path({marker!r})


@registry.component("apply_cluster_test_kill_once")
def kill_once(doc):
    """Kills its own worker process at the first KILL document (the marker file says it did)."""
    if "KILL" in doc.text and not MARKER.exists():
        MARKER.write_text("killed", encoding="utf8")
        os.kill(os.getpid(), signal.SIGKILL)
    return doc
'''


def build_nlp() -> Any:
    return trained_tagger_ner(steps=0)


@pytest.fixture(scope="module")
def model_dir(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("apply_cluster") / "model"
    build_nlp().to_disk(path)
    return path


@pytest.fixture(scope="module")
def ref_nlp(model_dir):
    return heron.load(model_dir)


@pytest.fixture
def data(tmp_path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    rows = [{"text": f"Alice met Bob in Paris on day {i} .", "i": i} for i in range(N_ROWS)]
    (folder / "a.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf8")
    (folder / "b.txt").write_text("The river Thames runs through London", encoding="utf8")
    return folder


def texts_of(data: Path) -> List[str]:
    rows = [json.loads(line)["text"] for line in (data / "a.jsonl").read_text(encoding="utf8").splitlines()]
    return rows + [(data / "b.txt").read_text(encoding="utf8")]


def jsonl_rows(path: Path) -> List[Dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf8").splitlines()]


def spawned() -> Set[int]:
    """This process's live descendants, without multiprocessing's resource tracker (started
    once per process by the spawn method, and meant to outlive every cluster)."""
    out = set()
    for proc in psutil.Process().children(recursive=True):
        try:
            if "resource_tracker" not in " ".join(proc.cmdline()) and proc.status() != psutil.STATUS_ZOMBIE:
                out.add(proc.pid)
        except psutil.NoSuchProcess:
            pass
    return out


def listening(pid: int) -> Set[Any]:
    return {c.laddr for c in psutil.Process(pid).net_connections(kind="inet") if c.status == psutil.CONN_LISTEN}


def assert_loopback_only(pids: Set[int], here_before: Set[Any]) -> None:
    """The worker processes, and this process (scheduler, nannies), listen on 127.0.0.1 only."""
    found = {(pid, addr) for pid in pids for addr in listening(pid)}
    found |= {("this process", addr) for addr in listening(os.getpid()) - here_before}
    assert found and all(addr.ip == "127.0.0.1" for _, addr in found), found


@pytest.fixture(scope="module")
def cluster():
    """(address, client) of the LocalCluster `--cluster local:2` starts; on teardown, no
    worker process is left."""
    import dask

    before, here_before = spawned(), listening(os.getpid())
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):
        connection = cluster_mod.connect(distributed, "local", 2, "local:2")
        client = connection.__enter__()
    address = client.scheduler.address
    assert address.startswith("tcp://127.0.0.1:") and len(client.nthreads()) == 2
    assert set(client.nthreads().values()) == {1}
    assert_loopback_only(spawned() - before, here_before)
    yield address, client
    connection.__exit__(None, None, None)
    assert spawned() - before == set()


def stats(client) -> Dict[str, Dict[str, int]]:
    return client.run(worker_stats)


# ---- on the cluster ---------------------------------------------------------------------
@pytest.mark.slow  # ~15 s: starts its own cluster (the fixture's is the same LocalCluster, started once)
def test_local_cluster_through_the_cli(model_dir, ref_nlp, data, tmp_path):
    before = spawned()
    out = tmp_path / "out.heron"
    result = CliRunner().invoke(app, ["apply", str(model_dir), str(data), str(out), "--cluster", "local:2",
                                      "--partition-size", "4", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"Wrote {N_ROWS + 1} document(s)" in result.output
    docs = list(heron.tokens.DocBin().from_disk(out).get_docs(ref_nlp.vocab))
    assert [d.to_json() for d in docs] == [d.to_json() for d in ref_nlp.pipe(texts_of(data))]
    assert spawned() - before == set()  # the cluster's worker processes are gone


def test_cluster_output_equals_nlp_pipe_and_each_worker_loads_once(model_dir, ref_nlp, data, tmp_path, cluster):
    address, client = cluster
    local = apply(model_dir, data, tmp_path / "local.jsonl", partition_size=3, progress=False)
    before = stats(client)
    result = apply(model_dir, data, tmp_path / "out.jsonl", partition_size=3, cluster=address, progress=False)
    after = stats(client)
    assert (result.n_docs, result.n_partitions, result.n_resumed, result.bad) == (N_ROWS + 1, 5, 0, [])
    rows = jsonl_rows(tmp_path / "out.jsonl")
    assert [{k: v for k, v in r.items() if k != "meta"} for r in rows] == [d.to_json() for d in
                                                                           ref_nlp.pipe(texts_of(data))]
    assert (tmp_path / "out.jsonl").read_bytes() == (tmp_path / "local.jsonl").read_bytes() == local.output.read_bytes()
    assert not (tmp_path / "out.jsonl.parts").exists()
    tasks = {w: after[w]["tasks"] - before.get(w, {}).get("tasks", 0) for w in after}
    loads = {w: after[w]["loads"] - before.get(w, {}).get("loads", 0) for w in after}
    assert sum(tasks.values()) == 5
    assert all(n <= 1 for n in loads.values()) and max(tasks.values()) >= 3  # one load served several tasks


def test_cluster_spacy_output_equals_local(model_dir, data, tmp_path, cluster):
    """The workers write .spacy partitions (spaCy's DocBin); the merged file is the local run's."""
    local = apply(model_dir, data, tmp_path / "local.spacy", partition_size=4, progress=False)
    result = apply(model_dir, data, tmp_path / "out.spacy", partition_size=4, cluster=cluster[0], progress=False)
    assert (result.n_docs, result.n_partitions, result.bad) == (local.n_docs, 4, []) == (N_ROWS + 1, 4, [])
    assert (tmp_path / "out.spacy").read_bytes() == (tmp_path / "local.spacy").read_bytes()
    assert not (tmp_path / "out.spacy.parts").exists()


def test_rerun_skips_finished_partitions(model_dir, data, tmp_path, cluster):
    address, client = cluster
    out = tmp_path / "out"
    apply(model_dir, data, out, partition_size=4, cluster=address, progress=False)
    (out / "done" / "part-00001.json").unlink()  # as if the run had died before recording it
    kept = {p.name: p.stat().st_mtime_ns for p in out.glob("part-*") if p.name != "part-00001.heron"}
    before = sum(s["tasks"] for s in stats(client).values())
    result = apply(model_dir, data, out, partition_size=4, cluster=address, progress=False)
    assert (result.n_resumed, result.n_partitions, result.n_docs) == (3, 4, N_ROWS + 1)
    assert sum(s["tasks"] for s in stats(client).values()) == before + 1
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("part-*") if p.name in kept} == kept
    # Everything finished: nothing is submitted (an unreachable cluster isn't even contacted).
    again = apply(model_dir, data, out, partition_size=4, cluster="tcp://127.0.0.1:9", progress=False)
    assert (again.n_resumed, again.n_docs) == (4, N_ROWS + 1)


def test_worker_error_stops_the_run_with_its_partition_named(model_dir, data, tmp_path, cluster):
    if torch.cuda.is_available():
        pytest.skip("needs workers without a GPU (require_gpu must fail on them)")
    with pytest.raises(HeronError, match="E625") as info:
        apply(model_dir, data, tmp_path / "out", partition_size=4, cluster=cluster[0], gpu_id=0, progress=False)
    assert "part-0000" in str(info.value) and "E853" in str(info.value)


def test_killed_worker_partitions_are_rerun_without_duplicates(ref_nlp, data, tmp_path, cluster, monkeypatch):
    """A component SIGKILLs its worker process at the first KILL document; the scheduler
    reports KilledWorker (allowed_failures=0) and heron submits the missing partitions again."""
    marker = tmp_path / "killed.marker"
    code = tmp_path / "kill_once.py"
    code.write_text(KILL_CODE.format(marker=str(marker)), encoding="utf8")
    import_code(code)
    nlp = build_nlp()
    nlp.add_pipe("apply_cluster_test_kill_once")
    nlp.to_disk(tmp_path / "kill_model")
    with (data / "a.jsonl").open("a", encoding="utf8") as f:
        f.write(json.dumps({"text": KILL_TEXT}) + "\n")
    rounds = []
    real_round = cluster_mod._run_round

    def recorded_round(*args, **kwargs):
        rounds.append(real_round(*args, **kwargs))
        return rounds[-1]

    monkeypatch.setattr(cluster_mod, "_run_round", recorded_round)
    result = apply(tmp_path / "kill_model", data, tmp_path / "out.jsonl", partition_size=2, cluster=cluster[0],
                   code=code, progress=False)
    assert marker.exists(), "no worker was killed"
    assert len(rounds) == 2 and "KilledWorker" in " ".join(rounds[0][1]) and rounds[1][1] == []
    assert (result.n_docs, result.bad) == (N_ROWS + 2, [])
    rows = jsonl_rows(tmp_path / "out.jsonl")
    assert [r["text"] for r in rows] == texts_of(data)[:N_ROWS] + [KILL_TEXT, texts_of(data)[-1]]
    expected = list(ref_nlp.pipe([r["text"] for r in rows]))
    assert [{k: v for k, v in r.items() if k != "meta"} for r in rows] == [d.to_json() for d in expected]


# ---- options and errors (no cluster) ---------------------------------------------------
@pytest.mark.parametrize("value,expected", [("local:3", ("local", 3)), (" local:1 ", ("local", 1)),
                                            ("tcp://10.0.0.5:8786", ("address", "tcp://10.0.0.5:8786")),
                                            ("tls://head:8786", ("address", "tls://head:8786"))])
def test_cluster_values(value, expected):
    assert cluster_mod.parse_cluster(value) == expected


@pytest.mark.parametrize("value,detail", [("local:0", "N >= 1"), ("local:two", "whole number"),
                                          ("head:8786", "tcp://HOST:PORT"), ("http://head:8786", "'http'"),
                                          ("tcp://", "host is missing")])
def test_bad_cluster_values_are_e621(value, detail, model_dir, data, tmp_path):
    with pytest.raises(HeronError, match="E621") as info:
        apply(model_dir, data, tmp_path / "out", cluster=value, progress=False)
    assert detail in str(info.value) and "Fix:" in str(info.value)
    assert not (tmp_path / "out").exists()  # refused before any work


def test_without_dask_the_fix_names_the_extra(model_dir, data, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` raises ImportError
    result = CliRunner().invoke(app, ["apply", str(model_dir), str(data), str(tmp_path / "out"),
                                      "--cluster", "local:2"])
    assert result.exit_code == 1 and "E622" in result.output and "pip install heron[dask]" in result.output


def test_n_process_and_worker_threads_checked_with_cluster(model_dir, data, tmp_path):
    with pytest.raises(HeronError, match="E597.*--n-process"):
        apply(model_dir, data, tmp_path / "out", cluster="local:2", n_process=2, progress=False)
    with pytest.raises(HeronError, match="E597.*--worker-threads"):
        apply(model_dir, data, tmp_path / "out", cluster="local:2", worker_threads=0, progress=False)


def test_unreachable_scheduler_is_e623(model_dir, data, tmp_path):
    import dask

    with dask.config.set({"distributed.comm.timeouts.connect": "1s"}):
        with pytest.raises(HeronError, match="E623") as info:
            apply(model_dir, data, tmp_path / "out", cluster="tcp://127.0.0.1:9", progress=False)
    assert "dask worker tcp://127.0.0.1:9 --nthreads 1" in str(info.value)
    # The plan is kept, so the same command resumes once the cluster is up.
    assert (tmp_path / "out" / "manifest.json").exists() and not (tmp_path / "out" / "apply.lock").exists()


def test_records_workers_wrote_elsewhere_are_e627(model_dir, data, tmp_path, monkeypatch):
    """A task that returned but whose record the client can't see: not a shared filesystem."""
    apply(model_dir, data, tmp_path / "out", partition_size=4, progress=False)
    (tmp_path / "out" / "done" / "part-00002.json").unlink()
    layout = heron.apply.outputs.resolve_layout(tmp_path / "out", None)
    plan = heron.apply.outputs.read_manifest(layout)
    monkeypatch.setattr(cluster_mod, "VISIBLE_WAIT_S", 0.0)
    with pytest.raises(HeronError, match="E627.*part-00002"):
        cluster_mod._missing(layout, plan, plan.partitions, reported={0, 1, 2, 3})
    assert [p.id for p in cluster_mod._missing(layout, plan, plan.partitions, reported={0, 1})] == [2]


def test_workers_with_several_threads_warn(recwarn):
    class FakeScheduler:
        address = "tcp://head:8786"

    class FakeClient:
        scheduler = FakeScheduler()

        def __init__(self, nthreads):
            self._nthreads = nthreads

        def nthreads(self):
            return self._nthreads

    with pytest.warns(UserWarning, match="W621.*tcp://w1:1 run 4 threads"):
        cluster_mod._check_workers(FakeClient({"tcp://w1:1": 4, "tcp://w2:1": 1}))
    with pytest.warns(UserWarning, match="W622.*tcp://head:8786"):
        cluster_mod._check_workers(FakeClient({}))


def test_cli_code_is_imported_by_apply_without_a_cluster(tmp_path, data):
    """--code now travels into apply() (which imports it, and hands it to cluster workers)."""
    code, imports = tmp_path / "mark.py", tmp_path / "imports.log"
    code.write_text(f"from pathlib import Path\nfrom heron.registry import registry\n\n"
                    f"with Path({str(imports)!r}).open('a') as f:\n    f.write('imported\\n')\n\n\n"
                    "@registry.component('apply_cluster_test_mark')\n"
                    "def mark(doc):\n    doc.user_data['marked'] = True\n    return doc\n", encoding="utf8")
    import_code(code)
    nlp = heron.blank("en")
    nlp.add_pipe("apply_cluster_test_mark")
    nlp.to_disk(tmp_path / "model")
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["apply", str(tmp_path / "model"), str(data), str(out), "--code", str(code),
                                      "--no-progress"])
    assert result.exit_code == 0, result.output
    assert imports.read_text(encoding="utf8") == "imported\n" * 2  # the test's import, then the command's
    docs = list(heron.tokens.DocBin(store_user_data=True).from_disk(out / "part-00000.heron").get_docs(nlp.vocab))
    assert len(docs) == N_ROWS + 1 and all(d.user_data["marked"] for d in docs)


def test_import_heron_does_not_import_dask():
    code = "import sys, heron, heron.apply, heron.cli; assert not {'dask', 'distributed'} & set(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)
