"""Multi-seed training harness shared by bench/cnn_variants.py and the vectors and
pretraining studies.

Each arm (a config plus overrides) is trained with `heron train` on N seeds, in its own
single-threaded process (two processes at a time on this 2-core machine), model-best is
scored on EWT test with `heron evaluate`, and the steps to the best dev score are read
from train_log.jsonl. `summarize` gives mean, sample standard deviation, min and max.
Callers put each run in RUNS/{size}-{arm}-s{seed} (bench/_common); a finished run is reused.
"""
from __future__ import annotations

import json
import random
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence

from _common import EWT, thread_env

# Step budgets: low-data runs converge quickly; full runs match bench/train_cnn.py.
STEPS = {
    "1000": ["--training.max_steps", "1500", "--training.eval_frequency", "100", "--training.patience", "600"],
    "full": ["--training.max_steps", "3000", "--training.eval_frequency", "200", "--training.patience", "1600"],
}


def sentence_subset(src: Path, n_sents: int, out: Path, *, seed: int = 0) -> Path:
    """A DocBin of `n_sents` sentences drawn at random (fixed seed) from the docs in `src`.

    EWT train Docs are whole documents; the low-data arms train on single sentences, the
    same ones for every arm and seed.
    """
    import heron
    from heron.tokens import DocBin

    if out.exists():
        return out
    nlp = heron.blank("en")
    sents = [s.as_doc() for doc in DocBin().from_disk(src).get_docs(nlp.vocab) for s in doc.sents]
    picked = random.Random(seed).sample(range(len(sents)), n_sents)
    db = DocBin(store_user_data=False)
    for i in sorted(picked):
        db.add(sents[i])
    out.parent.mkdir(parents=True, exist_ok=True)
    db.to_disk(out)
    print(f"subset: {n_sents} of {len(sents)} sentences -> {out}", flush=True)
    return out


def train_eval(cfg: Path, out: Path, *, train: Path, dev: Path, test: Path, seed: int,
               overrides: Sequence[str] = ()) -> Dict[str, Any]:
    """Train one arm/seed (reusing a finished run in `out`), score model-best on test."""
    scores_path = out / "test_scores.json"
    if scores_path.exists():
        return json.loads((out / "result.json").read_text())
    out.mkdir(parents=True, exist_ok=True)
    env = thread_env(1)
    cmd = [sys.executable, "-m", "heron", "train", str(cfg), "-o", str(out / "model"),
           "--paths.train", str(train), "--paths.dev", str(dev), "--system.seed", str(seed), *overrides]
    start = time.perf_counter()
    with open(out / "train.log", "w") as f:
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, env=env)
    wall = time.perf_counter() - start
    if rc != 0:
        raise RuntimeError(f"training failed (rc={rc}): {' '.join(cmd)}; see {out / 'train.log'}")
    subprocess.check_call([sys.executable, "-m", "heron", "evaluate", str(out / "model" / "model-best"),
                           str(test), "--output", str(scores_path)], env=env, stdout=subprocess.DEVNULL)
    scores = json.loads(scores_path.read_text())
    log = [json.loads(line) for line in (out / "model" / "train_log.jsonl").read_text().splitlines() if line.strip()]
    best = max(log, key=lambda r: r["score"])
    result = {"seed": seed, "tag_acc": scores["tag_acc"], "ents_f": scores["ents_f"],
              "best_step": best["step"], "last_step": log[-1]["step"], "train_wall_s": round(wall, 1)}
    (out / "result.json").write_text(json.dumps(result, indent=2) + "\n")
    print(f"  {out.name}: TAG {result['tag_acc']:.4f} ENTS F {result['ents_f']:.4f} "
          f"best step {result['best_step']} ({wall:.0f} s)", flush=True)
    return result


def train_runs(jobs: List[Dict[str, Any]], workers: int = 2) -> List[Dict[str, Any]]:
    """jobs: kwargs for train_eval (cfg, out, train, dev, test, seed, overrides)."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(lambda job: train_eval(**job), jobs))


def summarize(runs: List[Dict[str, Any]]) -> Dict[str, Any]:
    """Mean, sample std, min, max of TAG / ENTS F (percent) and best steps over seeds."""
    out: Dict[str, Any] = {"n": len(runs)}
    for key in ("tag_acc", "ents_f", "best_step"):
        values = [r[key] * (100 if key != "best_step" else 1) for r in runs]
        out[key] = {"mean": statistics.mean(values),
                    "std": statistics.stdev(values) if len(values) > 1 else 0.0,
                    "min": min(values), "max": max(values)}
    return out


def fmt(stat: Dict[str, float], digits: int = 2) -> str:
    return f"{stat['mean']:.{digits}f} ± {stat['std']:.{digits}f}"


def data_paths(n_sents: Optional[int], work: Path) -> Dict[str, Path]:
    """train/dev/test DocBins: the full EWT train set or an n-sentence subset of it."""
    train = EWT / "train.heron" if not n_sents else sentence_subset(
        EWT / "train.heron", n_sents, work / f"train-{n_sents}.heron")
    return {"train": train, "dev": EWT / "dev.heron", "test": EWT / "test.heron"}
