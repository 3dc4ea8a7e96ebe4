"""POS, tags and morphology on UD English-EWT: heron's morphologizer against spaCy 3.8's.

    .venv/bin/python bench/build_ewt_multitask.py                        # corpus (once)
    .venv/bin/python bench/morph_ewt.py train heron tm                   # tok2vec,tagger,morphologizer
    .venv/bin/python bench/morph_ewt.py train spacy tm                   # spaCy: morphologizer,tagger
    .venv/bin/python bench/morph_ewt.py report heron/tm spacy/tm
    .venv/bin/python bench/morph_ewt.py train heron tm --limit 200 --steps 50   # smoke run

`train heron NAME` writes the config `heron init config -p tok2vec,tagger,morphologizer -o
efficiency` generates with the working tree's heron into WORK/morph/heron-NAME/config.cfg
(recording the git commit); `train spacy NAME` writes spaCy's own `spacy init config -l en
-p morphologizer,tagger -o efficiency` (in .venv-peers). Both train on the same Docs
(bench/build_ewt_multitask.py: EWT train with XPOS, UPOS and FEATS) with the same budget
(bench/_common/seeds.py STEPS["full"], or --steps), one thread; overrides after `--`.
`--limit N` trains on the first N training Docs only (smoke runs; results not for tables).

`report` scores each run's model-best on EWT test from raw text (each system tokenizes the
test text; scores go through the gold alignment): UPOS (pos_acc), XPOS (tag_acc), UFeats
(morph_acc: the whole FEATS of a token right) and AllTags (UPOS, XPOS and FEATS all right,
the CoNLL 2018 measure, over gold tokens with a UPOS that align one-to-one; a token the
tokenizer splits or merges counts as wrong). Writes bench/results/morph_ewt.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    EWT,
    PEERS_PYTHON,
    RESULTS,
    WORK,
    machine_info,
    markdown_table,
    require_data,
    thread_env,
    write_results,
)
from _common.init_config_runs import (  # noqa: E402
    add_train_parser,
    budget_label,
    limited_corpus,
    merge_previous,
    require_train_inputs,
    run_dir,
    split_overrides,
    train_heron,
    train_spacy,
)

RUNS = WORK / "morph"
HERON_PIPES = "tok2vec,tagger,morphologizer"
SPACY_PIPES = "morphologizer,tagger"
# From the model card of spaCy's UD benchmark pipeline (checked, not quoted from memory).
PUBLISHED = ("Published, EWT test: spaCy's transformer UD benchmark pipeline en_udv25_englishewt_trf "
             "(UD 2.5) UPOS 96.94, XPOS 96.36, UFeats 96.91 (its model card). From raw text, CoNLL 2018 "
             "evaluation (F1 over aligned words): Stanza 1.5.1 (UD 2.12, charlm, no transformer) UPOS 96.20, "
             "XPOS 95.75, UFeats 96.39, AllTags 94.64 (stanfordnlp.github.io/stanza/performance.html); "
             "UDPipe 2 (UD 2.15 models 241121, mBERT) UPOS 96.57, XPOS 96.24, UFeats 97.06, AllTags 95.27, "
             "and with gold tokenization 97.50 / 97.17 / 97.97 / 96.20 (ufal.mff.cuni.cz/udpipe/2/models, "
             "UD 2.15 model table). heron's data is UD 2.16.")
# AllTags for spaCy, run in .venv-peers: argv = model, test.spacy; prints {"all_tags": ..., "n": ...}.
SPACY_ALL_TAGS = """
import json, sys, spacy
from spacy.tokens import DocBin
from spacy.training import Example
nlp = spacy.load(sys.argv[1])
refs = list(DocBin().from_disk(sys.argv[2]).get_docs(nlp.vocab))
right = total = 0
for ref in refs:
    pred = nlp(ref.text)
    eg = Example(pred, ref)
    for g in ref:
        if not g.pos_ or g.is_space:
            continue
        total += 1
        x = eg.alignment.y2x[g.i]
        if len(x) == 1 and len(eg.alignment.x2y[int(x[0])]) == 1:
            p = pred[int(x[0])]
            right += (p.pos_, p.tag_, str(p.morph)) == (g.pos_, g.tag_, str(g.morph))
