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
    BENCH,
    EWT,
    PEERS_PYTHON,
    REPO,
    WORK,
    machine_info,
    markdown_table,
    require_data,
    thread_env,
    write_results,
)
from _common.processes import measured  # noqa: E402
from _common.seeds import STEPS  # noqa: E402

RUNS = WORK / "morph"
HERON_PIPES = "tok2vec,tagger,morphologizer"
SPACY_PIPES = "morphologizer,tagger"
# From the model card of spaCy's UD benchmark pipeline (checked, not quoted from memory).
PUBLISHED = ("Published, EWT test: spaCy's transformer UD benchmark pipeline en_udv25_englishewt_trf "
             "(UD 2.5) UPOS 96.94, XPOS 96.36, UFeats 96.91 (its model card). Stanza and UDPipe 2 "
             "figures: see their performance pages (CoNLL 2018 evaluation, raw text).")
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


def _commit() -> str:
    return subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                          text=True).stdout.strip()


def _budget(steps: int) -> Dict[str, int]:
    full = dict(zip(STEPS["full"][::2], STEPS["full"][1::2]))
    budget = {k.split(".")[-1]: int(v) for k, v in full.items()}
    if steps:
        budget["max_steps"] = steps
        budget["patience"] = max(budget["patience"], steps // 2)
        budget["eval_frequency"] = min(budget["eval_frequency"], max(steps // 2, 1))
    return budget


def _train_data(out: Path, limit: int) -> Dict[str, Path]:
    """EWT train/dev (DocBins of both systems), cut to `limit` Docs for smoke runs."""
    paths = {f"{split}_{kind}": EWT / f"{split}.{kind}" for split in ("train", "dev") for kind in ("heron", "spacy")}
    if not limit:
        return paths
    from heron import blank
    from heron.tokens import DocBin

    vocab = blank("en").vocab
    for split in ("train", "dev"):
        docs = list(DocBin().from_disk(EWT / f"{split}.heron").get_docs(vocab))[:limit]
        paths[f"{split}_heron"] = out / f"{split}.heron"
        DocBin(docs=docs, store_user_data=False).to_disk(paths[f"{split}_heron"])
    return paths


def train_heron(name: str, steps: int, limit: int, overrides: List[str]) -> Dict[str, Any]:
    out = RUNS / f"heron-{name}"
    out.mkdir(parents=True, exist_ok=True)
    cfg = out / "config.cfg"
    subprocess.check_call([sys.executable, "-m", "heron", "init", "config", str(cfg), "-p", HERON_PIPES,
                           "-o", "efficiency", "--force"], env=thread_env(1), stdout=subprocess.DEVNULL)
    budget, data = _budget(steps), _train_data(out, limit)
    cmd = [sys.executable, "-m", "heron", "train", str(cfg), "-o", str(out / "model"),
           "--paths.train", str(data["train_heron"]), "--paths.dev", str(data["dev_heron"]),
           *[x for k, v in budget.items() for x in (f"--training.{k}", str(v))], *overrides]
    print("heron train:", " ".join(cmd), flush=True)
    stats = measured(cmd, out / "train.log")
    if stats["rc"] != 0:
        raise SystemExit(f"heron train failed (rc={stats['rc']}); see {out / 'train.log'}")
    made = {"system": "heron", "pipes": HERON_PIPES, "commit": _commit(), "budget": budget, "limit": limit,
            "overrides": overrides, "train": stats}
    (out / "made_by.json").write_text(json.dumps(made, indent=2) + "\n")
    return made


def train_spacy(name: str, steps: int) -> Dict[str, Any]:
    out = RUNS / f"spacy-{name}"
    out.mkdir(parents=True, exist_ok=True)
    cfg = out / "config.cfg"
    subprocess.check_call([str(PEERS_PYTHON), "-m", "spacy", "init", "config", str(cfg), "-l", "en", "-p",
                           SPACY_PIPES, "-o", "efficiency", "--force"], env=thread_env(1))
    budget = _budget(steps)
    cmd = [str(PEERS_PYTHON), str(BENCH / "peers" / "spacy_train.py"), str(cfg), str(EWT), str(out / "model"),
           "--max-steps", str(budget["max_steps"]), "--patience", str(budget["patience"]),
           "--eval-frequency", str(budget["eval_frequency"])]
    print("spacy train:", " ".join(cmd), flush=True)
    with open(out / "train.log", "w") as f:
        subprocess.check_call(cmd, stdout=f, stderr=subprocess.STDOUT, env=thread_env(1))
    made = {"system": "spacy", "pipes": SPACY_PIPES, "budget": budget,
            "train": json.loads((out / "model" / "train_stats.json").read_text())}
    (out / "made_by.json").write_text(json.dumps(made, indent=2) + "\n")
    return made


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


def report(runs: List[str], limit: int = 0) -> None:
    made = {run: json.loads((RUNS / run.replace("/", "-") / "made_by.json").read_text()) for run in runs}
    scores: Dict[str, Any] = {}
    for run in runs:
        system, name = run.split("/")
        model = require_data(RUNS / f"{system}-{name}" / "model" / "model-best", f"morph_ewt ({run}: train it)")
        if system == "heron":
            scores[run] = score_heron(model, EWT / "test.heron", limit)
        else:
            scores[run] = score_spacy(model, EWT / "test.spacy")
        print(run, {k: v for k, v in scores[run].items() if k != "morph_per_feat"}, flush=True)
    rows = [[run, made[run]["pipes"], made[run].get("commit", "-"), _pct(scores[run]["pos_acc"]),
             _pct(scores[run]["tag_acc"]), _pct(scores[run]["morph_acc"]), _pct(scores[run]["all_tags"]),
             _pct(scores[run].get("morph_micro_f")), made[run]["train"].get("train_wall_s", "-")] for run in runs]
    table = markdown_table(["run", "pipeline", "commit", "UPOS", "XPOS", "UFeats", "AllTags", "feats micro F",
                            "train wall s"], rows)
    smoke = [run for run in runs if made[run].get("limit")]
    lines = [f"# POS, tags and morphology on UD English-EWT (test, from raw text)\n\n{table}\n", PUBLISHED, "",
             f"Budget: {json.dumps(next(iter(made.values()))['budget'])}, one thread. Command: "
             "`.venv/bin/python bench/morph_ewt.py report " + " ".join(runs) + "` after the `train` commands "
             "in its docstring."]
    if smoke:
        lines.append(f"SMOKE RUNS (trained on a few Docs only, not results): {', '.join(smoke)}.")
    write_results("morph_ewt", {"machine": machine_info(), "runs": made, "scores": scores}, "\n".join(lines) + "\n")


def _pct(x: Any) -> str:
    return "-" if x is None else f"{100 * x:.2f}"


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("system", choices=["heron", "spacy"])
    t.add_argument("name")
    t.add_argument("--steps", type=int, default=0, help="max_steps (default: bench/'s full-set budget)")
    t.add_argument("--limit", type=int, default=0, help="train on the first N Docs only (heron; smoke runs)")
    r = sub.add_parser("report")
    r.add_argument("runs", nargs="+", help="heron/NAME or spacy/NAME")
    r.add_argument("--limit", type=int, default=0, help="score the first N test Docs only (heron; smoke runs)")
    overrides: List[str] = []
    if "--" in argv:  # heron train overrides follow `--`
        argv, overrides = argv[:argv.index("--")], argv[argv.index("--") + 1:]
    args = ap.parse_args(argv)
    if args.cmd == "train":
        require_data(EWT / "train.heron", "morph_ewt (run bench/build_ewt_multitask.py)")
        if args.system == "heron":
            print(json.dumps(train_heron(args.name, args.steps, args.limit, overrides)))
        else:
            require_data(PEERS_PYTHON, "morph_ewt spacy (run make bench-peers)")
            print(json.dumps(train_spacy(args.name, args.steps)))
    else:
        report(args.runs, args.limit)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
