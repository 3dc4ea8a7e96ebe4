"""Text classification on GoEmotions (Ekman taxonomy): heron's default configs against spaCy 3.8's.

    .venv/bin/python bench/textcat_goemotions.py build
    .venv/bin/python bench/textcat_goemotions.py train heron bow -p textcat_multilabel
    .venv/bin/python bench/textcat_goemotions.py train heron ens -p tok2vec,textcat_multilabel --optimize accuracy
    .venv/bin/python bench/textcat_goemotions.py train heron trf -p textcat_multilabel --transformer minilm
    .venv/bin/python bench/textcat_goemotions.py train spacy eff -p textcat_multilabel
    .venv/bin/python bench/textcat_goemotions.py train spacy acc -p textcat_multilabel --optimize accuracy
    .venv/bin/python bench/textcat_goemotions.py train heron xbow -p textcat --task exclusive   # and so on
    .venv/bin/python bench/textcat_goemotions.py report heron/bow heron/ens spacy/eff spacy/acc \
        --exclusive heron/xbow spacy/xeff [--rounds 3]

`build` reads ../shared/data/goemotions_ekman/{train,dev}.tsv (text, comma-separated label
ids into labels.txt, comment id; CSV-style quoting) and writes, for the multilabel task
(all rows) and the exclusive task (rows with exactly one label), WORK/goemotions/TASK/
{train,dev}.{heron,jsonl,spacy}: the texts tokenized once by heron, every label in
doc.cats as 0.0/1.0, so both systems train on the same Docs.

`train SYSTEM NAME -p PIPES [--optimize O] [--transformer minilm] [--task T]` trains what
`heron init config` / `spacy init config -l en` write (bench/_common/init_config_runs.py),
with bench/'s full-set step budget, one thread.

`report` runs each model on the dev TEXTS (each system tokenizes them itself) in its own
process and scores the predicted doc.cats here, the same way for every system:
multilabel: macro F1 at threshold 0.5, macro F1 with each label's threshold tuned on dev
(optimistic: chosen and scored on the same data, as `heron find-threshold` would), macro
AUC; exclusive: accuracy and macro F1 of the argmax. Speed: docs/s of each model, one
thread, nlp.pipe batch 256 over the dev texts, rounds alternating between the systems,
best kept. Writes bench/results/textcat_goemotions.{json,md}.
"""
from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Sequence, Tuple

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    BENCH,
    PEERS_PYTHON,
    WORK,
    machine_info,
    markdown_table,
    require_data,
    shared_data,
    write_results,
)
from _common.init_config_runs import add_train_parser, split_overrides, train_heron, train_spacy  # noqa: E402
from _common.processes import HeronWorker, Peer, pin_peer_threads  # noqa: E402

SOURCE = shared_data("goemotions_ekman")
DATA = WORK / "goemotions"
RUNS = WORK / "textcat"
TASKS = ("multilabel", "exclusive")
PUBLISHED = ("Published reference: BERT-base, Ekman taxonomy, macro F1 0.64 on the test split (the "
             "GoEmotions paper); the data's source repository reports 62.59 dev / 62.38 test with BERT-base.")


def read_tsv(path: Path, labels: Sequence[str]) -> List[Tuple[str, List[str]]]:
    """(text, label names) per row; a malformed row stops the build naming file:line."""
    rows = []
    with open(path, encoding="utf8", newline="") as f:
        for line_no, row in enumerate(csv.reader(f, delimiter="\t"), 1):
            if len(row) != 3:
                raise SystemExit(f"{path}:{line_no}: expected text, label ids, id; got {len(row)} fields")
            rows.append((row[0], [labels[int(i)] for i in row[1].split(",")]))
    return rows


def build() -> None:
    import heron
    from heron.tokens import DocBin

    require_data(SOURCE / "train.tsv", "textcat_goemotions")
    labels = (SOURCE / "labels.txt").read_text(encoding="utf8").split()
    nlp = heron.blank("en")
    for task in TASKS:
        out = DATA / task
        out.mkdir(parents=True, exist_ok=True)
        for split in ("train", "dev"):
            rows = read_tsv(SOURCE / f"{split}.tsv", labels)
            if task == "exclusive":
                rows = [r for r in rows if len(r[1]) == 1]
            docs = []
            with open(out / f"{split}.jsonl", "w", encoding="utf8") as f:
                for text, gold in rows:
                    doc = nlp.make_doc(text)
                    doc.cats = {label: float(label in gold) for label in labels}
                    docs.append(doc)
                    f.write(json.dumps({"words": [t.text for t in doc], "spaces": [bool(t.whitespace_) for t in doc],
                                        "cats": doc.cats}, ensure_ascii=False) + "\n")
            DocBin(docs=docs, store_user_data=False).to_disk(out / f"{split}.heron")
            print(f"{task} {split}: {len(docs)} docs")
        if PEERS_PYTHON.exists():
            subprocess.check_call([str(PEERS_PYTHON), str(BENCH / "peers" / "spacy_docbin.py"), str(out)])


