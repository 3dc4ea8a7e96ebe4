"""Does heron train the same on spaCy's `.spacy` files as on its own `.heron` files?

    .venv/bin/python bench/spacy_docbin_parity.py                # --steps 1000 (issue 19's budget)
    .venv/bin/python bench/spacy_docbin_parity.py --steps 20     # a smoke run of the whole script

UD English-EWT (../shared/data/ud_en_ewt) is converted twice: by `spacy convert`
(in .venv-peers, spaCy's converter and DocBin writer) to train/dev/test.spacy, and by
`heron convert` to train/dev/test.heron (both: CoNLL-U, 10 sentences per Doc; spaCy's
converter ignores `# newdoc`, heron's starts a Doc there). Before training it compares
the two corpora sentence by sentence as heron reads them (words, spaces, TAG, POS,
MORPH, LEMMA, heads, DEP, entities), so a difference in the scores can be told from a
difference in the data. Then heron's default
`heron init config -p tok2vec,tagger,parser` trains on each (same seed, --steps
max_steps, one thread; bench/_common/init_config_runs.train_heron) and `heron evaluate`
scores each model-best on dev and test of its own format, from raw text. Writes
bench/results/spacy_docbin_parity.{json,md} (with --steps other than 1000:
spacy_docbin_parity_steps{N}, so a smoke run never replaces the real figures);
runs in WORK/docbin_parity.
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
    PEERS_PYTHON,
    WORK,
    machine_info,
    markdown_table,
    require_data,
    shared_data,
    thread_env,
    write_results,
)
from _common.init_config_runs import git_commit, train_heron  # noqa: E402

OUT = WORK / "docbin_parity"
SPLITS = ("train", "dev", "test")
PIPES = "tok2vec,tagger,parser"
DEFAULT_STEPS = 1000
METRICS = {"tag_acc": "TAG", "dep_uas": "UAS", "dep_las": "LAS"}


def convert(ud: Path) -> Dict[str, Dict[str, Path]]:
    """{"spacy": {split: path}, "heron": {split: path}}, converting what is missing."""
    paths: Dict[str, Dict[str, Path]] = {"spacy": {}, "heron": {}}
    for split in SPLITS:
        source = ud / f"en_ewt-ud-{split}.conllu"
        for system, suffix in (("spacy", ".spacy"), ("heron", ".heron")):
            folder = OUT / f"corpus-{system}"
            target = folder / (source.stem + suffix)
            if not target.exists():
                folder.mkdir(parents=True, exist_ok=True)
                if system == "spacy":
                    cmd = [str(PEERS_PYTHON), "-m", "spacy", "convert", str(source), str(folder),
                           "--converter", "conllu", "--n-sents", "10"]
                else:
                    cmd = [sys.executable, "-m", "heron", "convert", str(source), str(folder), "--n-sents", "10"]
                print(" ".join(cmd), flush=True)
                subprocess.run(cmd, check=True, env=thread_env(1), stdout=subprocess.DEVNULL)
            paths[system][split] = target
    return paths


def _sentences(docs: List[Any]) -> List[tuple]:
    """Every sentence of `docs` as a tuple of its annotations (heads relative to the sentence)."""
    out = []
    for doc in docs:
        for sent in doc.sents:
            out.append((tuple(t.text for t in sent), tuple(bool(t.whitespace_) for t in sent),
                        tuple(t.tag_ for t in sent), tuple(t.pos_ for t in sent), tuple(str(t.morph) for t in sent),
                        tuple(t.lemma_ for t in sent), tuple(t.head.i - sent.start for t in sent),
                        tuple(t.dep_ for t in sent), tuple(t.ent_iob_ + t.ent_type_ for t in sent)))
    return out


def compare_corpora(paths: Dict[str, Dict[str, Path]]) -> Dict[str, Any]:
    """Per split: Docs, sentences and tokens of each corpus, and for each annotation the
    number of sentences where the two corpora differ as heron reads them ("spaces (last
    token)" counts a difference in the space after a sentence's last token only). Docs
    differ in grouping by design: spaCy's converter groups 10 sentences per Doc across
    `# newdoc` boundaries, heron's starts a Doc at each."""
    import heron
    from heron.tokens import DocBin
    from heron.tokens.spacy_docbin import SpacyDocBin

    fields = ("words", "spaces", "tag", "pos", "morph", "lemma", "head", "dep", "ents")
    out: Dict[str, Any] = {}
    for split in SPLITS:
        vocab = heron.blank("en").vocab
        from_spacy = list(SpacyDocBin().from_disk(paths["spacy"][split]).get_docs(vocab))
        from_heron = list(DocBin().from_disk(paths["heron"][split]).get_docs(vocab))
        sents_spacy, sents_heron = _sentences(from_spacy), _sentences(from_heron)
        differences: Dict[str, int] = {}
        examples: Dict[str, Any] = {}
        for i, (a, b) in enumerate(zip(sents_spacy, sents_heron)):
            for field, x, y in zip(fields, a, b):
                if x != y:
                    key = "spaces (last token)" if field == "spaces" and x[:-1] == y[:-1] else field
                    differences[key] = differences.get(key, 0) + 1
                    examples.setdefault(key, {"sentence": i, "words": a[0], "spacy": x, "heron": y})
        out[split] = {"docs_spacy": len(from_spacy), "docs_heron": len(from_heron),
                      "sentences_spacy": len(sents_spacy), "sentences_heron": len(sents_heron),
                      "tokens_spacy": sum(map(len, from_spacy)), "tokens_heron": sum(map(len, from_heron)),
                      "sentences_differing_by_field": differences, "examples": examples}
        print(split, {k: v for k, v in out[split].items() if k != "examples"}, flush=True)
    return out


