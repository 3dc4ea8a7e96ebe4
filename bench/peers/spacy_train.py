"""Train the spaCy peer pipeline for the CNN benchmark (runs in .venv-peers).

    .venv-peers/bin/python bench/peers/spacy_train.py CONFIG DATA_DIR OUT_DIR [--max-steps N]
        [--patience N] [--eval-frequency N]

Runs `python -m spacy train CONFIG --paths.train DATA_DIR/train.spacy --paths.dev
DATA_DIR/dev.spacy -o OUT_DIR` as a child with one thread (OMP/MKL/OPENBLAS = 1) and
writes OUT_DIR/train_stats.json with the child's wall and CPU time and peak RSS
(resource.getrusage(RUSAGE_CHILDREN).ru_maxrss), plus the overrides used.
"""
import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("config")
    ap.add_argument("data")
    ap.add_argument("out")
    ap.add_argument("--max-steps", type=int, default=None)
    ap.add_argument("--patience", type=int, default=None)
    ap.add_argument("--eval-frequency", type=int, default=None)
    args = ap.parse_args()
    data, out = Path(args.data), Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "spacy", "train", args.config, "-o", str(out),
           "--paths.train", str(data / "train.spacy"), "--paths.dev", str(data / "dev.spacy")]
    overrides = {"training.max_steps": args.max_steps, "training.patience": args.patience,
                 "training.eval_frequency": args.eval_frequency}
    for key, value in overrides.items():
        if value is not None:
            cmd += [f"--{key}", str(value)]
    env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1")
    start = time.perf_counter()
    rc = subprocess.call(cmd, env=env)
    wall = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    peak_kib = usage.ru_maxrss  # KiB on Linux
    stats = {"rc": rc, "cmd": cmd, "train_wall_s": round(wall, 1),
             "train_cpu_s": round(usage.ru_utime + usage.ru_stime, 1),
             "train_peak_rss_mb": round(peak_kib / 1024, 1),
             "overrides": {k: v for k, v in overrides.items() if v is not None}}
    tmp = out / "train_stats.json.tmp"
    tmp.write_text(json.dumps(stats, indent=2) + "\n")
    tmp.replace(out / "train_stats.json")
    print(json.dumps(stats))
    return rc


if __name__ == "__main__":
    sys.exit(main())