def dev_gold(task: str) -> Tuple[List[str], List[str], np.ndarray]:
    """The dev texts, the labels and the gold matrix (n_docs, n_labels) of 0/1."""
    texts, gold = [], []
    with open(DATA / task / "dev.jsonl", encoding="utf8") as f:
        for line in f:
            r = json.loads(line)
            texts.append("".join(w + (" " if s else "") for w, s in zip(r["words"], r["spaces"])))
            gold.append(r["cats"])
    labels = sorted(gold[0])
    return texts, labels, np.array([[g[label] for label in labels] for g in gold], dtype=np.float64)


def f1(pred: np.ndarray, gold: np.ndarray) -> float:
    tp = float((pred * gold).sum())
    return 2 * tp / max(float(pred.sum() + gold.sum()), 1e-12)


def auc(scores: np.ndarray, gold: np.ndarray) -> float:
    """ROC AUC by the rank statistic (ties get their average rank)."""
    order = np.argsort(scores, kind="mergesort")
    ranks = np.empty(len(scores))
    sorted_scores = scores[order]
    i = 0
    while i < len(scores):
        j = i
        while j + 1 < len(scores) and sorted_scores[j + 1] == sorted_scores[i]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2 + 1
        i = j + 1
    n_pos, n_neg = gold.sum(), len(gold) - gold.sum()
    return float((ranks[gold == 1].sum() - n_pos * (n_pos + 1) / 2) / max(n_pos * n_neg, 1))


def multilabel_scores(scores: np.ndarray, gold: np.ndarray) -> Dict[str, float]:
    per_label_05 = [f1((scores[:, k] >= 0.5).astype(float), gold[:, k]) for k in range(gold.shape[1])]
    grid = np.linspace(0.02, 0.98, 49)
    per_label_tuned = [max(f1((scores[:, k] >= t).astype(float), gold[:, k]) for t in grid)
                       for k in range(gold.shape[1])]
    return {"macro_f1_05": float(np.mean(per_label_05)), "macro_f1_tuned": float(np.mean(per_label_tuned)),
            "macro_auc": float(np.mean([auc(scores[:, k], gold[:, k]) for k in range(gold.shape[1])]))}


def exclusive_scores(scores: np.ndarray, gold: np.ndarray) -> Dict[str, float]:
    pred = np.zeros_like(gold)
    pred[np.arange(len(gold)), scores.argmax(1)] = 1
    return {"accuracy": float((pred * gold).sum() / len(gold)),
            "macro_f1": float(np.mean([f1(pred[:, k], gold[:, k]) for k in range(gold.shape[1])]))}


def _model(run: str) -> Path:
    system, name = run.split("/")
    return require_data(RUNS / f"{system}-{name}" / "model" / "model-best", f"textcat_goemotions ({run}: train it)")


def _start(run: str) -> Peer:
    proc: Any = HeronWorker(1) if run.startswith("heron/") else Peer("spacy_cnn.py")
    proc.request(cmd="load", model=str(_model(run)))
    return proc


def score_and_time(runs: List[str], task: str, rounds: int) -> Dict[str, Any]:
    texts, labels, gold = dev_gold(task)
    procs = {run: _start(run) for run in runs}
    out: Dict[str, Any] = {}
    for run, proc in procs.items():
        cats = proc.request(cmd="cats", texts=texts, batch_size=256)["cats"]
        scores = np.array([[c.get(label, 0.0) for label in labels] for c in cats], dtype=np.float64)
        out[run] = multilabel_scores(scores, gold) if task == "multilabel" else exclusive_scores(scores, gold)
    for proc in procs.values():  # warm-up
        proc.request(cmd="speed", texts=texts[:500], batch_size=256)
    speeds: Dict[str, List[float]] = {run: [] for run in runs}
    for r in range(rounds):
        for run, proc in procs.items():
            seconds = proc.request(cmd="speed", texts=texts, batch_size=256)["seconds"]
            speeds[run].append(len(texts) / seconds)
            print(f"  {task} round {r + 1} {run}: {speeds[run][-1]:,.0f} docs/s", flush=True)
    for run, proc in procs.items():
        out[run].update(docs_per_sec=round(max(speeds[run])), rounds=[round(x) for x in speeds[run]],
                        peak_rss_mb=round(proc.request(cmd="rss")["peak_rss_mb"], 1))
        made = json.loads((RUNS / run.replace("/", "-") / "made_by.json").read_text())
        out[run].update(pipes=made["pipes"] + (" (MiniLM-L6 trunk)" if made.get("transformer") else ""),
                        optimize=made.get("optimize"), commit=made.get("commit", "-"),
                        train_cpu_s=made["train"].get("train_cpu_s"), max_steps=made["budget"]["max_steps"],
                        **({"vectors": made["vectors"]} if "vectors" in made else {}))
        proc.close()
    out["_dev_docs"] = len(texts)
    return out


