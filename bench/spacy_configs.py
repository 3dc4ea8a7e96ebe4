"""spaCy 3.8's own `init config` configs, translated by `heron init config --from-spacy` and
trained by heron on UD English-EWT (issue 19: the five real-client configs).

    .venv/bin/python bench/build_ewt_multitask.py                   # EWT corpus (once)
    .venv/bin/python bench/spacy_configs.py [--steps 300] [--only a,e] [--limit N] [--vectors PATH]

For each config: spaCy (in .venv-peers) writes it with `spacy init config -l en ARGS`; heron
translates it (heron.interop.spacy_config.translate, what `init config --from-spacy` runs)
and records W540 as the user sees it; `heron train` trains the translation with no edit
beyond the overrides a user must give: the corpus paths (spaCy's own .spacy files), local
vectors for -o accuracy's en_core_web_lg (--vectors, else bench/experiments/train_vectors.py's
word2vec table if built, else a small word2vec trained here on EWT train with gensim), and
the packaged all-MiniLM-L6-v2 for -G's roberta-base. The step budget is --steps (max_steps;
evaluation twice and patience >= half of it), one thread. model-best is scored on EWT test
with `heron evaluate` (heron's tokenizer on the raw text; scores through the gold alignment).

Data: the tagger/parser/ner configs train on EWT's train.spacy / dev.spacy (tags, UD trees,
UNER entities; bench/build_ewt_multitask.py). EWT has no text categories, so the textcat
config classifies the genre of EWT passages (answers, email, newsgroup, reviews, weblog: the
prefix of each sentence id), up to 5 consecutive sentences of one document per Doc, written
here as .spacy files from ../shared/data/ud_en_ewt.

Writes WORK/spacy_configs/NAME/{spacy.cfg,heron.cfg,train.log,model/,scores.json} and
bench/results/spacy_configs.{json,md} (spacy_configs_smoke.* with --limit). Full size takes
hours on 2 cores (the transformer most); `--steps 5 --limit 50` checks that everything runs.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    EWT,
    PEERS_PYTHON,
    VECTORS,
    WORK,
    markdown_table,
    minilm_path,
    require_data,
    shared_data,
    thread_env,
    write_results,
)
from _common.init_config_runs import git_commit, step_budget  # noqa: E402
from _common.processes import measured  # noqa: E402

RUNS = WORK / "spacy_configs"
EWT_CONLLU = shared_data("ud_en_ewt")
# name -> (spacy init config arguments, what the run reads). The same five as
# tests/fixtures/spacy_configs/make_spacy_configs.py.
CONFIGS: Dict[str, Tuple[List[str], str]] = {
    "a": (["-p", "tagger,ner", "-o", "efficiency"], "ewt"),
    "b": (["-p", "tagger,ner", "-o", "accuracy"], "ewt"),
    "c": (["-p", "tagger,parser,ner"], "ewt"),
    "d": (["-p", "textcat"], "genre"),
    "e": (["-p", "tagger,ner", "-G"], "ewt"),
}
SCORES = ("tag_acc", "pos_acc", "ents_f", "dep_uas", "dep_las", "sents_f", "cats_score", "cats_macro_f")
GENRE_SENTS = 5


def write_spacy_config(out: Path, args: List[str]) -> Path:
    path = out / "spacy.cfg"
    subprocess.check_call([str(PEERS_PYTHON), "-m", "spacy", "init", "config", str(path), "-l", "en", *args,
                           "--force"], stdout=subprocess.DEVNULL, env=thread_env(1))
    return path


def translate(spacy_cfg: Path, out: Path) -> Dict[str, Any]:
    """heron.cfg next to spacy.cfg; what was left out and what must be local, and W540."""
    from heron.interop.spacy_config import translate as translate_config

    result = translate_config(spacy_cfg.read_text(encoding="utf8"), source="spacy.cfg")
    (out / "heron.cfg").write_text(result.text, encoding="utf8")
    return {"left_out": [{"path": d.path, "at_spacy_default": d.at_default, "reason": d.reason}
                         for d in result.dropped],
            "must_be_local": [k.path for k in result.kept_local], "warnings": result.warnings}


def _subset(paths: Dict[str, Path], out: Path, limit: int) -> Dict[str, Path]:
    """The first `limit` Docs of each file (smoke runs), as .spacy files in `out`."""
    if not limit:
        return paths
    from heron import blank
    from heron.tokens.spacy_docbin import SpacyDocBin

    vocab = blank("en").vocab
    out.mkdir(parents=True, exist_ok=True)
    small = {}
    for split, path in paths.items():
        docs = list(SpacyDocBin().from_disk(path).get_docs(vocab))[:limit]
        small[split] = out / f"{split}.spacy"
        SpacyDocBin(docs=docs).to_disk(small[split])
    return small


def genre_corpus(out: Path) -> Dict[str, Path]:
    """EWT passages labelled with their genre, as .spacy files (built once)."""
    from heron import blank
    from heron.tokens.spacy_docbin import SpacyDocBin

    paths = {split: out / f"{split}.spacy" for split in ("train", "dev", "test")}
    if all(p.exists() for p in paths.values()):
        return paths
    require_data(EWT_CONLLU / "en_ewt-ud-train.conllu", "spacy_configs (UD English-EWT)")
    out.mkdir(parents=True, exist_ok=True)
    nlp = blank("en")
    passages = {split: _passages(EWT_CONLLU / f"en_ewt-ud-{split}.conllu") for split in paths}
    genres = sorted({genre for split in passages.values() for _, genre in split})
    for split, path in paths.items():
        docs = []
        for text, genre in passages[split]:
            doc = nlp.make_doc(text)
            doc.cats = {label: float(label == genre) for label in genres}
            docs.append(doc)
        SpacyDocBin(docs=docs).to_disk(path)
    return paths


def _passages(conllu: Path) -> List[Tuple[str, str]]:
    """(text, genre) of each run of up to GENRE_SENTS sentences of one EWT document."""
    passages: List[Tuple[str, str]] = []
    doc_id, texts = "", []
    for line in conllu.read_text(encoding="utf8").splitlines() + ["# newdoc id = end"]:
        if line.startswith("# newdoc id = ") or (line.startswith("# text = ") and len(texts) == GENRE_SENTS):
            if texts:
                passages.append((" ".join(texts), doc_id.split("-", 1)[0]))
            texts = []
            doc_id = line[len("# newdoc id = "):] if line.startswith("# newdoc") else doc_id
        if line.startswith("# text = "):
            texts.append(line[len("# text = "):])
    return passages


def local_vectors(given: str) -> str:
    """--vectors, else train_vectors.py's word2vec table, else a small word2vec built here."""
    if given:
        return given
    if (VECTORS / "w2v").exists():
        return str(VECTORS / "w2v")
    folder = RUNS / "vectors"
    if not folder.exists():
        from gensim.models import Word2Vec

        from heron import blank

        nlp = blank("en")
        lines = [json.loads(line) for line in (EWT / "train.jsonl").read_text(encoding="utf8").splitlines()]
        sentences = [[t.text for t in nlp.make_doc("".join(w + (" " if s else "") for w, s in zip(r["words"],
                                                                                               r["spaces"])))]
                     for r in lines]
        model = Word2Vec(sentences, vector_size=100, min_count=2, workers=1, epochs=5, seed=0)
        text = RUNS / "vectors.txt"
        model.wv.save_word2vec_format(str(text))
        subprocess.check_call([sys.executable, "-m", "heron", "init", "vectors", "en", str(text), str(folder),
                               "--no-progress"], env=thread_env(1))
    return str(folder)


