"""Lemmatization on UD English-EWT: heron's trainable_lemmatizer against spaCy 3.8's, and
heron's rule lemmatizer with gold and with predicted POS.

    .venv/bin/python bench/build_ewt_multitask.py                      # corpus (once; keeps LEMMA)
    .venv/bin/python bench/lemma_ewt.py train heron tl -p tok2vec,tagger,trainable_lemmatizer
    .venv/bin/python bench/lemma_ewt.py train heron tml -p tok2vec,tagger,morphologizer,trainable_lemmatizer
    .venv/bin/python bench/lemma_ewt.py train spacy tl -p trainable_lemmatizer,tagger
    .venv/bin/python bench/lemma_ewt.py report heron/tl spacy/tl heron/tml --pos-run heron/tml [--rounds 3]
    .venv/bin/python bench/lemma_ewt.py report heron/tl --limit 20        # smoke: 20 test Docs

`train heron NAME -p PIPES` writes the config `heron init config -p PIPES -o efficiency`
makes with the working tree's heron into WORK/lemma/heron-NAME/config.cfg and trains it
(commit recorded); `train spacy NAME -p PIPES` does the same with `spacy init config` in
.venv-peers. Both train on the same Docs (bench/build_ewt_multitask.py: EWT train with
lemmas, tags, POS and FEATS) with bench/'s full-set budget (bench/_common/seeds.py
STEPS["full"], or --steps), one thread; overrides for heron train follow `--`.

`report` scores each run's model-best on EWT test FROM RAW TEXT with the systems' own
`evaluate` CLIs (each tokenizes the test text; scores go through the gold alignment):
lemma_acc, tag_acc, pos_acc, token_acc. Then, in this process, heron's rule lemmatizer
(spacy-lookups-data's English tables) on the raw test text: (a) with the gold POS and
FEATS copied onto heron's tokens through the alignment, (b) with the POS and FEATS that
--pos-run's pipeline predicts (a heron run with a morphologizer; its trainable_lemmatizer
is switched off), and (c) lookup mode (no POS). Last, inference words/s of the first heron
run: tok2vec + tagger against tok2vec + trainable_lemmatizer (one thread, batch 256,
alternating rounds, best kept). Writes bench/results/lemma_ewt.{json,md}.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    EWT,
    PEERS_PYTHON,
    RESULTS,
    WORK,
    machine_info,
    markdown_table,
    read_test_texts,
    require_data,
    thread_env,
    write_results,
)
from _common.init_config_runs import (  # noqa: E402
    add_train_parser,
    budget_label,
    merge_previous,
    split_overrides,
    train_from_args,
)

RUNS = WORK / "lemma"
SCORE_KEYS = ("lemma_acc", "tag_acc", "pos_acc", "morph_acc", "token_acc", "speed")
PUBLISHED = ("Published, EWT test: spaCy's transformer UD benchmark pipeline en_udv25_englishewt_trf "
             "(UD 2.5, edit-tree lemmatizer) lemma accuracy 97.36 (its model card). From raw text, CoNLL "
             "2018 evaluation (F1 over aligned words): Stanza 1.5.1 (UD 2.12, charlm, no transformer) "
             "Lemmas 96.63 (stanfordnlp.github.io/stanza/performance.html); UDPipe 2 (UD 2.15 models "
             "241121, mBERT) Lemmas 96.94, 97.87 with gold tokenization (ufal.mff.cuni.cz/udpipe/2/models, "
             "UD 2.15 model table). heron's data is UD 2.16.")


def _model(run: str) -> Path:
    system, name = run.split("/")
    return require_data(RUNS / f"{system}-{name}" / "model" / "model-best", f"lemma_ewt ({run}: train it)")


def evaluate_run(run: str, test: Path) -> Dict[str, Any]:
    """The run's scores on `test` from raw text, through its own system's evaluate CLI."""
    out = RUNS / run.replace("/", "-") / f"test_scores_{test.stem}.json"
    if run.startswith("heron/"):
        cmd = [sys.executable, "-m", "heron", "evaluate", str(_model(run)), str(test), "--output", str(out)]
    else:
        cmd = [str(PEERS_PYTHON), "-m", "spacy", "evaluate", str(_model(run)), str(test.with_suffix(".spacy")),
               "--output", str(out)]
    subprocess.check_call(cmd, env=thread_env(1), stdout=subprocess.DEVNULL)
    scores = json.loads(out.read_text())
    return {k: scores.get(k) for k in SCORE_KEYS}


def _test_examples(nlp: Any, test: Path) -> List[Any]:
    from heron.tokens import DocBin
    from heron.training import Example

    refs = DocBin().from_disk(test).get_docs(nlp.vocab)
    return [Example(nlp.make_doc(ref.text), ref) for ref in refs]


def rule_lemmatizer(test: Path, pos_run: Optional[str]) -> Dict[str, Any]:
    """lemma_acc of the rule lemmatizer with gold POS+FEATS, predicted ones, and lookup mode."""
    import heron
    from heron.scorer import score_token_attr
    from heron.training import Example

    out: Dict[str, Any] = {}
    nlp = heron.blank("en")
    for mode in ("rule", "lookup"):
        nlp.add_pipe("lemmatizer", name=mode, config={"mode": mode})
    nlp.initialize()
    for mode in ("rule", "lookup"):
        examples = _test_examples(nlp, test)
        if mode == "rule":  # gold POS and FEATS onto heron's own tokens, through the alignment
            for eg in examples:
                for token, pos, morph in zip(eg.predicted, eg.get_aligned("POS"), eg.get_aligned("MORPH")):
                    if pos:
                        token.pos_ = pos
                    if morph:
                        token.morph = morph
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            list(nlp.get_pipe(mode).pipe([eg.predicted for eg in examples]))
        key = "rule_gold_pos" if mode == "rule" else "lookup"
        out[key] = {**score_token_attr(examples, "lemma"), "tokens_without_pos_warnings": len(caught)}
    if pos_run:
        tagged = heron.load(_model(pos_run))
        rule = tagged.add_pipe("lemmatizer", name="rule_lemmatizer", config={"mode": "rule", "overwrite": True})
        rule.initialize()
        off = [n for n in tagged.pipe_names if tagged.get_pipe_meta(n).factory == "trainable_lemmatizer"]
        examples = _test_examples(tagged, test)
        with tagged.select_pipes(disable=off):
            docs = list(tagged.pipe([eg.predicted.text for eg in examples], batch_size=256))
        scored = [Example(doc, eg.reference) for doc, eg in zip(docs, examples)]
        out["rule_predicted_pos"] = {**score_token_attr(scored, "lemma"), **score_token_attr(scored, "pos"),
                                     "pos_run": pos_run}
    return out


def head_speed(run: str, texts: List[str], n_words: int, rounds: int) -> Dict[str, Any]:
    """words/s of tok2vec + tagger and of tok2vec + trainable_lemmatizer in `run`'s pipeline."""
    import torch

    import heron

    torch.set_num_threads(1)
    nlp = heron.load(_model(run))
    heads = {"tagger": "tagger", "trainable_lemmatizer": "trainable_lemmatizer"}
    if not all(h in nlp.pipe_names for h in heads) or "tok2vec" not in nlp.pipe_names:
        return {}
    best: Dict[str, float] = {}
    for _ in range(rounds):
        for head in heads:
            keep = {"tok2vec", head}
            with nlp.select_pipes(disable=[n for n in nlp.pipe_names if n not in keep]):
                list(nlp.pipe(texts[:50]))  # warm-up
                start = time.perf_counter()
                list(nlp.pipe(texts, batch_size=256))
                best[head] = max(best.get(head, 0.0), n_words / (time.perf_counter() - start))
    return {f"tok2vec+{h}": round(v) for h, v in best.items()}


