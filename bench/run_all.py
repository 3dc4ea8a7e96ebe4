"""Run every benchmark in bench/ and the slow (real-data) tests.

Each benchmark writes its figures with machine info to bench/results/. Benchmarks that
need ../shared/data skip cleanly when it is absent.
"""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
SCRIPTS = [["tokenizer_accuracy.py"], ["tokenizer_speed.py"],
           # CNN pipeline vs spaCy: corpus first; training both takes about an hour on 2 cores.
           ["build_ewt_multitask.py"], ["train_cnn.py"],
           # Static vectors (gensim training, import, 15 training runs: a few hours on 2 cores).
           ["train_vectors.py"], ["vectors_accuracy.py"],
           # Pretraining (12 minutes per objective here) and its training runs.
           ["pretrain_cnn.py", "--objective", "characters", "vectors", "--vectors",
            "/tmp/heron-bench/vectors/w2v", "--max-minutes", "12"],
           # fastText + word-list/MiniLM columns (12 minutes), then the two best CNN variants.
           ["lexicon_vectors.py"], ["cnn_variants.py", "--train", "i3spacy", "i3lex", "--seeds", "3", "--no-speed"],
           ["cnn_variants.py", "full-none-s0", "full-ft-floret-s0", "full-i3spacy-s0", "full-i3lex-s0"],
           ["oov_accuracy.py", "full-i3spacy-s0", "full-i3lex-s0"],
           # Transformer: inference speed and memory against spacy-transformers; fine-tuning.
           ["trf_speed.py", "--stream-docs", "20000", "--stream-peer"], ["train_trf.py"]]


def main() -> int:
    failed = []
    for name, *args in SCRIPTS:
        print(f"== bench/{name} {' '.join(args)}", flush=True)
        if subprocess.call([sys.executable, str(BENCH / name), *args]) != 0:
            failed.append(name)
    print("== slow tests (pytest -m slow)", flush=True)
    rc = subprocess.call([sys.executable, "-m", "pytest", "-q", "-m", "slow"], cwd=BENCH.parent)
    if rc not in (0, 5):  # 5: no slow tests collected
        failed.append("pytest -m slow")
    if failed:
        print("failed:", ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
