"""spancat against ner on the same spans: Universal NER English-EWT entities, heron and spaCy 3.8.

    .venv/bin/python bench/build_ewt_multitask.py                      # corpus (once)
    .venv/bin/python bench/spancat_uner.py build
    .venv/bin/python bench/spancat_uner.py train heron sc -p tok2vec,spancat
    .venv/bin/python bench/spancat_uner.py train heron ner -p tok2vec,ner
    .venv/bin/python bench/spancat_uner.py train spacy sc -p spancat
    .venv/bin/python bench/spancat_uner.py train spacy ner -p ner
    .venv/bin/python bench/spancat_uner.py report heron/sc heron/ner spacy/sc spacy/ner

`build` copies the EWT multi-task corpus (bench/build_ewt_multitask.py: EWT with UNER
entities) into WORK/uner_spans/ with each Doc's entities also in doc.spans["sc"] (both
systems' spancat default key), as .heron and .spacy, so spancat and ner learn the same
spans from the same Docs. `train` trains what each system's `init config -p PIPES`
writes (bench/_common/init_config_runs.py), full-set step budget, one thread. `report`
scores each model-best on EWT test from raw text with its own system's `evaluate`
(spancat: spans_sc_p/r/f, exact span and label; ner: ents_p/r/f) and writes
bench/results/spancat_uner.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    BENCH,
    EWT,
    PEERS_PYTHON,
    WORK,
    machine_info,
    markdown_table,
    require_data,
    thread_env,
    write_results,
)
from _common.init_config_runs import add_train_parser, split_overrides, train_heron, train_spacy  # noqa: E402

DATA = WORK / "uner_spans"
RUNS = WORK / "spancat"
SPLITS = ("train", "dev", "test")


def build() -> None:
    import heron
    from heron.tokens import DocBin

    require_data(EWT / "train.heron", "spancat_uner (run bench/build_ewt_multitask.py)")
    DATA.mkdir(parents=True, exist_ok=True)
    vocab = heron.blank("en").vocab
    for split in SPLITS:
        docs = list(DocBin().from_disk(EWT / f"{split}.heron").get_docs(vocab))
        for doc in docs:
            doc.spans["sc"] = list(doc.ents)
        DocBin(docs=docs, store_user_data=False).to_disk(DATA / f"{split}.heron")
        shutil.copyfile(EWT / f"{split}.jsonl", DATA / f"{split}.jsonl")
        print(f"{split}: {len(docs)} docs, {sum(len(d.spans['sc']) for d in docs)} spans")
    if PEERS_PYTHON.exists():
        subprocess.check_call([str(PEERS_PYTHON), str(BENCH / "peers" / "spacy_docbin.py"), str(DATA),
                               "--spans-from-ents", "sc"])


def _model(run: str) -> Path:
    system, name = run.split("/")
    return require_data(RUNS / f"{system}-{name}" / "model" / "model-best", f"spancat_uner ({run}: train it)")


def evaluate_run(run: str) -> Dict[str, Any]:
    """The run's scores on EWT test from raw text, through its own system's evaluate CLI."""
    out = RUNS / run.replace("/", "-") / "test_scores.json"
    if run.startswith("heron/"):
        cmd = [sys.executable, "-m", "heron", "evaluate", str(_model(run)), str(DATA / "test.heron"),
               "--output", str(out)]
    else:
        cmd = [str(PEERS_PYTHON), "-m", "spacy", "evaluate", str(_model(run)), str(DATA / "test.spacy"),
               "--output", str(out)]
    subprocess.check_call(cmd, env=thread_env(1), stdout=subprocess.DEVNULL)
    return json.loads(out.read_text())


def _prf(scores: Dict[str, Any]) -> List[str]:
    prefix = "spans_sc" if "spans_sc_f" in scores else "ents"
    return [f"{100 * (scores.get(f'{prefix}_{k}') or 0):.2f}" for k in ("p", "r", "f")]


def report(runs: List[str]) -> None:
    require_data(DATA / "test.heron", "spancat_uner (run build)")
    scores, made, rows = {}, {}, []
    for run in runs:
        scores[run] = evaluate_run(run)
        made[run] = json.loads((RUNS / run.replace("/", "-") / "made_by.json").read_text())
        rows.append([run, made[run]["pipes"], made[run].get("commit", "-"), *_prf(scores[run]),
                     made[run]["train"].get("train_cpu_s")])
        print(run, rows[-1], flush=True)
    lines = ["# spancat and ner on Universal NER English-EWT (test, from raw text)", "",
             markdown_table(["run", "pipeline", "commit", "P", "R", "F", "train CPU s"], rows), "",
             "The same spans (UNER's PER, LOC, ORG entities) as doc.ents for ner and as doc.spans[\"sc\"] "
             "for spancat; exact span and label match. Each system's `init config -p PIPES -o efficiency`, "
             "bench/'s full-set step budget, one thread.", "",
             "Command: `.venv/bin/python bench/spancat_uner.py report " + " ".join(runs) + "`"]
    write_results("spancat_uner", {"machine": machine_info(), "scores": scores, "made_by": made}, "\n".join(lines))


def main(argv: List[str]) -> int:
    argv, overrides = split_overrides(argv)
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build")
    add_train_parser(sub, "tok2vec,spancat")
    r = sub.add_parser("report")
    r.add_argument("runs", nargs="+")
    args = ap.parse_args(argv)
    if args.cmd == "build":
        build()
    elif args.cmd == "train":
        require_data(DATA / "train.heron", "spancat_uner (run build)")
        if args.system == "heron":
            made = train_heron(RUNS, args.name, args.pipeline, args.optimize, args.steps, overrides,
                               train=DATA / "train.heron", dev=DATA / "dev.heron")
        else:
            require_data(PEERS_PYTHON, "spancat_uner spacy (run make bench-peers)")
            made = train_spacy(RUNS, args.name, args.pipeline, args.optimize, args.steps, data=DATA)
        print(json.dumps(made))
    else:
        report(args.runs)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
