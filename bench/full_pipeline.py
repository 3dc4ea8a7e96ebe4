"""The full UD pipeline on UD English-EWT (issue 17): tags, POS, morphology, lemmas, trees,
sentences and entities from one heron `init config`, and its speed against en_core_web_sm.

    .venv/bin/python bench/build_ewt_multitask.py                      # corpus (once)
    .venv/bin/python bench/full_pipeline.py train heron full           # the default PIPES (below)
    .venv/bin/python bench/full_pipeline.py report heron/full [--rounds 3]
    .venv/bin/python bench/full_pipeline.py train heron smoke --steps 20 --limit 50    # smoke run
    .venv/bin/python bench/full_pipeline.py report heron/smoke --rounds 1 --limit 20   # smoke report

`train heron NAME [-p PIPES]` writes the config `heron init config -p PIPES -o efficiency`
generates with the working tree's heron (default PIPES tok2vec, tagger, morphologizer,
parser, trainable_lemmatizer, ner) into WORK/full/heron-NAME/config.cfg, recording the git
commit, and trains it on bench/build_ewt_multitask.py's Docs (EWT train with XPOS, UPOS,
FEATS, lemmas, UD trees and UNER entities, in Docs of up to 10 sentences: the same Docs as
bench/parser_ewt.py) with bench/'s full-set budget (bench/_common/seeds.py STEPS["full"],
or --steps), one thread; overrides for heron train follow `--` (candidate settings are
chosen on the dev score, never on test). `--limit N` trains on the first N train and dev
Docs (smoke runs; results not for tables).

`report` scores each heron run's model-best on EWT test from raw text (heron tokenizes the
test text itself; scores go through the gold alignment): TAG (XPOS), UPOS, UFeats (the
whole FEATS of a token right), Lemma, UAS, LAS, sentence F and entity F. Then words/s of
the first run's whole pipeline against en_core_web_sm with all the components it enables by
default (tok2vec, tagger, parser, attribute_ruler, lemmatizer, ner; its senter stays
disabled, as the package ships it), one thread, one process each, nlp.pipe batch 256,
rounds alternating, best kept. en_core_web_sm is trained on OntoNotes (other tag, label
and entity sets), so it is timed, not scored. `--limit N` scores and times the first N test
Docs only (written to full_pipeline_smoke). Writes bench/results/full_pipeline.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    EWT,
    PEERS_PYTHON,
    SM_PACKAGE,
    WORK,
    machine_info,
    markdown_table,
    read_test_texts,
    require_data,
    write_results,
)
from _common.init_config_runs import add_train_parser, split_overrides, step_budget, train_from_args  # noqa: E402
from _common.processes import HeronWorker, Peer, pin_peer_threads, speed_rounds  # noqa: E402

RUNS = WORK / "full"
PIPES = "tok2vec,tagger,morphologizer,parser,trainable_lemmatizer,ner"
# en_core_web_sm as it loads by default: nothing excluded (its senter ships disabled and stays so).
SM_FULL_EXCLUDE: List[str] = []
# (label, score key) of the accuracy table, in CoNLL 2018's order where it has the measure.
METRICS = [("TAG", "tag_acc"), ("UPOS", "pos_acc"), ("UFeats", "morph_acc"), ("Lemma", "lemma_acc"),
           ("UAS", "dep_uas"), ("LAS", "dep_las"), ("sents F", "sents_f"), ("ENTS F", "ents_f")]
# As quoted (from its model card) in bench/morph_ewt.py, lemma_ewt.py and parser_ewt.py.
PUBLISHED = ("Published, EWT test: spaCy's transformer UD benchmark pipeline en_udv25_englishewt_trf (UD 2.5, "
             "its model card): XPOS 96.36, UPOS 96.94, UFeats 96.91, Lemma 97.36, UAS 91.90, LAS 89.42, "
             "sents F 90.62. Stanza 1.5 LAS 86.77, UDPipe 2 (mBERT) 88.81, Trankit large 89.40 from raw text "
             "(CoNLL 2018 evaluation; issue 16's reference points).")


def _run_dir(run: str) -> Path:
    return RUNS / run.replace("/", "-")


def _heron(run: str) -> Tuple[Peer, Dict[str, Any]]:
    """A heron worker with `run`'s model-best loaded, and its load answer (pipe names, versions)."""
    model = require_data(_run_dir(run) / "model" / "model-best", f"full_pipeline ({run}: train it)")
    worker = HeronWorker()
    return worker, worker.request(cmd="load", model=str(model))


