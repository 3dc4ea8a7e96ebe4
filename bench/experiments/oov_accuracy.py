"""Tag accuracy of CNN runs split by how often EWT train shows each word.

    .venv/bin/python bench/experiments/oov_accuracy.py full-i3spacy-s0 full-i3lex-s0 [--split dev]

Each argument names a run folder in RUNS (bench/_common; trained by bench/cnn_variants.py). Its
model-best annotates the split's texts; every predicted token whose span matches a gold
token is counted in one bucket: "unseen" (the word is not in EWT train in any case),
"unseen in this case" (only another casing is), "rare" (1-4 times) or "frequent".
Writes bench/results/experiments/oov_accuracy.json and .md.
"""
from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path
from typing import Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import EWT, EXPERIMENT_RESULTS, RUNS, machine_info, markdown_table, require_data, write_results  # noqa: E402

BUCKETS = ["unseen", "unseen in this case", "rare (1-4)", "frequent"]


def bucket_of(text: str, counts: collections.Counter, lower: set) -> str:
    n = counts[text]
    if n == 0:
        return "unseen in this case" if text.lower() in lower else "unseen"
    return "rare (1-4)" if n < 5 else "frequent"


def score(run: str, split: str, counts: collections.Counter, lower: set) -> Dict[str, List[int]]:
    import torch

    import heron
    from heron.tokens import DocBin

    torch.set_num_threads(1)
    nlp = heron.load(require_data(RUNS / run / "model" / "model-best", f"oov_accuracy ({run})"))
    gold = list(DocBin().from_disk(EWT / f"{split}.heron").get_docs(nlp.vocab))
    out = {b: [0, 0] for b in BUCKETS}
    for g, p in zip(gold, nlp.pipe([d.text for d in gold], batch_size=256, disable=["ner"])):
        tags = {(t.idx, t.idx + len(t.text)): t.tag_ for t in g}
        for t in p:
            want = tags.get((t.idx, t.idx + len(t.text)))
            if want is None:
                continue
            b = out[bucket_of(t.text, counts, lower)]
            b[0] += 1
            b[1] += t.tag_ == want
    return out


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("--split", default="dev", choices=["dev", "test"])
    args = ap.parse_args(argv)
    import heron
    from heron.tokens import DocBin

    train = require_data(EWT / "train.heron", "oov_accuracy (run bench/build_ewt_multitask.py first)")
    words = [t.text for d in DocBin().from_disk(train).get_docs(heron.blank("en").vocab) for t in d]
    counts, lower = collections.Counter(words), {w.lower() for w in words}
    results = {run: score(run, args.split, counts, lower) for run in args.runs}
    first = results[args.runs[0]]
    total = sum(n for n, _ in first.values())
    rows = [[b, f"{first[b][0]:,} ({first[b][0] / total:.1%})",
             *[f"{100 * results[r][b][1] / max(1, results[r][b][0]):.1f}" for r in args.runs]] for b in BUCKETS]
    rows.append(["all", f"{total:,}", *[f"{100 * sum(c for _, c in results[r].values()) / total:.2f}"
                                        for r in args.runs]])
    m = machine_info()
    md = (f"# Tag accuracy by word frequency in EWT train (EWT {args.split})\n\n"
          + markdown_table(["words", "tokens", *args.runs], rows)
          + "\n\nTokens whose predicted span matches a gold token; accuracy in %."
          + f" {m['cpu_count']} cores, torch {m['torch']}.\n\n"
          + f"Command: `.venv/bin/python bench/experiments/oov_accuracy.py {' '.join(argv)}`\n")
    write_results("oov_accuracy", {"machine": m, "split": args.split, "results": results}, md, EXPERIMENT_RESULTS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
