"""Accuracy and speed of CNN pipeline variants trained by the multi-seed harness.

    .venv/bin/python bench/cnn_variants.py full-none-s0 full-ft-floret-s0 full-i3wide-s0 [--rounds 3]
    .venv/bin/python bench/cnn_variants.py --train i3wide i3w192 [--seeds 1] [--workers 2]

`--train` trains the named variants of bench/experiments/cnn_variants.json (overrides of
bench/configs/heron_tagger_ner_efficiency.cfg; the studies) on the full EWT train set
first (run folders full-{variant}-s{seed}, reused when finished), then times them like
the positional runs.

Each argument names a run folder in RUNS (bench/_common: WORK/seeds): its test scores
come from the run's result.json; its model-best is timed like bench/train_cnn.py (one
process each, one thread, nlp.pipe batch 256 over the EWT test texts, rounds alternating
between the variants and en_core_web_sm (tok2vec+tagger+ner) when the peer venv has it;
best round kept). Writes bench/results/cnn_variants.json and .md (and, with --seeds > 1,
cnn_variants_seeds.json and .md).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    CONFIGS,
    EWT,
    EXPERIMENTS,
    PEERS_PYTHON,
    RUNS,
    SM_EXCLUDE,
    SM_PACKAGE,
    VECTORS,
    WORK,
    machine_info,
    markdown_table,
    read_test_texts,
    require_data,
    write_results,
)
from _common.processes import HeronWorker, Peer, pin_peer_threads, speed_rounds  # noqa: E402
from _common.seeds import STEPS, data_paths, summarize, train_runs  # noqa: E402

CFG = CONFIGS / "heron_tagger_ner_efficiency.cfg"
VARIANTS: Dict[str, Dict[str, Any]] = json.loads(
    (EXPERIMENTS / "cnn_variants.json").read_text(encoding="utf8"))["variants"]
DESCRIPTIONS = {name: spec["describe"] for name, spec in VARIANTS.items()}


def variant_overrides(name: str) -> List[str]:
    """`heron train` overrides of a variant: its base's, then its own. Exits 0 (skipped)
    while something it needs (a vectors table, a corpus) has not been made."""
    spec = VARIANTS[name]
    out = variant_overrides(spec["base"]) if "base" in spec else []
    folders = {"work": WORK, "vectors": VECTORS}
    for path, made_by in spec.get("needs", {}).items():
        require_data(Path(path.format(**folders)), f"cnn_variants {name} (run {made_by})")
    for key, value in spec.get("overrides", {}).items():
        out += [f"--{key}", value.format(**folders) if isinstance(value, str) else json.dumps(value)]
    return out


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--train", action="store_true", help="RUNS are VARIANTS names: train them first")
    ap.add_argument("--seeds", type=int, default=1, help="seeds per variant with --train")
    ap.add_argument("--workers", type=int, default=2, help="training processes at once (1 thread each)")
    ap.add_argument("--no-speed", action="store_true", help="with --train: train and score only")
    args = ap.parse_args(argv)
    if args.train:
        unknown = [v for v in args.runs if v not in VARIANTS]
        if unknown:
            raise SystemExit(f"cnn_variants: unknown variant(s) {unknown}; known: {sorted(VARIANTS)}")
        jobs = [{"cfg": CFG, "out": RUNS / f"full-{v}-s{seed}", "seed": seed,
                 "overrides": [*STEPS["full"], *variant_overrides(v)], **data_paths(None, RUNS)}
                for v in args.runs for seed in range(args.seeds)]
        results = train_runs(jobs, workers=args.workers)
        args.runs = [job["out"].name for job in jobs]
        if args.seeds > 1:
            write_seeds(args.runs, results)
        if args.no_speed:
            return 0
    texts, n_words = read_test_texts(require_data(EWT, "cnn_variants (run bench/build_ewt_multitask.py)"))
    for run in args.runs:
        require_data(RUNS / run / "model" / "model-best", f"cnn_variants ({run}: train it with --train)")
    systems: Dict[str, Peer] = {}
    for run in args.runs:
        worker = HeronWorker()
        worker.request(cmd="load", model=str(RUNS / run / "model" / "model-best"))
        systems[run] = worker
    if PEERS_PYTHON.exists():
        pin_peer_threads(1)
        sm = Peer("spacy_cnn.py")
        sm.request(cmd="load", model=SM_PACKAGE, exclude=SM_EXCLUDE)
        systems["en_core_web_sm"] = sm
    try:
        speed = speed_rounds(systems, texts, n_words, args.rounds, batch_size=256, warmup_docs=200)
    finally:
        for peer in systems.values():
            peer.close()
    results = {run: json.loads((RUNS / run / "result.json").read_text()) for run in args.runs}
    data = {"machine": machine_info(), "speed": speed, "scores": results, "n_words": n_words}
    write_results("cnn_variants", data, report(data))
    return 0


def write_seeds(runs: List[str], results: List[Dict[str, Any]]) -> None:
    """bench/results/cnn_variants_seeds.*: each variant's test scores per seed, mean ± sd."""
    by_variant: Dict[str, List[Dict[str, Any]]] = {}
    for run, result in zip(runs, results):
        by_variant.setdefault(run.rsplit("-s", 1)[0], []).append(result)
    summary = {v: summarize(rs) for v, rs in by_variant.items()}
    rows = [[v, len(rs), ", ".join(f"{100 * r['tag_acc']:.2f}" for r in rs),
             f"{summary[v]['tag_acc']['mean']:.2f} ± {summary[v]['tag_acc']['std']:.2f}",
             ", ".join(f"{100 * r['ents_f']:.2f}" for r in rs),
             f"{summary[v]['ents_f']['mean']:.2f} ± {summary[v]['ents_f']['std']:.2f}"]
            for v, rs in by_variant.items()]
    table = markdown_table(["run", "seeds", "TAG per seed", "TAG mean ± sd", "ENTS F per seed",
                            "ENTS F mean ± sd"], rows)
    described = "; ".join(f"`{v}` = {DESCRIPTIONS.get(v.split('-', 1)[1], v)}" for v in by_variant)
    md = (f"# CNN pipeline variants over seeds (EWT test)\n\n{table}\n\n{described}. Sample sd.\n\n"
          f"Command: `.venv/bin/python bench/cnn_variants.py --train "
          f"{' '.join(v.split('-', 1)[1] for v in by_variant)} "
          f"--seeds {max(len(rs) for rs in by_variant.values())} --no-speed`\n")
    write_results("cnn_variants_seeds", {"machine": machine_info(), "runs": dict(zip(runs, results)),
                                         "summary": summary}, md)


def report(data: Dict[str, Any]) -> str:
    rows = []
    for name, s in data["speed"].items():
        sc = data["scores"].get(name, {})
        rows.append([name, f"{100 * sc['tag_acc']:.2f}" if sc else "-", f"{100 * sc['ents_f']:.2f}" if sc else "-",
                     f"{s['words_per_sec']:,}", ", ".join(f"{x:,}" for x in s["rounds"]), f"{s['peak_rss_mb']:.0f}"])
    m = data["machine"]
    return "\n".join([
        f"# CNN pipeline variants ({m['cpu_count']} cores, torch {m['torch']})", "",
        f"EWT test ({data['n_words']:,} words); words/s: one process and one thread each, batch 256, "
        "alternating rounds, best kept.", "",
        markdown_table(["run", "TAG", "ENTS F", "words/s", "rounds", "peak RSS MB"], rows), "",
        "Runs (bench/_common/seeds.py; full EWT train, seed 0): " + "; ".join(
            f"`full-{name}` = {text}" for name, text in DESCRIPTIONS.items()) + ".", "",
        "Command: `.venv/bin/python bench/cnn_variants.py " + " ".join(data["scores"]) + "`"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