def report(runs: List[str], rounds: int, limit: int) -> None:
    require_data(EWT / "test.heron", "full_pipeline (run bench/build_ewt_multitask.py)")
    texts, n_words = read_test_texts(EWT, limit)
    for run in runs:
        if not run.startswith("heron/"):
            raise SystemExit(f"full_pipeline: {run}: only heron runs are scored (en_core_web_sm is timed)")
    skipped = [r for r in runs if not (_run_dir(r) / "made_by.json").exists()]
    for run in skipped:
        print(f"{run}: skipped (not trained)")
    runs = [r for r in runs if r not in skipped]
    if not runs:
        print("full_pipeline: skipped: no trained run")
        return
    made = {run: json.loads((_run_dir(run) / "made_by.json").read_text()) for run in runs}
    scores: Dict[str, Any] = {}
    for run in runs:
        proc, _ = _heron(run)
        try:
            scores[run] = proc.request(cmd="evaluate", path=str(EWT / "test.heron"), batch_size=256, limit=limit)
        finally:
            proc.close()
        print(run, {key: scores[run].get(key) for _, key in METRICS}, flush=True)
    full = runs[0]
    heron, loaded = _heron(full)
    systems: Dict[str, Peer] = {"heron": heron}
    pipes = {"heron": loaded}
    if PEERS_PYTHON.exists():
        pin_peer_threads(1)
        sm = Peer("spacy_cnn.py")
        pipes["en_core_web_sm"] = sm.request(cmd="load", model=SM_PACKAGE, exclude=SM_FULL_EXCLUDE)
        systems["en_core_web_sm"] = sm
    else:
        print(f"en_core_web_sm: skipped ({PEERS_PYTHON} missing; run `make bench-peers`): heron timed alone")
    try:
        speed = speed_rounds(systems, texts, n_words, rounds, batch_size=256, warmup_docs=200)
    finally:
        for proc in systems.values():
            proc.close()
    for name, answer in pipes.items():
        speed[name]["pipe_names"] = answer["pipe_names"]
    versions = {k: v for k, v in {"heron": pipes["heron"].get("heron"),
                                  "spacy": pipes.get("en_core_web_sm", {}).get("spacy")}.items() if v}
    write(runs, made, scores, speed, n_words, rounds, limit, full, versions)


def _pct(x: Any) -> str:
    return "-" if x is None else f"{100 * x:.2f}"


def train_command(run: str, made: Dict[str, Any]) -> str:
    """The `train` command line that made `run` (from its made_by.json)."""
    cmd = f".venv/bin/python bench/full_pipeline.py train heron {run.split('/', 1)[1]}"
    if made["pipes"] != PIPES:
        cmd += f" -p {made['pipes']}"
    if made.get("optimize", "efficiency") != "efficiency":
        cmd += f" --optimize {made['optimize']}"
    if made["budget"]["max_steps"] != step_budget(0)["max_steps"]:
        cmd += f" --steps {made['budget']['max_steps']}"
    if made.get("limit"):
        cmd += f" --limit {made['limit']}"
    if made.get("overrides"):
        cmd += " -- " + " ".join(made["overrides"])
    return f"`{cmd}`"


