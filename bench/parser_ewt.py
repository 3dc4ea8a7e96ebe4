"""The dependency parser on UD English-EWT: heron's default configs against spaCy 3.8's.

    .venv/bin/python bench/build_ewt_multitask.py                      # corpus (once)
    .venv/bin/python bench/parser_ewt.py train heron tp -p tok2vec,tagger,parser
    .venv/bin/python bench/parser_ewt.py train heron tpn -p tok2vec,tagger,parser,ner
    .venv/bin/python bench/parser_ewt.py train spacy tp -p tagger,parser
    .venv/bin/python bench/parser_ewt.py train spacy tpn -p tagger,parser,ner
    .venv/bin/python bench/parser_ewt.py report heron/tp spacy/tp heron/tpn spacy/tpn [--rounds 3]
    .venv/bin/python bench/parser_ewt.py report ... heron/NEW --add     # one more row, nothing re-timed

`train heron NAME -p PIPES` writes the config `heron init config -p PIPES -o efficiency`
generates with the working tree's heron (`--optimize accuracy` for the accuracy one) into
WORK/parser/heron-NAME/config.cfg, recording the git commit; `train spacy NAME -p PIPES`
writes spaCy's own `spacy init config -l en -p PIPES -o efficiency` (run in .venv-peers).
Both train on the same Docs (bench/build_ewt_multitask.py: EWT train with tags, UD trees
and UNER entities, in Docs of up to 10 sentences, so the parser must find the sentence
boundaries), with the same budget (max_steps, eval_frequency and patience of bench/'s
full-set runs, bench/_common/seeds.py STEPS["full"], or --steps), one thread each, any
overrides after `--` (candidate settings are chosen on the dev score, never on test).

`report` scores each run's model-best on EWT test from raw text (each system tokenizes
the test text itself; scores go through the gold alignment), and times words/s: heron's
tok2vec+tagger+parser+ner run (the first heron run with a parser and ner) against
en_core_web_sm with tok2vec, tagger, parser and ner (attribute_ruler, lemmatizer and
senter excluded), one thread, one process each, nlp.pipe batch 256, rounds alternating,
best kept. It also parses the test text as ~10,000-token Docs (paragraphs joined) and
reports heron's words/s on those against the same words in the usual Docs. Writes
bench/results/parser_ewt.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    EWT,
    PEERS_PYTHON,
    RESULTS,
    SM_PACKAGE,
    WORK,
    machine_info,
    markdown_table,
    read_test_texts,
    require_data,
    write_results,
)
from _common.init_config_runs import add_train_parser, split_overrides, train_from_args  # noqa: E402
from _common.processes import HeronWorker, Peer, pin_peer_threads, speed_rounds  # noqa: E402

RUNS = WORK / "parser"
# en_core_web_sm's parser pipeline: its tok2vec, tagger, parser and ner (senter is off by default).
SM_PARSER_EXCLUDE = ["senter", "attribute_ruler", "lemmatizer"]
LONG_DOC_WORDS = 10_000
PUBLISHED = ("Published, EWT test from raw text (CoNLL 2018 evaluation): Stanza 1.5 LAS 86.77, "
             "UDPipe 2 (mBERT) 88.81, Trankit large 89.40 (issue 16's reference points); spaCy's "
             "transformer UD benchmark pipeline en_udv25_englishewt_trf (UD 2.5): UAS 91.90, LAS 89.42, "
             "sents F 90.62 (its model card).")


def _start(run: str) -> Peer:
    system, name = run.split("/")
    model = require_data(RUNS / f"{system}-{name}" / "model" / "model-best", f"parser_ewt ({run}: train it)")
    if system == "heron":
        worker: Peer = HeronWorker()
        worker.request(cmd="load", model=str(model))
        return worker
    pin_peer_threads(1)
    peer = Peer("spacy_cnn.py")
    peer.request(cmd="load", model=str(model))
    return peer


def long_docs(texts: List[str], n_words: int) -> List[str]:
    """The test texts joined (blank line between) into Docs of ~LONG_DOC_WORDS words."""
    docs, current, words = [], [], 0
    for text in texts:
        current.append(text)
        words += len(text.split())
        if words >= LONG_DOC_WORDS:
            docs.append("\n\n".join(current))
            current, words = [], 0
    if current:
        docs.append("\n\n".join(current))
    return docs


def report(runs: List[str], rounds: int, add: bool = False) -> None:
    """Score and time `runs`; with `add`, keep the rows and speed figures already in
    bench/results/parser_ewt.json (their machine, commit and rounds as recorded there, even
    when their run folders are gone) and score only the runs not yet in it: new rows
    without re-timing."""
    previous = json.loads((RESULTS / "parser_ewt.json").read_text()) if add else {}
    # Rows already in the results stay, as recorded there (their run folders may be gone).
    recorded = {r: made for r, made in previous.get("runs", {}).items() if r in previous.get("scores", {})}
    runs = [r for r in recorded if r not in runs] + list(runs)
    texts, n_words = read_test_texts(require_data(EWT, "parser_ewt (run bench/build_ewt_multitask.py)"))
    skipped = [r for r in runs if r not in recorded and (
        (r.startswith("spacy/") and not PEERS_PYTHON.exists())
        or not (RUNS / r.replace("/", "-") / "made_by.json").exists())]
    for run in skipped:
        print(f"{run}: skipped ({'no peers venv, or ' if run.startswith('spacy/') else ''}not trained)")
    runs = [r for r in runs if r not in skipped]
    made = {run: recorded[run] if run in recorded else
            json.loads((RUNS / run.replace("/", "-") / "made_by.json").read_text()) for run in runs}
    scores: Dict[str, Any] = {r: v for r, v in previous.get("scores", {}).items() if r in runs}
    for run in runs:
        if run in scores:
            continue
        proc = _start(run)
        try:
            path = EWT / ("test.heron" if run.startswith("heron/") else "test.spacy")
            scores[run] = proc.request(cmd="evaluate", path=str(path), **({"batch_size": 256}
                                                                          if run.startswith("heron/") else {}))
        finally:
            proc.close()
        print(run, {k: scores[run].get(k) for k in ("dep_uas", "dep_las", "sents_f", "tag_acc", "ents_f")},
              flush=True)
    full = previous.get("speed_run") or next((r for r in runs if r.startswith("heron/") and "parser" in made[r]["pipes"]
                                              and "ner" in made[r]["pipes"]), None)
    speed: Dict[str, Any] = previous.get("speed", {})
    if full is not None and not speed:
        systems: Dict[str, Peer] = {"heron": _start(full)}
        if PEERS_PYTHON.exists():
            pin_peer_threads(1)
            sm = Peer("spacy_cnn.py")
            sm.request(cmd="load", model=SM_PACKAGE, exclude=SM_PARSER_EXCLUDE)
            systems["en_core_web_sm"] = sm
        try:
            speed = speed_rounds(systems, texts, n_words, rounds, batch_size=256, warmup_docs=200)
            long = long_docs(texts, n_words)
            heron = systems["heron"]
            runs_long = [n_words / heron.request(cmd="speed", texts=long, batch_size=1)["seconds"]
                         for _ in range(rounds)]
            speed["heron_long_docs"] = {"words_per_sec": round(max(runs_long)), "docs": len(long),
                                        "rounds": [round(x) for x in runs_long]}
        finally:
            for proc in systems.values():
                proc.close()
    write(runs, made, scores, speed, n_words, rounds, full, added=add)


def _pct(x: Any) -> str:
    return "-" if x is None else f"{100 * x:.2f}"


def _parser_size(run: str, made: Dict[str, Any]) -> str:
    """hidden_width / maxout_pieces of the run's parser (from its config.cfg, or as recorded
    in the results once its folder is gone), and the trunk when it is a transformer."""
    if made.get("parser_size"):
        return str(made["parser_size"])
    import configparser

    cfg = configparser.ConfigParser(interpolation=None)
    cfg.read(RUNS / run.replace("/", "-") / "config.cfg")
    model = dict(cfg["components.parser.model"]) if cfg.has_section("components.parser.model") else {}
    overrides = made.get("overrides") or []
    for key in ("hidden_width", "maxout_pieces"):  # `heron train` overrides after `--` win
        flag = f"--components.parser.model.{key}"
        if flag in overrides[:-1]:
            model[key] = overrides[overrides.index(flag) + 1]
    size = f"{model.get('hidden_width', '?')} / {model.get('maxout_pieces', '?')}"
    return size + (", MiniLM-L6" if made.get("transformer") else "")


def write(runs: List[str], made: Dict[str, Any], scores: Dict[str, Any], speed: Dict[str, Any], n_words: int,
          rounds: int, full: Any, added: bool = False) -> None:
    for run in runs:  # recorded with the row: run folders are deleted, results are kept
        made[run]["parser_size"] = _parser_size(run, made[run])
    rows = [[run, made[run]["pipes"], made[run]["optimize"], made[run]["parser_size"], made[run].get("commit", "-"),
             f"{made[run]['budget']['max_steps']:,}",
             _pct(scores[run].get("dep_uas")), _pct(scores[run].get("dep_las")), _pct(scores[run].get("sents_f")),
             _pct(scores[run].get("tag_acc")), _pct(scores[run].get("ents_f")),
             f"{made[run]['train']['train_wall_s']} ({made[run]['train'].get('train_cpu_s', '-')})"]
            for run in runs]
    table = markdown_table(["run", "pipeline", "-o", "parser hidden / pieces", "commit", "max steps", "UAS", "LAS",
                            "sents F", "TAG", "ENTS F", "train wall s (CPU s)"], rows)
    lines = [f"# Dependency parsing on UD English-EWT (test, from raw text)\n\n{table}\n", PUBLISHED, ""]
    if speed:
        sm = speed.get("en_core_web_sm", {}).get("words_per_sec")
        h = speed["heron"]["words_per_sec"]
        lines += [f"Speed, 1 thread, batch 256, best of {rounds} alternating rounds over the {n_words:,} test words: "
                  f"heron {full} (tok2vec+tagger+parser+ner) {h:,} words/s"
                  + (f"; en_core_web_sm (tok2vec+tagger+parser+ner) {sm:,} words/s; ratio {h / sm:.2f}x." if sm
                     else "."),
                  f"Long Docs: the same words as {speed['heron_long_docs']['docs']} Docs of ~{LONG_DOC_WORDS:,} "
                  f"words: {speed['heron_long_docs']['words_per_sec']:,} words/s "
                  f"({speed['heron_long_docs']['words_per_sec'] / h:.2f}x the usual Docs).", ""]
    notes = [f"- {run}: {made[run]['note']}" for run in runs if made[run].get("note")]
    lines += notes + ([""] if notes else [])
    # Short --steps runs evaluate more often (init_config_runs.step_budget): say what the runs used.
    evals, patiences = ({made[run]["budget"][k] for run in runs} for k in ("eval_frequency", "patience"))
    lines.append(f"Budget: max steps as listed, eval every {' / '.join(f'{x:,}' for x in sorted(evals))} steps, "
                 f"patience {' / '.join(f'{x:,}' for x in sorted(patiences))}, one thread. Command: "
                 "`.venv/bin/python bench/parser_ewt.py report " + " ".join(runs)
                 + f" --rounds {rounds}` after the `train` commands in its docstring"
                 + (" (with `--add`: rows and speed already in the results kept, new runs scored)." if added
                    else "."))
    write_results("parser_ewt", {"machine": machine_info(), "runs": made, "scores": scores, "speed": speed,
                                 "speed_run": full, "n_words": n_words}, "\n".join(lines) + "\n")


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    add_train_parser(sub, "tok2vec,tagger,parser")
    r = sub.add_parser("report")
    r.add_argument("runs", nargs="+", help="heron/NAME or spacy/NAME")
    r.add_argument("--rounds", type=int, default=3)
    r.add_argument("--add", action="store_true",
                   help="keep the scores and speed already in bench/results/parser_ewt.json; score only new runs")
    argv, overrides = split_overrides(argv)
    args = ap.parse_args(argv)
    if args.cmd == "train":
        print(json.dumps(train_from_args("parser_ewt", RUNS, args, overrides)))
    else:
        report(args.runs, args.rounds, args.add)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
