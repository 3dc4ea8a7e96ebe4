"""heron apply --cluster: docs/s of 1 and 2 Dask workers against nlp.pipe(n_process=1 and 2).

    .venv/bin/python bench/apply_dask.py                    # full size: a quiet machine only
    .venv/bin/python bench/apply_dask.py --model PATH       # any CNN pipeline folder
    .venv/bin/python bench/apply_dask.py --ewt-limit 300 --novel-words 20000 --train-steps 2 \\
        --rounds 1 --results-dir /tmp/apply_dask_smoke     # smoke test

Texts, each set written as one JSONL file (the input of heron apply):
  ewt     every `# text =` sentence of UD English-EWT train, dev and test (short documents)
  novels  paragraphs of the raw-text novels, one from each in turn, --novel-words words in all

Pipeline: --model PATH, else WORK/heron/model/model-best (bench/train_cnn.py) when it
exists, else the CNN benchmark's config (tok2vec + tagger + ner,
bench/configs/heron_tagger_ner_efficiency.cfg) trained for --train-steps steps on
WORK/ewt. Speed does not depend on how well it is trained: same layers, same work per
token. Every system runs torch on one thread per process.

Systems, per text set, alternating within each of --rounds rounds (best round kept):
  pipe n_process=1   nlp.pipe(texts) in this process: the baseline
  pipe n_process=2   nlp.pipe(texts, n_process=2): its worker start-up is included (per call)
  dask 1 worker      heron.apply.apply(model, texts.jsonl, folder, cluster=ADDRESS) on a
  dask 2 workers     running LocalCluster (heron's own settings) of 1 or 2 workers
The Dask clusters are started once, and a warm-up run loads the pipeline on each worker,
so their timings include planning (one read of the input), reading, annotating and
writing partition files and records, but not the cluster start or the pipeline load,
which are reported apart (each happens once per run, whatever the corpus size). The
output is a folder (no merge). nlp.pipe timings read and write nothing.

Overhead per partition: apply() of --tiny-partitions one-word documents with
--partition-size 1, on the warm 1-worker cluster and without a cluster, minus a run of
one such partition, per extra partition (scheduling, reading, writing the partition
file and its record; a run's fixed costs cancel out).

Writes bench/results/apply_dask.{json,md} (--results-dir to write elsewhere).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional

from _common import (
    CONFIGS,
    EWT,
    ONE_THREAD,
    RESULTS,
    WORK,
    ensure_ewt,
    machine_info,
    markdown_table,
    read_conllu,
    require_data,
    shared_data,
    write_results,
)
from _common.novels import round_robin

os.environ.update(ONE_THREAD)  # before torch is imported: one thread per process everywhere

OUT = WORK / "apply_dask"
CONFIG = CONFIGS / "heron_tagger_ner_efficiency.cfg"
SYSTEMS = ("pipe n_process=1", "pipe n_process=2", "dask 1 worker", "dask 2 workers")


def ewt_texts(limit: int) -> List[str]:
    folder = require_data(shared_data("ud_en_ewt"), "apply_dask")
    texts = [s["text"] for split in ("train", "dev", "test")
             for s in read_conllu(folder / f"en_ewt-ud-{split}.conllu") if s["text"]]
    return texts[:limit] if limit else texts


def novel_texts(words: int) -> List[str]:
    folder = require_data(shared_data("raw_text"), "apply_dask")
    return round_robin(sorted(folder.glob("*.txt")), words)


def write_jsonl(path: Path, texts: List[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps({"text": t}, ensure_ascii=False) + "\n" for t in texts), encoding="utf8")


def pipeline(args: argparse.Namespace) -> Path:
    """--model, train_cnn.py's model-best, or the CNN config trained for --train-steps."""
    if args.model is not None:
        return args.model
    trained = WORK / "heron" / "model" / "model-best"
    if trained.is_dir():
        return trained
    model = OUT / f"model-steps{args.train_steps}"
    if not (model / "model-last").is_dir():
        ensure_ewt(EWT)
        subprocess.check_call([sys.executable, "-m", "heron", "train", str(CONFIG), "-o", str(model),
                               "--paths.train", str(EWT / "train.heron"), "--paths.dev", str(EWT / "dev.heron"),
                               "--training.max_steps", str(args.train_steps),
                               "--training.eval_frequency", str(max(1, args.train_steps))])
    return model / "model-last"


