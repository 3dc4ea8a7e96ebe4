"""Speed of the working tree against another checkout of heron on the same pipeline.

    git worktree add /tmp/heron-old COMMIT
    .venv/bin/python bench/experiments/old_vs_new.py --old /tmp/heron-old --model DIR [--name NAME]
        [--threads 1] [--batch-size 256] [--rounds 5]
    .venv/bin/python bench/experiments/old_vs_new.py --old /tmp/heron-old --model DIR --build-trf \
        --name trf --threads 2 --batch-size 64

--build-trf first builds DIR (when missing) as bench/trf_speed.py builds its heron
pipeline: all-MiniLM-L6-v2 + tagger + ner from bench/configs/heron_trf_tagger_ner.cfg,
untrained heads (speed does not depend on their weights), with the working tree's heron.

For refactors that must not change speed: both heron versions load the same saved
pipeline, each in its own worker process (bench/_common/heron_worker.py; the old one
imports heron from the old checkout, $HERON_BENCH_REPO), and pipe the EWT test texts in
alternating rounds (so load on the machine hits both alike); best round kept, words =
gold word count.
Writes bench/results/experiments/old_vs_new_NAME.{json,md}.
"""
from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import (  # noqa: E402
    CONFIGS,
    EWT,
    EXPERIMENT_RESULTS,
    REPO,
    machine_info,
    markdown_table,
    minilm_path,
    read_test_texts,
    require_data,
    thread_env,
    write_results,
)
from _common.processes import HeronWorker, Peer, speed_rounds  # noqa: E402


class CheckoutWorker(HeronWorker):
    """bench/_common/heron_worker.py importing heron from `checkout`."""

    def __init__(self, checkout: Path, threads: int) -> None:
        self.script = "heron_worker.py"
        env = thread_env(threads)
        env["HERON_BENCH_REPO"] = str(checkout)
        env["HERON_BENCH_THREADS"] = str(threads)
        worker = Path(__file__).resolve().parents[1] / "_common" / "heron_worker.py"
        self.proc = subprocess.Popen([sys.executable, str(worker)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     text=True, encoding="utf8", env=env)


def _commit(tree: Path) -> str:
    return subprocess.run(["git", "-C", str(tree), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--old", type=Path, required=True, help="the other checkout (e.g. a git worktree)")
    ap.add_argument("--model", type=Path, required=True, help="a saved pipeline both versions load")
    ap.add_argument("--name", default="cnn")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--build-trf", action="store_true", help="build --model first (untrained transformer pipeline)")
    args = ap.parse_args(argv)
    if args.build_trf and not (args.model / "config.cfg").exists():
        builder = HeronWorker(args.threads)
        print("build:", builder.request(cmd="build", config=str(CONFIGS / "heron_trf_tagger_ner.cfg"),
                                        model_name=minilm_path("old_vs_new"), init_corpus=str(EWT / "train.heron"),
                                        out=str(args.model)), flush=True)
        builder.close()
    texts, n_words = read_test_texts(require_data(EWT, "old_vs_new (run bench/build_ewt_multitask.py)"))
    trees = {"old": args.old.resolve(), "new": REPO}
    systems: Dict[str, Peer] = {}
    for name, tree in trees.items():
        worker = CheckoutWorker(tree, args.threads)
        answer = worker.request(cmd="load", model=str(args.model))
        print(name, tree, answer, flush=True)
        systems[name] = worker
    try:
        speed = speed_rounds(systems, texts, n_words, args.rounds, batch_size=args.batch_size, warmup_docs=200)
    finally:
        for proc in systems.values():
            proc.close()
    commits = {name: _commit(tree) for name, tree in trees.items()}
    rows = [[name, commits[name], f"{speed[name]['words_per_sec']:,}",
             ", ".join(f"{x:,}" for x in speed[name]["rounds"]), speed[name]["peak_rss_mb"]] for name in trees]
    ratio = speed["new"]["words_per_sec"] / speed["old"]["words_per_sec"]
    md = (f"# Old vs new heron on {args.model} ({args.name})\n\n"
          + markdown_table(["heron", "commit", "words/s (best)", "rounds", "peak RSS MB"], rows)
          + f"\n\nnew / old: {ratio:.3f}. {args.threads} thread(s), nlp.pipe batch {args.batch_size}, "
          f"{n_words:,} EWT test words, {args.rounds} alternating rounds.\n\nCommand: `.venv/bin/python "
          f"bench/experiments/old_vs_new.py --old OLD_CHECKOUT --model {args.model} --name {args.name} "
          f"--threads {args.threads} --batch-size {args.batch_size} --rounds {args.rounds}`\n")
    write_results(f"old_vs_new_{args.name}", {"machine": machine_info(), "model": str(args.model), "commits": commits,
                                              "speed": speed, "ratio": round(ratio, 3), "n_words": n_words}, md,
                  folder=EXPERIMENT_RESULTS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
