"""Accuracy and speed of CNN pipeline variants trained by the multi-seed harness.

    .venv/bin/python bench/cnn_variants.py full-none-s0 full-ft-floret-s0 full-i3wide-s0 [--rounds 3]
    .venv/bin/python bench/cnn_variants.py --train i3wide i3w192 [--seeds 1] [--workers 2]

`--train` trains the named VARIANTS below on the full EWT train set first (run folders
full-{variant}-s{seed}, reused when finished), then times them like the positional runs.

Each argument names a run folder in /tmp/heron-bench/seeds (bench/_seeds.py): its test
scores come from the run's result.json; its model-best is timed like bench/train_cnn.py
(one process each, one thread, nlp.pipe batch 256 over the EWT test texts, rounds
alternating between the variants and en_core_web_sm (tok2vec+tagger+ner) when the peer
venv has it; best round kept). Writes bench/results/cnn_variants.json and .md.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import PEERS_PYTHON, Peer, machine_info, markdown_table, write_results  # noqa: E402
from _seeds import RUNS, STEPS, data_paths, run_all, summarize  # noqa: E402
from vectors_accuracy import CFG, arm_overrides  # noqa: E402

# Variants of bench/configs/heron_tagger_ner_efficiency.cfg: overrides on top of the full-set
# step budget (bench/_seeds.py). "ft-floret" vectors come from bench/train_vectors.py.
_T2V = "--components.tok2vec.model"
_LONG = ["--training.max_steps", "5000", "--training.patience", "2000"]


def _lstm(width: int, depth: int = 2, dropout: float = 0.1) -> str:
    return json.dumps({"@architectures": "heron.TorchBiLSTMEncoder.v1", "width": width, "depth": depth,
                       "dropout": dropout})


def _distilled() -> Path:
    from _common import require_data

    return require_data(Path("/tmp/heron-bench/vectors/distill"),
                        "cnn_variants (run bench/distill_vectors.py)")


def _lexicon(part: str = "") -> Path:
    from _common import require_data

    name = f"ft-lex-{part}" if part else "ft-lex"
    return require_data(Path(f"/tmp/heron-bench/vectors/{name}"),
                        f"cnn_variants (run bench/lexicon_vectors.py{f' --parts {part}' if part else ''})")


def _gold_plus_silver(words: int = 600_000) -> List[str]:
    """Train on EWT train + the transformer-annotated silver docs of bench/silver_corpus.py."""
    from _common import require_data
    from _seeds import EWT

    silver = require_data(Path(f"/tmp/heron-bench/silver/silver-{words}.heron"),
                          f"cnn_variants (run bench/silver_corpus.py --words {words})")
    folder = silver.parent / f"gold-plus-silver-{words}"
    folder.mkdir(exist_ok=True)
    for link, target in ((folder / "gold.heron", EWT / "train.heron"), (folder / "silver.heron", silver)):
        if not link.exists():
            link.symlink_to(target)
    return ["--paths.train", str(folder)]


VARIANTS: Dict[str, Any] = {
    "none": lambda: [],
    "ft-floret": lambda: arm_overrides("ft-floret"),
    "i3wide": lambda: [*arm_overrides("ft-floret"), "--training.optimizer.use_averages", "true",
                       f"{_T2V}.encode.width", "128"],
    "i3w192": lambda: [*arm_overrides("ft-floret"), "--training.optimizer.use_averages", "true",
                       f"{_T2V}.encode.width", "192", *_LONG],
    # + the learning rate decaying linearly to 0 over the run, tagger label smoothing 0.1
    "i3w192d": lambda: [*VARIANTS["i3w192"](), "--training.optimizer.learn_rate", json.dumps(
        {"@schedules": "heron.warmup_linear.v1", "initial_rate": 0.001, "warmup_steps": 250,
         "total_steps": 5000}), "--components.tagger.label_smoothing", "0.1"],
    # width 128 with windows of 2 (receptive field 17 tokens), decay and label smoothing
    "i3win2": lambda: [*VARIANTS["i3w192d"](), f"{_T2V}.encode.width", "128",
                       f"{_T2V}.encode.window_size", "2"],
    # the window CNN replaced by a 2-layer BiLSTM (heron.TorchBiLSTMEncoder.v1)
    "i3lstm": lambda: [*arm_overrides("ft-floret"), "--training.optimizer.use_averages", "true",
                       f"{_T2V}.encode", _lstm(128)],
    "i3lstm192": lambda: [*arm_overrides("ft-floret"), "--training.optimizer.use_averages", "true",
                          f"{_T2V}.encode", _lstm(192)],
    # distillation: + 600k words of novels tagged by the fine-tuned transformer pipeline
    "i3silver": lambda: [*VARIANTS["i3wide"](), *_gold_plus_silver(), "--training.max_steps", "4000",
                         "--training.patience", "2000"],
    "i3silver192": lambda: [*VARIANTS["i3silver"](), f"{_T2V}.encode.width", "192"],
    # as much silver as gold (240k tokens), so EWT keeps half of every batch
    "i3silver200": lambda: [*VARIANTS["i3wide"](), *_gold_plus_silver(200_000)],
    # i3wide again, trained after the tokenizer rules changed (commit 53a643d)
    "i3wide2": lambda: VARIANTS["i3wide"](),
    # + a case-sensitive word identity (ORTH) beside the lowercased NORM
    "i3orth": lambda: [*VARIANTS["i3wide"](), "--components.tok2vec.model.embed.attrs",
                       json.dumps(["NORM", "PREFIX", "SUFFIX", "SHAPE", "ORTH"]),
                       "--components.tok2vec.model.embed.rows", json.dumps([5000, 1000, 2500, 2500, 5000])],
    # + whether a space follows each token (spaCy's SPACY attr): open vs close quotes,
    # hyphen (HYPH) vs spaced dash (:), the way en_core_web_* pipelines featurize
    "i3spacy": lambda: [*VARIANTS["i3wide"](), "--components.tok2vec.model.embed.attrs",
                        json.dumps(["NORM", "PREFIX", "SUFFIX", "SHAPE", "SPACY"]),
                        "--components.tok2vec.model.embed.rows", json.dumps([5000, 1000, 2500, 2500, 100])],
    "i3orthspacy": lambda: [*VARIANTS["i3wide"](), "--components.tok2vec.model.embed.attrs",
                            json.dumps(["NORM", "PREFIX", "SUFFIX", "SHAPE", "ORTH", "SPACY"]),
                            "--components.tok2vec.model.embed.rows", json.dumps([5000, 1000, 2500, 2500, 5000, 100])],
    "i3spacylong": lambda: [*VARIANTS["i3spacy"](), *_LONG],
    # i3spacy with the transformer-distilled vectors (bench/distill_vectors.py) for fastText's
    "i3distill": lambda: [*VARIANTS["i3spacy"](), "--paths.vectors", str(_distilled())],
    # fastText + 64 columns of type-level knowledge (word list, MiniLM on the word alone)
    "i3lex": lambda: [*VARIANTS["i3spacy"](), "--paths.vectors", str(_lexicon())],
    "i3lexflags": lambda: [*VARIANTS["i3spacy"](), "--paths.vectors", str(_lexicon("flags"))],
    "i3lexminilm": lambda: [*VARIANTS["i3spacy"](), "--paths.vectors", str(_lexicon("minilm"))],
    "i3w128long": lambda: [*arm_overrides("ft-floret"), "--training.optimizer.use_averages", "true",
                           f"{_T2V}.encode.width", "128", *_LONG],
}
from train_cnn import (DATA, ONE_THREAD, SM_EXCLUDE, SM_PACKAGE, HeronWorker, speed_rounds,  # noqa: E402
                       test_texts)

DESCRIPTIONS = {
    "none": "bench/configs/heron_tagger_ner_efficiency.cfg (width 96), 3,000 steps",
    "ft-floret": "+ fastText subword vectors (`--mode floret`)",
    "i3wide": "+ vectors, width 128, parameter averaging",
    "i3w192": "+ vectors, width 192, averaging, 5,000 steps",
    "i3lstm": "+ vectors, averaging, 2-layer BiLSTM encoder (width 128) instead of the CNN",
    "i3lstm192": "+ vectors, averaging, 2-layer BiLSTM encoder (width 192) instead of the CNN",
    "i3silver": "i3wide trained on EWT train + 600k words of novels annotated by the transformer pipeline, 4,000 steps",
    "i3silver192": "i3silver at width 192",
    "i3silver200": "i3wide trained on EWT train + 240k tokens of the silver docs (about as much as EWT), 3,000 steps",
    "i3wide2": "i3wide retrained with the new tokenizer rules",
    "i3orth": "i3wide2 + ORTH (case-sensitive word) hash embedding, 5,000 rows",
    "i3spacy": "i3wide2 + SPACY (space after the token) hash embedding, 100 rows",
    "i3orthspacy": "i3wide2 + ORTH and SPACY embeddings",
    "i3spacylong": "i3spacy for 5,000 steps",
    "i3distill": "i3spacy with vectors distilled from the fine-tuned transformer (mean contextual vector per word over EWT train + 300k novel words) instead of fastText",
    "i3w192d": "i3w192 + learning rate decaying linearly to 0, tagger label smoothing 0.1",
    "i3win2": "i3w192d at width 128 with window_size 2",
    "i3w128long": "i3wide for 5,000 steps",
    "i3lex": "i3spacy with bench/lexicon_vectors.py's table: fastText + 64 columns from a word list and all-MiniLM-L6-v2 run on each word alone",
    "i3lexflags": "i3lex with the 4 word-list flag columns only (`--parts flags`)",
    "i3lexminilm": "i3lex with the 64 MiniLM columns only, no word-list flags (`--parts minilm`)",
}


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
                 "overrides": [*STEPS["full"], *VARIANTS[v]()], **data_paths(None, RUNS)}
                for v in args.runs for seed in range(args.seeds)]
        results = run_all(jobs, workers=args.workers)
        args.runs = [job["out"].name for job in jobs]
        if args.seeds > 1:
            write_seeds(args.runs, results)
        if args.no_speed:
            return 0
    texts = test_texts(DATA)
    n_words = sum(len(json.loads(line)["words"]) for line in open(DATA / "test.jsonl", encoding="utf8"))
    systems: Dict[str, Peer] = {}
    for run in args.runs:
        worker = HeronWorker()
        worker.request(cmd="load", model=str(RUNS / run / "model" / "model-best"))
        systems[run] = worker
    if PEERS_PYTHON.exists():
        os.environ.update(ONE_THREAD)
        sm = Peer("spacy_cnn.py")
        sm.request(cmd="load", model=SM_PACKAGE, exclude=SM_EXCLUDE)
        systems["en_core_web_sm"] = sm
    try:
        speed = speed_rounds(systems, texts, n_words, args.rounds)
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
          f"Command: `.venv/bin/python bench/cnn_variants.py --train {' '.join(v.split('-', 1)[1] for v in by_variant)} "
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
        "Runs (bench/_seeds.py; full EWT train, seed 0): " + "; ".join(
            f"`full-{name}` = {text}" for name, text in DESCRIPTIONS.items()) + ".", "",
        "Command: `.venv/bin/python bench/cnn_variants.py " + " ".join(data["scores"]) + "`"])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