def evaluate(model: Path, data: Path, log: Path) -> Dict[str, float]:
    scores = log.with_suffix(".json")
    with open(log, "w") as f:
        subprocess.run([sys.executable, "-m", "heron", "evaluate", str(model), str(data), "--output", str(scores)],
                       check=True, env=thread_env(1), stdout=f, stderr=subprocess.STDOUT)
    result = json.loads(scores.read_text())
    return {key: result.get(key) for key in METRICS}


def main(argv: List[str]) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--steps", type=int, default=DEFAULT_STEPS, help="max_steps of both trainings")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)
    ud = require_data(shared_data("ud_en_ewt"), "spacy_docbin_parity (UD English-EWT)")
    require_data(PEERS_PYTHON, "spacy_docbin_parity (spaCy converts one side: run make bench-peers)")
    paths = convert(ud)
    corpora = compare_corpora(paths)
    runs: Dict[str, Any] = {}
    for system in ("heron", "spacy"):
        name = f"from-{system}-steps{args.steps}-s{args.seed}"
        made = train_heron(OUT, name, PIPES, "efficiency", args.steps, ["--system.seed", str(args.seed)],
                           train=paths[system]["train"], dev=paths[system]["dev"])
        model = OUT / f"heron-{name}" / "model" / "model-best"
        runs[system] = {"made_by": made, **{split: evaluate(model, paths[system][split],
                                                            OUT / f"heron-{name}" / f"eval-{split}.log")
                                             for split in ("dev", "test")}}
    spacy_version = subprocess.run([str(PEERS_PYTHON), "-c", "import spacy; print(spacy.__version__)"],
                                   capture_output=True, text=True).stdout.strip()
    write(args, corpora, runs, spacy_version)


def write(args: argparse.Namespace, corpora: Dict[str, Any], runs: Dict[str, Any], spacy_version: str) -> None:
    data = {"steps": args.steps, "seed": args.seed, "pipes": PIPES, "commit": git_commit(), "corpora": corpora,
            "runs": runs, "machine": machine_info({"spacy": spacy_version})}
    rows = [["`heron convert` -> .heron" if system == "heron" else "`spacy convert` -> .spacy"]
            + [f"{100 * runs[system][split][key]:.2f}" if runs[system][split][key] is not None else "-"
               for split in ("dev", "test") for key in METRICS]
            + [runs[system]["made_by"]["train"]["train_cpu_s"]]
            for system in ("heron", "spacy")]
    header = ["training data"] + [f"{split} {name}" for split in ("dev", "test") for name in METRICS.values()] \
        + ["train CPU s"]
    differing = "; ".join(f"{split} ({c['sentences_heron']} sentences): "
                          + (", ".join(f"{field} {n}" for field, n in c["sentences_differing_by_field"].items())
                             or "none")
                          for split, c in corpora.items())
    docs = ", ".join(f"{split} {c['docs_spacy']} vs {c['docs_heron']}" for split, c in corpora.items())
    md = "\n\n".join([
        f"# heron on spaCy's .spacy files vs its own .heron files (UD English-EWT, {args.steps} steps)",
        f"heron's `init config -p {PIPES}` trained on each conversion of EWT (CoNLL-U, 10 sentences per Doc), "
        f"seed {args.seed}, one thread, commit {data['commit']}; scores of model-best on each format's own dev "
        f"and test from raw text. spaCy {spacy_version} wrote the .spacy files.",
        markdown_table(header, rows),
        f"Sentences whose annotations differ between the two conversions as heron reads them, per annotation: "
        f"{differing} (the converters' choices, not the file formats: examples in the .json). Docs (.spacy vs "
        f".heron): {docs}; spaCy's converter groups 10 sentences per Doc across `# newdoc` boundaries, heron's "
        "starts a new Doc at each, so the Docs (and the batches) differ in grouping.",
        f"Machine: {data['machine']['cpu_model']}, {data['machine']['cpu_count']} cores, "
        f"torch {data['machine']['torch']}.",
    ])
    name = "spacy_docbin_parity" if args.steps == DEFAULT_STEPS else f"spacy_docbin_parity_steps{args.steps}"
    write_results(name, data, md)


if __name__ == "__main__":
    main(sys.argv[1:])