def _pct(x: Any) -> str:
    return "-" if x is None else f"{100 * x:.2f}"


def report(runs: List[str], pos_run: Optional[str], rounds: int, limit: int, add: bool = False) -> None:
    require_data(EWT / "test.heron", "lemma_ewt (run bench/build_ewt_multitask.py)")
    test = EWT / "test.heron"
    if limit:  # a smoke run: the first `limit` test Docs, written to a DocBin of their own
        test = _head_docbin(test, limit)
    made = {run: json.loads((RUNS / run.replace("/", "-") / "made_by.json").read_text()) for run in runs}
    scores = {run: evaluate_run(run, test) for run in runs}
    for run in runs:
        print(run, scores[run], flush=True)
    rule = rule_lemmatizer(test, pos_run)
    texts, n_words = read_test_texts(EWT, limit)
    first_heron = next((r for r in runs if r.startswith("heron/")), None)
    speed = head_speed(first_heron, texts, n_words, rounds) if first_heron else {}
    shown = merge_previous(RESULTS / "lemma_ewt.json", runs, made, scores) if add and not limit else runs
    rows = [[run, made[run]["pipes"], made[run].get("commit", "-"), budget_label(made[run]),
             _pct(scores[run]["lemma_acc"]), _pct(scores[run]["tag_acc"]), _pct(scores[run]["pos_acc"]),
             _pct(scores[run]["token_acc"]), f"{made[run]['train']['train_wall_s']}"] for run in shown]
    rows += [["heron lemmatizer (rule), gold POS+FEATS", "-", "-", "-", _pct(rule["rule_gold_pos"]["lemma_acc"]),
              "-", "-", "-", "-"],
             ["heron lemmatizer (lookup)", "-", "-", "-", _pct(rule["lookup"]["lemma_acc"]), "-", "-", "-", "-"]]
    if "rule_predicted_pos" in rule:
        r = rule["rule_predicted_pos"]
        rows.append([f"heron lemmatizer (rule), POS+FEATS from {r['pos_run']}", "-", "-", "-", _pct(r["lemma_acc"]),
                     "-", _pct(r.get("pos_acc")), "-", "-"])
    table = markdown_table(["run", "pipeline", "commit", "steps", "Lemma", "TAG", "UPOS", "token acc",
                            "train wall s"], rows)
    smoke = f", SMOKE: first {limit} Docs" if limit else ""
    lines = [f"# Lemmatization on UD English-EWT (test, from raw text{smoke})", "", table, "", PUBLISHED, ""]
    if speed:
        lines.append(f"Inference, {first_heron}, 1 thread, batch 256, best of {rounds} rounds over {n_words:,} "
                     f"words: " + ", ".join(f"{k} {v:,} words/s" for k, v in speed.items()) + ".")
    lines.append("steps: max_steps, /pN: patience (early stopping) where it can end a run first. "
                 "Command: `.venv/bin/python bench/lemma_ewt.py report " + " ".join(runs)
                 + (f" --pos-run {pos_run}" if pos_run else "") + f" --rounds {rounds}" + (" --add" if add else "")
                 + "` (--add keeps the rows of the previous results).")
    write_results("lemma_ewt" + ("_smoke" if limit else ""),
                  {"machine": machine_info(), "runs": {r: made[r] for r in shown},
                   "scores": {r: scores[r] for r in shown}, "rule": rule, "speed": speed,
                   "n_words": n_words, "limit": limit}, "\n".join(lines) + "\n")