def _pct(x: float) -> str:
    return f"{100 * x:.2f}"


def report(multi: List[str], exclusive: List[str], rounds: int) -> None:
    require_data(DATA / "multilabel" / "dev.jsonl", "textcat_goemotions (run build)")
    pin_peer_threads(1)
    results: Dict[str, Any] = {"machine": machine_info(), "rounds": rounds}
    lines = ["# Text classification on GoEmotions-Ekman (dev, from raw text)", ""]
    if multi:
        res = results["multilabel"] = score_and_time(multi, "multilabel", rounds)
        rows = [[run, res[run]["pipes"], res[run]["optimize"] or "-", _pct(res[run]["macro_f1_05"]),
                 _pct(res[run]["macro_f1_tuned"]), _pct(res[run]["macro_auc"]), f"{res[run]['docs_per_sec']:,}",
                 res[run]["train_cpu_s"]] for run in multi]
        lines += ["Multilabel (all 7 labels, 5,426 dev texts):", "",
                  markdown_table(["run", "pipeline", "-o", "macro F1 @0.5", "macro F1 tuned", "macro AUC",
                                  "docs/s", "train CPU s"], rows), ""]
    if exclusive:
        res = results["exclusive"] = score_and_time(exclusive, "exclusive", rounds)
        rows = [[run, res[run]["pipes"], res[run]["optimize"] or "-", _pct(res[run]["accuracy"]),
                 _pct(res[run]["macro_f1"]), f"{res[run]['docs_per_sec']:,}", res[run]["train_cpu_s"]]
                for run in exclusive]
        lines += [f"Exclusive (the dev texts with one label: {res['_dev_docs']:,}):", "",
                  markdown_table(["run", "pipeline", "-o", "accuracy", "macro F1", "docs/s", "train CPU s"], rows),
                  ""]
    for task in ("multilabel", "exclusive"):
        for run, res in results.get(task, {}).items():
            if run.startswith("_"):
                continue
            if res.get("vectors"):
                lines.append(f"- {run}: static vectors: {res['vectors']}.")
            if res["max_steps"] != 3000:
                lines.append(f"- {run}: {res['max_steps']:,} steps ({res['train_cpu_s']} CPU s; the other runs: "
                             "3,000 steps).")
    lines += ["", "Tuned: each label's threshold chosen on dev and scored on dev (an optimistic figure). "
              "docs/s: one process and one thread each, nlp.pipe batch 256 over the dev texts, "
              f"{rounds} alternating rounds, best kept.", "", PUBLISHED, "",
              "Command: `.venv/bin/python bench/textcat_goemotions.py report " + " ".join(multi)
              + (" --exclusive " + " ".join(exclusive) if exclusive else "") + f" --rounds {rounds}`"]
    write_results("textcat_goemotions", results, "\n".join(lines))


def main(argv: List[str]) -> int:
    argv, overrides = split_overrides(argv)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build")
    t = add_train_parser(sub, "textcat_multilabel")
    t.add_argument("--task", choices=TASKS, default="multilabel")
    r = sub.add_parser("report")
    r.add_argument("runs", nargs="*")
    r.add_argument("--exclusive", nargs="*", default=[])
    r.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args(argv)
    if args.cmd == "build":
        build()
    elif args.cmd == "train":
        data = require_data(DATA / args.task / "train.heron", "textcat_goemotions (run build)").parent
        if args.system == "heron":
            transformer = args.transformer
            if transformer == "minilm":
                from _common import minilm_path
                transformer = minilm_path("textcat_goemotions")
            made = train_heron(RUNS, args.name, args.pipeline, args.optimize, args.steps, overrides,
                               train=data / "train.heron", dev=data / "dev.heron", transformer=transformer,
                               extra={"task": args.task, **({"transformer": transformer} if transformer else {})})
        else:
            require_data(PEERS_PYTHON, "textcat_goemotions spacy (run make bench-peers)")
            made = train_spacy(RUNS, args.name, args.pipeline, args.optimize, args.steps, data=data)
        print(json.dumps(made))
    else:
        report(args.runs, args.exclusive, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