print(json.dumps({"all_tags": right / max(total, 1), "n": total}))
"""


def score_heron(model: Path, test: Path, limit: int = 0) -> Dict[str, Any]:
    """pos/tag/morph scores (nlp.evaluate, from raw text) and AllTags."""
    import heron
    from heron.tokens import DocBin
    from heron.training.example import Example

    nlp = heron.load(model)
    refs = list(DocBin().from_disk(test).get_docs(nlp.vocab))[: limit or None]
    examples = [Example(nlp.make_doc(ref.text), ref) for ref in refs]
    scores = nlp.evaluate(examples, batch_size=256)
    right = total = 0
    for ref, pred in zip(refs, nlp.pipe([ref.text for ref in refs], batch_size=256)):
        eg = Example(pred, ref)
        y2x, x2y = eg.alignment.y2x, eg.alignment.x2y
        for g in ref:
            if not g.pos_ or g.text.isspace():
                continue
            total += 1
            x = y2x[g.i]
            if len(x) == 1 and x2y.lengths[int(x[0])] == 1:
                p = pred[int(x[0])]
                right += (p.pos_, p.tag_, str(p.morph)) == (g.pos_, g.tag_, str(g.morph))
    return {k: scores.get(k) for k in ("pos_acc", "tag_acc", "morph_acc", "morph_micro_f", "token_acc")} | {
        "all_tags": right / max(total, 1), "n_gold_tokens": total, "morph_per_feat": scores.get("morph_per_feat")}


def score_spacy(model: Path, test: Path) -> Dict[str, Any]:
    code = ("import json, sys, spacy\nfrom spacy.tokens import DocBin\nfrom spacy.training import Example\n"
            "nlp = spacy.load(sys.argv[1])\nrefs = list(DocBin().from_disk(sys.argv[2]).get_docs(nlp.vocab))\n"
            "s = nlp.evaluate([Example(nlp.make_doc(r.text), r) for r in refs], batch_size=256)\n"
            "print(json.dumps({k: s.get(k) for k in ('pos_acc', 'tag_acc', 'morph_acc', 'morph_micro_f', "
            "'token_acc', 'morph_per_feat')}))\n")
    env = thread_env(1)
    scores = json.loads(subprocess.check_output([str(PEERS_PYTHON), "-c", code, str(model), str(test)], env=env,
                                                text=True).strip().splitlines()[-1])
    extra = json.loads(subprocess.check_output([str(PEERS_PYTHON), "-c", SPACY_ALL_TAGS, str(model), str(test)],
                                               env=env, text=True).strip().splitlines()[-1])
    return {**scores, "all_tags": extra["all_tags"], "n_gold_tokens": extra["n"]}


def report(runs: List[str], limit: int = 0, runs_dir: Path = RUNS, add: bool = False) -> None:
    made = {run: json.loads((runs_dir / run.replace("/", "-") / "made_by.json").read_text()) for run in runs}
    scores: Dict[str, Any] = {}
    for run in runs:
        system, name = run.split("/")
        model = require_data(runs_dir / f"{system}-{name}" / "model" / "model-best", f"morph_ewt ({run}: train it)")
        if system == "heron":
            scores[run] = score_heron(model, EWT / "test.heron", limit)
        else:
            scores[run] = score_spacy(model, EWT / "test.spacy")
        print(run, {k: v for k, v in scores[run].items() if k != "morph_per_feat"}, flush=True)
    shown = merge_previous(RESULTS / "morph_ewt.json", runs, made, scores) if add and not limit else runs
    rows = [[run, made[run]["pipes"], made[run].get("commit", "-"), budget_label(made[run]),
             _pct(scores[run]["pos_acc"]), _pct(scores[run]["tag_acc"]), _pct(scores[run]["morph_acc"]),
             _pct(scores[run]["all_tags"]), _pct(scores[run].get("morph_micro_f")),
             made[run]["train"].get("train_wall_s", "-")] for run in shown]
    table = markdown_table(["run", "pipeline", "commit", "steps", "UPOS", "XPOS", "UFeats", "AllTags",
                            "feats micro F", "train wall s"], rows)
    smoke = [run for run in shown if made[run].get("limit")]
    lines = [f"# POS, tags and morphology on UD English-EWT (test, from raw text)\n\n{table}\n", PUBLISHED, "",
             "steps: max_steps, /pN: patience (early stopping); one thread. Command: "
             "`.venv/bin/python bench/morph_ewt.py report " + " ".join(runs)
             + ("" if runs_dir == RUNS else f" --runs-dir {runs_dir}") + (" --add" if add else "")
             + "` (--add keeps the previous rows) after the `train` commands "
             "in its docstring" + ("" if runs_dir == RUNS else " (the runs are lemma_ewt.py's)") + "."]
    if smoke:
        lines.append(f"SMOKE RUNS (trained on a few Docs only, not results): {', '.join(smoke)}.")
    write_results("morph_ewt", {"machine": machine_info(), "runs": made, "scores": scores}, "\n".join(lines) + "\n")


def _pct(x: Any) -> str:
    return "-" if x is None else f"{100 * x:.2f}"


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = add_train_parser(sub, None)
    t.add_argument("--limit", type=int, default=0, help="train on the first N Docs only (heron; smoke runs)")
    r = sub.add_parser("report")
    r.add_argument("runs", nargs="+", help="heron/NAME or spacy/NAME")
    r.add_argument("--limit", type=int, default=0, help="score the first N test Docs only (heron; smoke runs)")
    r.add_argument("--add", action="store_true", help="keep the previous results' rows (runs not given here)")
    r.add_argument("--runs-dir", type=Path, default=RUNS,
                   help="where the runs are (WORK/lemma: score lemma_ewt.py's morphologizer runs)")
    argv, overrides = split_overrides(argv)
    args = ap.parse_args(argv)
    if args.cmd == "train":
        require_train_inputs("morph_ewt", args.system)
        if args.system == "heron":
            data = limited_corpus(run_dir(RUNS, "heron", args.name), args.limit)
            print(json.dumps(train_heron(RUNS, args.name, HERON_PIPES, "efficiency", args.steps, overrides,
                                         train=data["train"], dev=data["dev"], record_optimize=False,
                                         extra={"limit": args.limit})))
        else:
            print(json.dumps(train_spacy(RUNS, args.name, SPACY_PIPES, "efficiency", args.steps,
                                         record_optimize=False)))
    else:
        report(args.runs, args.limit, args.runs_dir, add=args.add)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