def run(name: str, args: argparse.Namespace) -> Dict[str, Any]:
    spacy_args, data = CONFIGS[name]
    out = RUNS / name
    out.mkdir(parents=True, exist_ok=True)
    translated = translate(write_spacy_config(out, spacy_args), out)
    files = genre_corpus(RUNS / "genre") if data == "genre" else {s: EWT / f"{s}.spacy" for s in ("train", "dev",
                                                                                                   "test")}
    files = _subset(files, out / "data", args.limit)
    overrides = {"paths.train": str(files["train"]), "paths.dev": str(files["dev"])}
    if "-o" in spacy_args and "accuracy" in spacy_args:
        overrides["paths.vectors"] = local_vectors(args.vectors)
    if "-G" in spacy_args:
        overrides["components.transformer.model.name"] = minilm_path("spacy_configs")
    budget = step_budget(args.steps)
    cmd = [sys.executable, "-m", "heron", "train", str(out / "heron.cfg"), "-o", str(out / "model"),
           *[x for k, v in overrides.items() for x in (f"--{k}", v)],
           *[x for k, v in budget.items() for x in (f"--training.{k}", str(v))]]
    print(f"{name}: spacy init config {' '.join(spacy_args)}\n  heron train: {' '.join(cmd)}", flush=True)
    stats = measured(cmd, out / "train.log")
    if stats["rc"] != 0:
        raise SystemExit(f"{name}: heron train failed (rc={stats['rc']}); see {out / 'train.log'}")
    subprocess.check_call([sys.executable, "-m", "heron", "evaluate", str(out / "model" / "model-best"),
                           str(files["test"]), "--output", str(out / "scores.json")],
                          stdout=subprocess.DEVNULL, env=thread_env(1))
    scores = json.loads((out / "scores.json").read_text(encoding="utf8"))
    return {"spacy_args": spacy_args, "data": data, "overrides": overrides, "budget": budget, "train": stats,
            **translated, "scores": {k: scores.get(k) for k in SCORES if scores.get(k) is not None}}


