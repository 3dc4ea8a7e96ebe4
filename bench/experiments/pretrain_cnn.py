"""Does `heron pretrain` help? Pretrain the CNN trunk on raw novels, then train tok2vec +
tagger + ner on EWT (+ UNER entities) with and without the pretrained weights.

    .venv/bin/python bench/build_ewt_multitask.py                     # corpus (once)
    .venv/bin/python bench/experiments/pretrain_cnn.py --max-minutes 30 --seeds 3 \
        [--objective characters vectors --vectors /tmp/heron-bench/vectors/w2v]
    .venv/bin/python bench/experiments/pretrain_cnn.py --smoke        # a few steps of everything

1. Pretraining: the trunk of bench/configs/heron_tagger_ner_efficiency.cfg (width 96, depth
   4, NORM/PREFIX/SUFFIX/SHAPE hash embeddings) on ../shared/data/raw_text (21 novels, one
   paragraph per line or wrapped paragraphs, detected per file), bounded by --max-minutes
   and/or --max-words, once per --objective (characters; vectors needs --vectors, a folder
   from `heron init vectors`). Words/sec and the loss curve are recorded.
2. Training: the same config on 1,000 random EWT train sentences ("1000") and on all of
   train ("full"), from scratch and from each pretrained trunk (`--paths.init_tok2vec`),
   --seeds seeds each, every run in its own one-thread process (bench/_common/seeds.py: the
   from-scratch runs are shared with bench/experiments/vectors_accuracy.py). model-best is scored on
   test; "steps to best" is the step of the best dev evaluation.

Writes bench/results/experiments/pretrain_cnn.json and .md (not with --smoke, which prints
only). Pretraining runs land in WORK/pretrain (bench/_common's work folder; or --work).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import (  # noqa: E402
    CONFIGS,
    EWT,
    EXPERIMENT_RESULTS,
    RUNS,
    WORK,
    ensure_ewt,
    machine_info,
    markdown_table,
    require_data,
    shared_data,
    write_results,
)
from _common.processes import measured  # noqa: E402
from _common.seeds import STEPS, data_paths, fmt, summarize, train_runs  # noqa: E402

HERON_CFG = CONFIGS / "heron_tagger_ner_efficiency.cfg"
SMALL_SENTENCES = 1000
PRETRAIN_SETTINGS = {  # spaCy's pretraining defaults, plus a corpus block on the novels
    "pretraining.batcher.size": 3000, "pretraining.dropout": 0.2, "pretraining.max_epochs": 1000,
}


# ---- stage 1: pretraining (in its own process, one thread) --------------------------
def pretrain_worker(spec: Dict[str, Any]) -> int:
    import torch

    torch.set_num_threads(1)
    from confection import Config

    from heron.cli.init_config import Optimize, Options, _pretraining
    from heron.config import load_config
    from heron.pretraining import pretrain
    from heron.pretraining.corpus import PRETRAIN_CORPUS

    config = Config(load_config(HERON_CFG), is_interpolated=False)
    config["pretraining"] = _pretraining(Options("en", ["tok2vec"], Optimize.efficiency, False, True))
    config["corpora"]["pretrain"] = {**PRETRAIN_CORPUS, "path": spec["raw_text"]}
    config["paths"]["vectors"] = spec.get("vectors")
    for dotted, value in {**PRETRAIN_SETTINGS, **spec.get("overrides", {})}.items():
        *path, key = dotted.split(".")
        node = config
        for part in path:
            node = node[part]
        node[key] = value
    start = time.perf_counter()
    pretrain(config, spec["out"], max_words=spec.get("max_words", 0), max_seconds=spec.get("max_seconds", 0))
    rows = [json.loads(line) for line in (Path(spec["out"]) / "log.jsonl").read_text().splitlines()]
    stats = {"words": rows[-1]["words"], "steps": rows[-1]["step"], "seconds": round(time.perf_counter() - start, 1),
             "words_per_sec": round(rows[-1]["words"] / max(rows[-1]["seconds"], 1e-9)),
             "first_loss": rows[0]["loss"],
             "last_loss": next(r["loss"] for r in reversed(rows) if r["loss"] is not None)}
    (Path(spec["out"]) / "stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    return 0


def run_worker(mode: str, spec: Dict[str, Any], log: Path) -> Dict[str, Any]:
    spec_path = log.with_suffix(".spec.json")
    spec_path.write_text(json.dumps(spec, indent=2))
    stats = measured([sys.executable, __file__, mode, str(spec_path)], log)
    if stats["rc"] != 0:
        raise SystemExit(f"{mode} failed (rc={stats['rc']}); see {log}")
    return stats


# ---- the benchmark --------------------------------------------------------------------
def pretrain_stage(args: argparse.Namespace) -> Dict[str, Dict[str, Any]]:
    results: Dict[str, Dict[str, Any]] = {}
    for objective in args.objective:
        out = args.work / f"pretrain_{objective}"
        out.mkdir(parents=True, exist_ok=True)
        spec: Dict[str, Any] = {"raw_text": str(args.raw_text), "out": str(out), "max_words": args.max_words,
                                "max_seconds": args.max_minutes * 60, "overrides": dict(args.pretrain_overrides)}
        if objective == "vectors":
            spec["vectors"] = str(args.vectors)
            spec["overrides"].update({"pretraining.objective": {
                "@architectures": "heron.PretrainVectors.v1", "maxout_pieces": 3, "hidden_size": 300,
                "loss": "cosine"}})
        if (out / "stats.json").exists() and (out / "process.json").exists():  # reuse a finished run
            print(f"pretrain ({objective}): reusing {out}", flush=True)
            process = json.loads((out / "process.json").read_text())
        else:
            print(f"pretrain ({objective}) -> {out}", flush=True)
            process = run_worker("--pretrain-worker", spec, out / "pretrain.log")
            (out / "process.json").write_text(json.dumps(process, indent=2))
        results[objective] = {**json.loads((out / "stats.json").read_text()), "process": process,
                              "weights": str(out / "model-last.safetensors")}
    return results


def train_stage(args: argparse.Namespace, pretrained: Dict[str, Dict[str, Any]]) -> Dict[str, Any]:
    """Every size x init x seed through bench/_common/seeds.py (`heron train` with
    `--paths.init_tok2vec`); the "none" runs are shared with vectors_accuracy.py."""
    inits = {"none": None, **{f"pretrain-{k}": v["weights"] for k, v in pretrained.items()}}
    jobs, keys = [], []
    for size in args.sizes:
        paths = data_paths(None if size == "full" else int(size), RUNS)
        for init, weights in inits.items():
            if size == "full" and args.full_objectives is not None and init != "none" \
                    and init.removeprefix("pretrain-") not in args.full_objectives:
                continue
            for seed in range(args.full_seeds if size == "full" and args.full_seeds else args.seeds):
                extra = ["--paths.init_tok2vec", weights] if weights else []
                jobs.append({"cfg": HERON_CFG, "out": RUNS / f"{size}-{init}-s{seed}", "seed": seed,
                             "overrides": [*STEPS[size], *args.train_overrides, *extra], **paths})
                keys.append((size, init))
    runs: Dict[str, Dict[str, List[Dict[str, Any]]]] = {}
    for (size, init), res in zip(keys, train_runs(jobs, workers=args.workers)):
        runs.setdefault(size, {}).setdefault(init, []).append(res)
    return runs


def report(data: Dict[str, Any]) -> str:
    rows = [[size, init, st["n"], fmt(st["tag_acc"]), fmt(st["ents_f"]),
             f"{st['best_step']['mean']:.0f} ± {st['best_step']['std']:.0f}"]
            for size, by_init in data["summary"].items() for init, st in by_init.items()]
    table = markdown_table(["train set", "init_tok2vec", "seeds", "TAG (test)", "ENTS F (test)",
                            "steps to best dev"], rows)
    pre = markdown_table(["objective", "words", "steps", "seconds", "words/s", "loss first → last"],
                         [[k, f"{v['words']:,}", v["steps"], v["seconds"], f"{v['words_per_sec']:,}",
                           f"{v['first_loss']:.4f} → {v['last_loss']:.4f}"] for k, v in data["pretraining"].items()])
    return (f"# Pretraining the CNN trunk: does init_tok2vec help?\n\n## Pretraining (one thread)\n\n{pre}\n\n"
            f"## Training tok2vec + tagger + ner (EWT test; mean ± sample sd over seeds)\n\n{table}\n\n"
            "Train sets: `1000` = 1,000 random EWT train sentences (fixed), `full` = all of EWT train. "
            "Step budgets as in bench/_common/seeds.py.\n\n"
            f"Reproduce: `{data['command']}`\n\nMachine: {json.dumps(data['machine'])}\n")


def parse_args(argv: List[str]) -> argparse.Namespace:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=EWT)
    ap.add_argument("--work", type=Path, default=WORK / "pretrain")
    ap.add_argument("--raw-text", type=Path, default=shared_data("raw_text"))
    ap.add_argument("--objective", nargs="+", choices=["characters", "vectors"], default=["characters"])
    ap.add_argument("--vectors", type=Path, help="folder from `heron init vectors` (for --objective vectors)")
    ap.add_argument("--max-minutes", type=float, default=60.0, help="pretraining time bound per objective")
    ap.add_argument("--max-words", type=int, default=0, help="pretraining word bound per objective (0 = none)")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--full-seeds", type=int, default=0, help="seeds on the full set (default: --seeds)")
    ap.add_argument("--full-objectives", nargs="+", default=None,
                    help="objectives trained on the full set (default: all of --objective)")
    ap.add_argument("--sizes", nargs="+", choices=["1000", "full"], default=["1000", "full"])
    ap.add_argument("--workers", type=int, default=2, help="training processes at once (1 thread each)")
    ap.add_argument("--max-steps", type=int, help="override [training] max_steps")
    ap.add_argument("--eval-frequency", type=int, help="override [training] eval_frequency")
    ap.add_argument("--smoke", action="store_true", help="a few steps of everything; prints, writes no results")
    args = ap.parse_args(argv)
    args.pretrain_overrides, args.train_overrides = {}, []
    if args.smoke:
        args.max_words, args.max_minutes, args.seeds = args.max_words or 3000, min(args.max_minutes, 2), 1
        args.sizes, args.max_steps, args.eval_frequency = ["1000"], args.max_steps or 4, args.eval_frequency or 2
        args.pretrain_overrides = {"pretraining.batcher.size": 1000}
        args.work = args.work.with_name(args.work.name + "_smoke")
    if args.max_steps is not None:
        args.train_overrides += ["--training.max_steps", str(args.max_steps)]
    if args.eval_frequency is not None:
        args.train_overrides += ["--training.eval_frequency", str(args.eval_frequency)]
    if "vectors" in args.objective and (args.vectors is None or not args.vectors.exists()):
        ap.error("--objective vectors needs --vectors PATH (a folder from `heron init vectors`)")
    return args


def main(argv: List[str]) -> int:
    args = parse_args(argv)
    require_data(args.raw_text, "pretrain_cnn")
    require_data(shared_data("ud_en_ewt"), "pretrain_cnn")
    ensure_ewt(args.data)
    args.work.mkdir(parents=True, exist_ok=True)
    pretrained = pretrain_stage(args)
    runs = train_stage(args, pretrained)
    data = {"pretraining": pretrained, "runs": runs,
            "summary": {size: {i: summarize(r) for i, r in by.items()} for size, by in runs.items()},
            "seeds": args.seeds, "command": "bench/experiments/pretrain_cnn.py " + " ".join(argv),
            "machine": machine_info()}
    if args.smoke:
        print(report(data))
        return 0
    write_results("pretrain_cnn", data, report(data), EXPERIMENT_RESULTS)
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--pretrain-worker"]:
        sys.exit(pretrain_worker(json.loads(Path(sys.argv[2]).read_text())))
    sys.exit(main(sys.argv[1:]))