def timed(func: Callable[[], Any]) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def start_cluster(n_workers: int) -> Any:
    """A LocalCluster as `--cluster local:N` starts it (heron's connect), entered by hand."""
    import distributed

    from heron.apply.cluster import connect

    connection = connect(distributed, "local", n_workers, f"local:{n_workers}")
    client = connection.__enter__()
    return connection, client


def run_apply(model: Path, data: Path, out: Path, **kwargs: Any) -> Any:
    from heron.apply import apply

    shutil.rmtree(out, ignore_errors=True)
    return apply(model, data, out, progress=False, **kwargs)


def measure_set(name: str, texts: List[str], model: Path, nlp: Any, clusters: Dict[int, str],
                args: argparse.Namespace) -> Dict[str, Any]:
    data = OUT / "inputs" / f"{name}.jsonl"
    write_jsonl(data, texts)
    out = OUT / "outputs" / name
    runs: Dict[str, Callable[[], Any]] = {
        "pipe n_process=1": lambda: sum(1 for _ in nlp.pipe(texts, batch_size=args.batch_size)),
        "pipe n_process=2": lambda: sum(1 for _ in nlp.pipe(texts, batch_size=args.batch_size, n_process=2)),
    }
    for n, address in clusters.items():
        runs[SYSTEMS[1 + n]] = (lambda a=address: run_apply(model, data, out, cluster=a, batch_size=args.batch_size,
                                                            partition_size=args.partition_size))
    seconds: Dict[str, List[float]] = {system: [] for system in runs}
    for r in range(args.rounds):
        for system, run in runs.items():
            seconds[system].append(timed(run))
            print(f"{name} round {r + 1}: {system}: {seconds[system][-1]:.2f} s", flush=True)
    n_words = sum(len(t.split()) for t in texts)
    systems = {s: {"best_s": round(min(v), 3), "docs_per_sec": round(len(texts) / min(v), 1),
                   "words_per_sec": round(n_words / min(v)), "seconds": [round(x, 3) for x in v]}
               for s, v in seconds.items()}
    shutil.rmtree(out, ignore_errors=True)
    return {"n_docs": len(texts), "n_words": n_words, "n_partitions": -(-len(texts) // args.partition_size),
            "systems": systems, "speedups": speedups(systems)}


def speedups(systems: Dict[str, Dict[str, Any]]) -> Dict[str, Optional[float]]:
    def ratio(a: str, b: str) -> Optional[float]:
        if a in systems and b in systems:
            return round(systems[a]["docs_per_sec"] / systems[b]["docs_per_sec"], 2)
        return None

    return {"dask 2 / dask 1 workers": ratio("dask 2 workers", "dask 1 worker"),
            "dask 2 workers / pipe n_process=1": ratio("dask 2 workers", "pipe n_process=1"),
            "dask 2 workers / pipe n_process=2": ratio("dask 2 workers", "pipe n_process=2"),
            "pipe n_process=2 / n_process=1": ratio("pipe n_process=2", "pipe n_process=1")}


def partition_overhead(model: Path, address: str, n: int, rounds: int) -> Dict[str, Any]:
    """Seconds per one-document partition, on the warm 1-worker cluster and locally:
    (T(n partitions) - T(1 partition)) / (n - 1), so a run's fixed costs (planning, the
    local run's pipeline load) cancel out; each T is the best of `rounds` runs."""
    out = OUT / "outputs" / "tiny"
    per: Dict[str, float] = {}
    for label, kwargs in (("dask_1_worker", {"cluster": address}), ("local", {})):
        times = []
        for count in (1, n):
            data = OUT / "inputs" / f"tiny{count}.jsonl"
            write_jsonl(data, ["x"] * count)
            times.append(min(timed(lambda: run_apply(model, data, out, partition_size=1, **kwargs))
                             for _ in range(rounds)))
        per[label] = (times[1] - times[0]) / (n - 1)
    shutil.rmtree(out, ignore_errors=True)
    return {"n_partitions": n, "dask_1_worker_s_per_partition": round(per["dask_1_worker"], 4),
            "local_s_per_partition": round(per["local"], 4)}


def report(data: Dict[str, Any]) -> str:
    rows = []
    for name, result in data["sets"].items():
        for system, r in result["systems"].items():
            rows.append([name, system, f"{r['docs_per_sec']:,}", f"{r['words_per_sec']:,}", r["best_s"]])
    lines = ["## heron apply --cluster (Dask) vs nlp.pipe: docs/s, torch at 1 thread per process\n",
             markdown_table(["texts", "system", "docs/s", "words/s", "best s"], rows), ""]
    for name, result in data["sets"].items():
        ratios = ", ".join(f"{k}: **{v}x**" for k, v in result["speedups"].items() if v is not None)
        lines.append(f"- {name}: {result['n_docs']:,} docs, {result['n_words']:,} words, "
                     f"{result['n_partitions']} partitions of {data['partition_size']}; {ratios}")
    o = data["overhead"]
    lines += ["", f"Overhead per partition ({o['n_partitions']} one-word partitions): "
              f"{o['dask_1_worker_s_per_partition'] * 1000:.1f} ms on a warm 1-worker Dask cluster, "
              f"{o['local_s_per_partition'] * 1000:.1f} ms in a local run. Cluster start: "
              + ", ".join(f"{n} worker(s) {s} s" for n, s in data["cluster_start_s"].items())
              + "; warm-up (pipeline load on each worker + a first run): "
              + ", ".join(f"{n} worker(s) {s} s" for n, s in data["warmup_s"].items()) + ".",
              "", f"Pipeline: {data['model']}. Batch size {data['batch_size']}, best of {data['rounds']} "
              "alternating rounds. Dask timings include planning, reading the JSONL input and writing "
              "partition files (a folder output, no merge); nlp.pipe timings read and write nothing.",
              "", "Reproduce: `.venv/bin/python bench/apply_dask.py`", "", f"Machine: {json.dumps(data['machine'])}"]
    return "\n".join(lines)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, default=None, help="a CNN pipeline folder (default: see the docstring)")
    ap.add_argument("--train-steps", type=int, default=200, help="steps when the pipeline is trained here")
    ap.add_argument("--ewt-limit", type=int, default=0, help="first N EWT sentences only (0: all)")
    ap.add_argument("--novel-words", type=int, default=500_000)
    ap.add_argument("--partition-size", type=int, default=250)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--tiny-partitions", type=int, default=40, help=">= 2")
    ap.add_argument("--results-dir", type=Path, default=RESULTS)
    args = ap.parse_args(argv)
    try:
        import dask
        import distributed
    except ImportError:
        raise SystemExit("apply_dask: pip install -e '.[dask]' (Dask distributed)")
    import torch

    import heron

    torch.set_num_threads(1)
    sets = {"ewt": ewt_texts(args.ewt_limit), "novels": novel_texts(args.novel_words)}
    model = pipeline(args)
    nlp = heron.load(model)
    clusters, connections, start_s, warmup_s = {}, [], {}, {}
    try:
        for n in (1, 2):
            begin = time.perf_counter()
            connection, client = start_cluster(n)
            connections.append(connection)
            start_s[n] = round(time.perf_counter() - begin, 2)
            clusters[n] = client.scheduler.address
            warm = OUT / "inputs" / "warmup.jsonl"
            write_jsonl(warm, sets["ewt"][:20])
            warmup_s[n] = round(timed(lambda: run_apply(model, warm, OUT / "outputs" / "warmup",
                                                        cluster=clusters[n], partition_size=5)), 2)
        results = {name: measure_set(name, texts, model, nlp, clusters, args) for name, texts in sets.items()}
        overhead = partition_overhead(model, clusters[1], args.tiny_partitions, args.rounds)
    finally:
        for connection in reversed(connections):  # last in, first out: each restores the log level it found
            connection.__exit__(None, None, None)
    data = {"sets": results, "overhead": overhead, "cluster_start_s": start_s, "warmup_s": warmup_s,
            "model": str(model), "batch_size": args.batch_size, "partition_size": args.partition_size,
            "rounds": args.rounds, "settings": {k: str(v) for k, v in vars(args).items()},
            "machine": machine_info({"dask": dask.__version__, "distributed": distributed.__version__})}
    write_results("apply_dask", data, report(data), folder=args.results_dir)
    return 0


if __name__ == "__main__":  # Dask's workers start by spawning, which imports this file again
    sys.exit(main())