def report(runs: Dict[str, Dict[str, Any]], args: argparse.Namespace) -> None:
    rows = []
    for name, r in runs.items():
        left = r["left_out"]
        changed = sum(not d["at_spacy_default"] for d in left)
        scores = ", ".join(f"{k} {100 * v:.2f}" for k, v in r["scores"].items())
        rows.append([name, f"`spacy init config {' '.join(r['spacy_args'])}`", f"{len(left)} ({changed} changed)",
                     ", ".join(r["must_be_local"]) or "-", r["budget"]["max_steps"], r["train"]["train_cpu_s"],
                     scores])
    md = ["# spaCy's init configs, translated by heron and trained on EWT", "",
          f"Commit {git_commit()}; --steps {args.steps}, --limit {args.limit or 'none'}, one thread; test scores "
          "of model-best (heron's tokenizer on the raw text). d: EWT passage genre (no cats in EWT).", "",
          markdown_table(["", "spaCy config", "left out (W540)", "must be local", "steps", "train CPU s", "test"],
                         rows), "", "## W540 of each translation", ""]
    for name, r in runs.items():
        md += [f"### {name}: `spacy init config {' '.join(r['spacy_args'])}`", "", "```text",
               *(r["warnings"] or ["(no warning)"]), "```", ""]
    data = {"commit": git_commit(), "steps": args.steps, "limit": args.limit, "runs": runs}
    write_results("spacy_configs_smoke" if args.limit else "spacy_configs", data, "\n".join(md))


def main(argv: List[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=300, help="max_steps of each training (default 300)")
    parser.add_argument("--only", default=",".join(CONFIGS), help="comma-separated configs: a,b,c,d,e")
    parser.add_argument("--limit", type=int, default=0, help="train/dev/test on the first N Docs (smoke runs)")
    parser.add_argument("--vectors", default="", help="local vectors for the -o accuracy config")
    args = parser.parse_args(argv)
    require_data(EWT / "train.spacy", "spacy_configs (run bench/build_ewt_multitask.py)")
    require_data(PEERS_PYTHON, "spacy_configs (run make bench-peers)")
    runs = {name: run(name, args) for name in args.only.split(",")}
    report(runs, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