def _head_docbin(test: Path, limit: int) -> Path:
    """The first `limit` Docs of `test` (and of its .spacy twin when present) in WORK/lemma/smoke."""
    import heron
    from heron.tokens import DocBin

    out = RUNS / "smoke"
    out.mkdir(parents=True, exist_ok=True)
    vocab = heron.blank("en").vocab
    docs = list(DocBin().from_disk(test).get_docs(vocab))[:limit]
    DocBin(docs=docs, store_user_data=True).to_disk(out / "test.heron")
    if test.with_suffix(".spacy").exists() and PEERS_PYTHON.exists():
        code = ("import sys; from spacy.tokens import DocBin; import spacy; v = spacy.blank('en').vocab; "
                "d = list(DocBin().from_disk(sys.argv[1]).get_docs(v))[:int(sys.argv[3])]; "
                "DocBin(docs=d, store_user_data=True).to_disk(sys.argv[2])")
        subprocess.check_call([str(PEERS_PYTHON), "-c", code, str(test.with_suffix(".spacy")),
                               str(out / "test.spacy"), str(limit)])
    return out / "test.heron"


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    add_train_parser(sub, "tok2vec,tagger,trainable_lemmatizer")
    r = sub.add_parser("report")
    r.add_argument("runs", nargs="+", help="heron/NAME or spacy/NAME")
    r.add_argument("--pos-run", default=None, help="heron/NAME whose pipeline predicts POS+FEATS (a morphologizer)")
    r.add_argument("--rounds", type=int, default=3)
    r.add_argument("--limit", type=int, default=0, help="smoke run: only the first N test Docs")
    r.add_argument("--add", action="store_true", help="keep the previous results' rows (runs not given here)")
    argv, overrides = split_overrides(argv)
    args = ap.parse_args(argv)
    if args.cmd == "train":
        print(json.dumps(train_from_args("lemma_ewt", RUNS, args, overrides)))
    else:
        report(args.runs, args.pos_run, args.rounds, args.limit, add=args.add)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
