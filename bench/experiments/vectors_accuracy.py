"""Do static vectors help? tok2vec + tagger + ner with and without vectors, several seeds.

    .venv/bin/python bench/build_ewt_multitask.py      # EWT corpus (once)
    .venv/bin/python bench/experiments/train_vectors.py      # gensim vectors, imported (once)
    .venv/bin/python bench/experiments/vectors_accuracy.py [--seeds 3] [--arms none,w2v,ft-floret]
        [--full-arms none,ft-floret] [--sizes 1000,full]

Arms: `none` (hash embeddings only, bench/configs/heron_tagger_ner_efficiency.cfg), and one
arm per imported vectors table in VECTORS (bench/_common; `w2v`, `ft`, `ft-floret`): the
same config with `include_static_vectors = true` and `[initialize] vectors` set.
Sizes: `1000` = 1,000 EWT train sentences (random, fixed), `full` = all of EWT train.
Every run: one thread, model-best (by dev) scored on EWT test. Low-data runs train at most
1,500 steps (eval every 100, patience 600); full runs 3,000 (eval every 200, patience 1,600).
Runs land in RUNS (bench/_common), shared with bench/cnn_variants.py (full-none-s0,
full-ft-floret-s0) and bench/experiments/pretrain_cnn.py (the `none` runs).
Writes bench/results/experiments/vectors_accuracy.json and .md.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import (  # noqa: E402
    CONFIGS,
    EWT,
    EXPERIMENT_RESULTS,
    RUNS,
    VECTORS,
    machine_info,
    markdown_table,
    require_data,
    write_results,
)
from _common.seeds import STEPS, data_paths, fmt, summarize, train_runs  # noqa: E402

CFG = CONFIGS / "heron_tagger_ner_efficiency.cfg"


def arm_overrides(arm: str) -> List[str]:
    if arm == "none":
        return []
    path = require_data(VECTORS / arm, f"vectors_accuracy (run bench/experiments/train_vectors.py for {arm})")
    return ["--paths.vectors", str(path), "--components.tok2vec.model.embed.include_static_vectors", "true"]


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--arms", default="none,w2v,ft-floret", help="arms on the 1,000-sentence set")
    ap.add_argument("--full-arms", default="none,ft-floret",
                    help="arms on the full set (the best low-data table, to keep the run short)")
    ap.add_argument("--sizes", default="1000,full")
    ap.add_argument("--workers", type=int, default=2, help="training processes at once (1 thread each)")
    args = ap.parse_args(argv)
    require_data(EWT / "train.heron", "vectors_accuracy (run bench/build_ewt_multitask.py first)")
    arms, sizes = args.arms.split(","), args.sizes.split(",")
    jobs, keys = [], []
    for size in sizes:
        paths = data_paths(None if size == "full" else int(size), RUNS)
        for arm in (args.full_arms.split(",") if size == "full" else arms):
            for seed in range(args.seeds):
                jobs.append({"cfg": CFG, "out": RUNS / f"{size}-{arm}-s{seed}", "seed": seed,
                             "overrides": [*STEPS[size], *arm_overrides(arm)], **paths})
                keys.append((size, arm))
    results = train_runs(jobs, workers=args.workers)
    runs: Dict[str, Dict[str, List[Dict[str, Any]]]] = {}
    for (size, arm), res in zip(keys, results):
        runs.setdefault(size, {}).setdefault(arm, []).append(res)
    data = {"machine": machine_info(), "runs": runs,
            "summary": {s: {a: summarize(r) for a, r in by_arm.items()} for s, by_arm in runs.items()}}
    write_results("vectors_accuracy", data, report(data), EXPERIMENT_RESULTS)
    return 0


def report(data: Dict[str, Any]) -> str:
    m = data["machine"]
    rows = []
    for size, by_arm in data["summary"].items():
        for arm, s in by_arm.items():
            rows.append([size, arm, s["n"], fmt(s["tag_acc"]), fmt(s["ents_f"]),
                         f"{s['tag_acc']['min']:.2f}–{s['tag_acc']['max']:.2f}",
                         f"{s['ents_f']['min']:.2f}–{s['ents_f']['max']:.2f}", f"{s['best_step']['mean']:.0f}"])
    return "\n".join([
        f"# Static vectors: accuracy with and without ({m['cpu_count']} cores, torch {m['torch']})", "",
        "EWT test, model-best by dev; mean ± sample std over seeds, and the range. Vectors from "
        "bench/experiments/train_vectors.py (4.8M words: raw_text novels + EWT train; 100 dims): `w2v` = word2vec "
        "CBOW word table (30k rows), `ft-floret` = fastText skip-gram imported with `--mode floret` "
        "(word rows + 200k subword buckets: unseen words get vectors). The tok2vec is the efficiency "
        "CNN (width 96, depth 4) with the vectors projected and mixed into the hash embeddings.", "",
        markdown_table(["train size", "vectors", "seeds", "TAG", "ENTS F", "TAG range", "ENTS F range",
                        "steps to best dev"], rows), "",
        "Command: `.venv/bin/python bench/experiments/vectors_accuracy.py`"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
