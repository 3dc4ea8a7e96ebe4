"""Study (issue 17): where a trained trainable_lemmatizer goes wrong on UD English-EWT dev.

    .venv/bin/python bench/build_ewt_multitask.py                                   # corpus (once)
    .venv/bin/python bench/lemma_ewt.py train heron tmld --default-budget \
        -p tok2vec,tagger,morphologizer,trainable_lemmatizer
    .venv/bin/python bench/experiments/lemma_errors.py WORK/lemma/heron-tmld/model/model-best

The pipeline annotates dev from the gold words (so tokenization is not in the way) and
every token with a gold lemma is checked. Each error falls in one bucket:

- case only: the letters are right, the casing is not ("Perlingiere" -> "perlingiere");
- unseen form: the form (lowercased) never occurs in train;
- seen pair: train has this form with this very lemma, the model chose another;
- seen form, new lemma: train has the form, never with this lemma.

For the case-only errors it also counts the gold and predicted UPOS (the lemma's casing
follows the POS in EWT: PROPN keeps the form's case, the rest is lowercased), and it
tries inference-only settings (top_k, backoff) that need no retraining. Writes
bench/results/experiments/lemma_errors.{json,md}.
"""
from __future__ import annotations

import argparse
import collections
import sys
from pathlib import Path
from typing import Any, Dict, List

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from _common import EWT, EXPERIMENT_RESULTS, machine_info, markdown_table, require_data, write_results  # noqa: E402

BUCKETS = ("case only", "unseen form", "seen pair", "seen form, new lemma")


def _docs(nlp: Any, path: Path) -> List[Any]:
    from heron.tokens import DocBin

    return list(DocBin().from_disk(path).get_docs(nlp.vocab))


def _annotate(nlp: Any, gold: List[Any]) -> List[Any]:
    from heron.tokens import Doc

    return list(nlp.pipe(Doc(nlp.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d])
                         for d in gold))


def _pairs(gold: List[Any], pred: List[Any]) -> List[Any]:
    return [(g, p) for gd, pd in zip(gold, pred) for g, p in zip(gd, pd) if g.lemma_ and g.lemma_ != "_"]


def analyse(nlp: Any, train: List[Any], dev: List[Any]) -> Dict[str, Any]:
    forms = {t.lower_ for d in train for t in d}
    pairs_seen = {(t.lower_, t.lemma_.lower()) for d in train for t in d}
    pairs = _pairs(dev, _annotate(nlp, dev))
    buckets: collections.Counter = collections.Counter()
    case_pos: collections.Counter = collections.Counter()
    examples: Dict[str, collections.Counter] = {b: collections.Counter() for b in BUCKETS}
    for g, p in pairs:
        if g.lemma_ == p.lemma_:
            continue
        if g.lemma_.lower() == p.lemma_.lower():
            bucket = "case only"
            case_pos[f"{g.pos_} -> {p.pos_}"] += 1
        elif g.lower_ not in forms:
            bucket = "unseen form"
        elif (g.lower_, g.lemma_.lower()) in pairs_seen:
            bucket = "seen pair"
        else:
            bucket = "seen form, new lemma"
        buckets[bucket] += 1
        examples[bucket][f"{g.text} -> {g.lemma_} (predicted {p.lemma_})"] += 1
    errors = sum(buckets.values())
    return {"tokens": len(pairs), "errors": errors, "accuracy": round(100 * (1 - errors / len(pairs)), 2),
            "buckets": dict(buckets), "case_only_by_pos": dict(case_pos.most_common(8)),
            "examples": {b: [e for e, _ in c.most_common(8)] for b, c in examples.items()}}


def settings_sweep(nlp: Any, dev: List[Any]) -> List[Dict[str, Any]]:
    """Accuracy under inference-only settings of the lemmatizer (no retraining)."""
    lemmatizer = nlp.get_pipe("trainable_lemmatizer")
    rows = []
    for top_k in (1, 3):
        for backoff in ("orth", "lower"):
            lemmatizer.cfg.update(top_k=top_k, backoff=backoff)
            lemmatizer._lemma_memo.clear()
            pairs = _pairs(dev, _annotate(nlp, dev))
            rows.append({"top_k": top_k, "backoff": backoff,
                         "accuracy": round(100 * sum(g.lemma_ == p.lemma_ for g, p in pairs) / len(pairs), 2)})
    return rows


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("model", type=Path, help="a trained pipeline with a trainable_lemmatizer")
    args = ap.parse_args(argv)
    require_data(EWT / "dev.heron", "lemma_errors (run bench/build_ewt_multitask.py)")
    import heron

    nlp = heron.load(args.model)
    train, dev = _docs(nlp, EWT / "train.heron"), _docs(nlp, EWT / "dev.heron")
    result = analyse(nlp, train, dev)
    result["settings"] = settings_sweep(nlp, dev)
    errors = result["errors"]
    md = (f"# Where the trainable_lemmatizer goes wrong (EWT dev, gold words)\n\nModel: `{args.model}`. "
          f"{result['tokens']:,} tokens with a gold lemma, {errors:,} errors (accuracy {result['accuracy']}).\n\n"
          + markdown_table(["bucket", "errors", "share", "examples"],
                           [[b, n, f"{100 * n / max(errors, 1):.0f}%", "; ".join(result["examples"][b][:4])]
                            for b, n in ((b, result["buckets"].get(b, 0)) for b in BUCKETS)])
          + "\n\nCase-only errors by gold -> predicted UPOS:\n\n"
          + markdown_table(["UPOS", "errors"], [[k, v] for k, v in result["case_only_by_pos"].items()])
          + "\n\nInference-only settings (no retraining):\n\n"
          + markdown_table(["top_k", "backoff", "accuracy"],
                           [[r["top_k"], r["backoff"], r["accuracy"]] for r in result["settings"]])
          + f"\n\nCommand: `.venv/bin/python bench/experiments/lemma_errors.py {' '.join(argv)}`\n")
    write_results("lemma_errors", {"machine": machine_info(), "model": str(args.model), **result}, md,
                  folder=EXPERIMENT_RESULTS)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