def write(runs: List[str], made: Dict[str, Any], scores: Dict[str, Any], speed: Dict[str, Any], n_words: int,
          rounds: int, limit: int, full: str, versions: Dict[str, str]) -> None:
    rows = [[run, made[run]["pipes"], made[run].get("commit", "-"), f"{made[run]['budget']['max_steps']:,}",
             *[_pct(scores[run].get(key)) for _, key in METRICS],
             f"{made[run]['train']['train_wall_s']} ({made[run]['train'].get('train_cpu_s', '-')})"]
            for run in runs]
    table = markdown_table(["run", "pipeline", "commit", "max steps", *[label for label, _ in METRICS],
                            "train wall s (CPU s)"], rows)
    smoke = f", SMOKE: first {limit} Docs" if limit else ""
    lines = [f"# The full UD pipeline on UD English-EWT (test, from raw text{smoke})", "", table, "", PUBLISHED, ""]
    h = speed["heron"]["words_per_sec"]
    sm: Optional[int] = speed.get("en_core_web_sm", {}).get("words_per_sec")
    line = (f"Speed, 1 thread, nlp.pipe batch 256, best of {rounds} alternating rounds over the {n_words:,} test "
            f"words: {full} ({'+'.join(speed['heron']['pipe_names'])}) {h:,} words/s")
    if sm:
        line += (f"; en_core_web_sm ({'+'.join(speed['en_core_web_sm']['pipe_names'])}, its default "
                 f"components) {sm:,} words/s; ratio heron/sm {h / sm:.2f}x.")
    else:
        line += " (en_core_web_sm not timed: no peers venv)."
    lines += [line, "", "en_core_web_sm's timing includes its attribute_ruler and its rule lemmatizer (suffix "
              "rules and exception tables by the POS its attribute_ruler maps from the tagger's tags); heron's "
              "lemmatizer is the trainable_lemmatizer (edit trees predicted from the shared tok2vec), and its UPOS "
              "and FEATS come from the morphologizer. en_core_web_sm is trained on OntoNotes (PTB tags, ClearNLP "
              "labels, OntoNotes entity types), so it is timed, not scored on EWT.", ""]
    notes = [f"- {run}: {made[run]['note']}" for run in runs if made[run].get("note")]
    smoke_runs = [run for run in runs if made[run].get("limit")]
    if smoke_runs:
        notes.append(f"- SMOKE RUNS (trained on a few Docs only, not results): {', '.join(smoke_runs)}.")
    lines += notes + ([""] if notes else [])
    # Short --steps runs evaluate more often (init_config_runs.step_budget): say what the runs used.
    evals, patiences = ({made[run]["budget"][k] for run in runs} for k in ("eval_frequency", "patience"))
    lines.append(f"Budget: max steps as listed, eval every {' / '.join(f'{x:,}' for x in sorted(evals))} steps, "
                 f"patience {' / '.join(f'{x:,}' for x in sorted(patiences))}, one thread. Commands: "
                 + ", ".join(train_command(run, made[run]) for run in runs)
                 + ", then `.venv/bin/python bench/full_pipeline.py report " + " ".join(runs)
                 + f" --rounds {rounds}" + (f" --limit {limit}" if limit else "") + "`.")
    write_results("full_pipeline" + ("_smoke" if limit else ""),
                  {"machine": machine_info(versions), "runs": made, "scores": scores, "speed": speed,
                   "n_words": n_words, "rounds": rounds, "limit": limit, "speed_run": full},
                  "\n".join(lines) + "\n")


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = add_train_parser(sub, PIPES)
    t.add_argument("--limit", type=int, default=0, help="train on the first N train and dev Docs (smoke runs)")
    r = sub.add_parser("report")
    r.add_argument("runs", nargs="+", help="heron/NAME")
    r.add_argument("--rounds", type=int, default=3)
    r.add_argument("--limit", type=int, default=0, help="score and time the first N test Docs only (smoke runs)")
    argv, overrides = split_overrides(argv)
    args = ap.parse_args(argv)
    if args.cmd == "train":
        if args.system != "heron":
            raise SystemExit("full_pipeline: only `train heron` (en_core_web_sm is the reference, timed as shipped)")
        print(json.dumps(train_from_args("full_pipeline", RUNS, args, overrides)))
    else:
        report(args.runs, args.rounds, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
