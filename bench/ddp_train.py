"""Data-parallel training under torchrun against one process: tagger + ner on EWT + UNER.

    .venv/bin/python bench/ddp_train.py                                # 1 vs 2 processes, 2,000 steps
    .venv/bin/python bench/ddp_train.py --steps 6 --evals 2 --limit 200  # smoke (minutes)

Both arms train bench/configs/heron_tagger_ner_efficiency.cfg (CNN tok2vec + tagger + ner)
on WORK/ewt (bench/build_ewt_multitask.py) for the same number of optimizer steps on the
same global batch: a constant batch_by_words size of --batch-words words in one process,
half of it in each of two (`torchrun --standalone --nproc_per_node 2 -m heron train`). So
they see the same number of global samples, and the dev scores at each evaluation compare
like for like (the target: the same dev score within seed noise). Every process runs one
torch thread (OMP_NUM_THREADS=1): with 2 processes on 2 cores, each has a core only if
nothing else runs, so the figures are only as good as the machine is quiet (the load
average at the start is recorded).

Training words/s = the log's global word count / the loop's seconds at the last
evaluation (both arms include the same --evals + 1 dev evaluations, done by rank 0 while
the other rank waits). Writes bench/results/ddp_train.{json,md} (`_smoke` with --limit;
`_2000w` with --batch-words 2000: a larger global batch amortizes the per-step costs that
don't shrink with the rank's batch, the gradient all-reduce and each rank's optimizer step).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CONFIGS, EWT, WORK, machine_info, markdown_table, require_data, thread_env, write_results  # noqa: E402

RUNS = WORK / "ddp"
CONFIG = CONFIGS / "heron_tagger_ner_efficiency.cfg"


def train(processes: int, args: argparse.Namespace) -> Dict[str, Any]:
    """One arm: `heron train` in one process, or under torchrun in `processes`."""
    out = RUNS / (f"{processes}proc-{args.batch_words}w" + ("-smoke" if args.limit else ""))
    per_process = args.batch_words // processes
    launcher = ([sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node", str(processes)]
                if processes > 1 else [sys.executable])
    cmd = [*launcher, "-m", "heron", "train", str(CONFIG), "-o", str(out / "model"),
           "--paths.train", str(EWT / "train.heron"), "--paths.dev", str(EWT / "dev.heron"),
           "--system.seed", str(args.seed), "--training.max_steps", str(args.steps),
           "--training.eval_frequency", str(max(1, args.steps // args.evals)), "--training.patience", "0",
           "--training.batcher.size.start", str(per_process), "--training.batcher.size.stop", str(per_process)]
    if args.limit:
        cmd += ["--corpora.train.limit", str(args.limit), "--corpora.dev.limit", str(args.limit)]
    out.mkdir(parents=True, exist_ok=True)
    print(f"{processes} process(es): {' '.join(cmd)}", flush=True)
    start = time.perf_counter()
    with open(out / "train.log", "w") as f:
        rc = subprocess.call(cmd, stdout=f, stderr=subprocess.STDOUT, env=thread_env(1))
    wall = time.perf_counter() - start
    if rc != 0:
        raise SystemExit(f"ddp_train: training failed (rc={rc}); see {out / 'train.log'}")
    log = [json.loads(line) for line in (out / "model" / "train_log.jsonl").read_text().splitlines() if line]
    last = log[-1]
    evals = [{"step": r["step"], "words": r["words"], "seconds": r["seconds"], "score": round(r["score"], 4),
              "tag_acc": (r["other_scores"] or {}).get("tag_acc"), "ents_f": (r["other_scores"] or {}).get("ents_f")}
             for r in log]
    result = {"processes": processes, "batch_words_per_process": per_process, "steps": last["step"],
              "train_words": last["words"], "loop_seconds": last["seconds"],
              "words_per_sec": round(last["words"] / max(last["seconds"], 1)), "wall_s": round(wall, 1),
              "dev": evals, "command": " ".join(cmd)}
    print(f"  {result['words_per_sec']:,} words/s, dev score {evals[-1]['score']} at step {last['step']}", flush=True)
    return result


def report(arms: List[Dict[str, Any]], args: argparse.Namespace, load: List[float]) -> None:
    one, two = arms
    speedup = two["words_per_sec"] / max(one["words_per_sec"], 1)
    rows = [[a["processes"], a["batch_words_per_process"], a["steps"], f"{a['train_words']:,}",
             f"{a['words_per_sec']:,}", f"{100 * (a['dev'][-1]['tag_acc'] or 0):.2f}",
             f"{100 * (a['dev'][-1]['ents_f'] or 0):.2f}", a["wall_s"]] for a in arms]
    curve = [[e1["step"], f"{e1['words']:,}", f"{e2['words']:,}", e1["score"], e2["score"]]
             for e1, e2 in zip(one["dev"], two["dev"])]
    name = _results_name(args)
    md = ("# Data-parallel training: 1 vs 2 processes (tagger + ner, EWT + UNER)\n\n"
          + markdown_table(["processes", "batch words / process", "steps", "global words", "words/s",
                            "dev TAG", "dev ENTS F", "wall s"], rows)
          + f"\n\nThroughput, 2 processes / 1: **{speedup:.2f}x** (target >= 1.6x when each process has its own "
          f"core). Load average at the start: {', '.join(f'{x:.2f}' for x in load)} on {os.cpu_count()} cores.\n\n"
          "Dev score (weighted TAG/ENTS F) at each evaluation, the same global samples in both arms:\n\n"
          + markdown_table(["step", "words (1 proc)", "words (2 procs)", "score (1 proc)", "score (2 procs)"], curve)
          + f"\n\nSame config, seed {args.seed}, {args.steps} steps, global batch {args.batch_words} words "
          "(constant batch_by_words size), one torch thread per process; 2 processes: `torchrun --standalone "
          "--nproc_per_node 2 -m heron train` (gloo). words/s: global training words / loop seconds "
          "(including the dev evaluations on rank 0)."
          + (f" Smoke run: corpora limited to {args.limit} docs." if args.limit else "")
          + f"\n\nCommand: `.venv/bin/python bench/ddp_train.py {' '.join(sys.argv[1:])}`\n")
    write_results(name, {"machine": machine_info(), "load_average": load, "speedup": round(speedup, 3),
                         "settings": vars(args), "arms": arms}, md)


def _results_name(args: argparse.Namespace) -> str:
    """ddp_train for the default 1,000-word global batch; ddp_train_2000w etc. beside it."""
    return ("ddp_train" + (f"_{args.batch_words}w" if args.batch_words != 1000 else "")
            + ("_smoke" if args.limit else ""))


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=2000, help="optimizer steps per arm (each: one global batch)")
    ap.add_argument("--evals", type=int, default=4, help="dev evaluations after step 0")
    ap.add_argument("--batch-words", type=int, default=1000, help="global batch size in words")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--limit", type=int, default=0, help="read only this many train/dev docs (smoke runs)")
    args = ap.parse_args(argv)
    require_data(EWT / "train.heron", "ddp_train (run bench/build_ewt_multitask.py)")
    load = list(os.getloadavg())
    arms = [train(processes, args) for processes in (1, 2)]
    report(arms, args, load)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
