"""Train what each system's `init config` writes, heron's and spaCy's, on the same budget.

The component benchmarks (bench/parser_ewt.py, lemma_ewt.py, morph_ewt.py) compare the
configs users get from `heron init config` and `spacy init config`, not tuned ones: each
run lands in RUNS/{heron,spacy}-NAME with its config.cfg, model/, train.log and a
made_by.json (what was trained, from which commit, on which budget, the training's time
and memory) that the scripts' `report` reads back.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from _common import BENCH, EWT, PEERS_PYTHON, minilm_path, repo_git, require_data, thread_env
from _common.processes import measured
from _common.seeds import STEPS


def git_commit() -> str:
    """The working tree's short commit: which heron wrote and trained a config."""
    return repo_git("rev-parse", "--short", "HEAD")


# `--default-budget`: [training] as both `heron init config` and `spacy init config` write it,
# what a user who trains the generated config gets (early stopping after 1,600 steps without
# a better dev score).
DEFAULT_BUDGET = -1
INIT_CONFIG_BUDGET = {"max_steps": 20000, "eval_frequency": 200, "patience": 1600}


def step_budget(steps: int) -> Dict[str, int]:
    """max_steps, eval_frequency and patience of bench/'s full-set runs (seeds.STEPS["full"]),
    or `steps` max steps when given: patience then at least half of them, and evaluation at
    least twice within them, so that even a short smoke run saves a model-best."""
    if steps == DEFAULT_BUDGET:
        return dict(INIT_CONFIG_BUDGET)
    full = dict(zip(STEPS["full"][::2], STEPS["full"][1::2]))
    budget = {k.split(".")[-1]: int(v) for k, v in full.items()}
    if steps:
        budget["max_steps"] = steps
        budget["patience"] = max(budget["patience"], steps // 2)
        budget["eval_frequency"] = min(budget["eval_frequency"], max(steps // 2, 1))
    return budget


def budget_label(made: Dict[str, Any]) -> str:
    """A run's step budget for a table: "3000" or "20000/p1600" (max_steps / patience)."""
    budget = made.get("budget") or {}
    steps, patience = budget.get("max_steps", "?"), budget.get("patience")
    return f"{steps}" if patience in (None, 0) or (steps != "?" and patience >= steps) else f"{steps}/p{patience}"


def merge_previous(results: Path, runs: List[str], made: Dict[str, Any], scores: Dict[str, Any]
                   ) -> List[str]:
    """`report --add`: the runs of the previous results file `results` (whose training
    folders may be gone) put before `runs`, their made_by and scores copied into `made`
    and `scores`; a run scored again replaces its old row. The runs to show, in order."""
    if not results.exists():
        return runs
    previous = json.loads(results.read_text())
    kept = [run for run in previous.get("runs", {}) if run not in runs and run in previous.get("scores", {})]
    for run in kept:
        made[run], scores[run] = previous["runs"][run], previous["scores"][run]
    return kept + runs


def add_train_parser(sub: Any, pipes: Optional[str]) -> argparse.ArgumentParser:
    """The scripts' `train {heron,spacy} NAME [--steps N]` subcommand on the subparsers `sub`;
    with default `pipes`, also `-p/--pipeline` and `--optimize` (a script training one fixed
    pipeline, `-o efficiency`, passes None)."""
    t = sub.add_parser("train")
    t.add_argument("system", choices=["heron", "spacy"])
    t.add_argument("name")
    if pipes is not None:
        t.add_argument("-p", "--pipeline", default=pipes)
        t.add_argument("--optimize", choices=["efficiency", "accuracy"], default="efficiency")
        t.add_argument("--transformer", default=None,
                       help="heron only: init config --transformer; 'minilm' = the packaged all-MiniLM-L6-v2")
    t.add_argument("--steps", type=int, default=0, help="max_steps (default: bench/'s full-set budget)")
    t.add_argument("--default-budget", dest="steps", action="store_const", const=DEFAULT_BUDGET,
                   help="the init configs' own [training] budget: max_steps 20000, patience 1600")
    t.add_argument("--threads", type=int, default=1,
                   help="heron only: torch/BLAS threads for training (default 1; recorded in made_by.json)")
    return t


def split_overrides(argv: List[str]) -> Tuple[List[str], List[str]]:
    """The command line before `--`, and the `heron train` overrides after it."""
    if "--" not in argv:
        return argv, []
    return argv[:argv.index("--")], argv[argv.index("--") + 1:]


def require_train_inputs(script: str, system: str) -> None:
    """Exit 0 with "skipped" without the EWT DocBins, or without spaCy's venv for a spaCy run."""
    require_data(EWT / "train.heron", f"{script} (run bench/build_ewt_multitask.py)")
    if system == "spacy":
        require_data(PEERS_PYTHON, f"{script} spacy (run make bench-peers)")


def train_from_args(script: str, runs: Path, args: argparse.Namespace, overrides: List[str]) -> Dict[str, Any]:
    """`train` of a script whose subcommand has `-p` and `--optimize` (add_train_parser with
    default pipes): the run's made_by.json. A subcommand with a `--limit` option trains heron
    on the first `limit` train and dev Docs (`limited_corpus`) and records the limit."""
    require_train_inputs(script, args.system)
    if args.system == "heron":
        transformer = getattr(args, "transformer", None)
        if transformer == "minilm":
            transformer = minilm_path(script)
        extra = {"transformer": transformer} if transformer else {}
        threads = args.threads  # add_train_parser's subcommand always has it
        if not hasattr(args, "limit"):
            return train_heron(runs, args.name, args.pipeline, args.optimize, args.steps, overrides,
                               transformer=transformer, extra=extra, threads=threads)
        data = limited_corpus(run_dir(runs, "heron", args.name), args.limit)
        return train_heron(runs, args.name, args.pipeline, args.optimize, args.steps, overrides,
                           train=data["train"], dev=data["dev"], extra={"limit": args.limit, **extra},
                           transformer=transformer, threads=threads)
    return train_spacy(runs, args.name, args.pipeline, args.optimize, args.steps)


def limited_corpus(out: Path, limit: int) -> Dict[str, Path]:
    """{"train", "dev"}: EWT's train.heron and dev.heron, or (limit > 0, smoke runs) their
    first `limit` Docs written into `out`."""
    paths = {split: EWT / f"{split}.heron" for split in ("train", "dev")}
    if not limit:
        return paths
    from heron import blank
    from heron.tokens import DocBin

    vocab = blank("en").vocab
    for split in ("train", "dev"):
        docs = list(DocBin().from_disk(EWT / f"{split}.heron").get_docs(vocab))[:limit]
        paths[split] = out / f"{split}.heron"
        DocBin(docs=docs, store_user_data=False).to_disk(paths[split])
    return paths


def run_dir(runs: Path, system: str, name: str) -> Path:
    """RUNS/SYSTEM-NAME, created."""
    out = runs / f"{system}-{name}"
    out.mkdir(parents=True, exist_ok=True)
    return out


def train_heron(runs: Path, name: str, pipes: str, optimize: str, steps: int, overrides: List[str], *,
                train: Path = EWT / "train.heron", dev: Path = EWT / "dev.heron", record_optimize: bool = True,
                extra: Optional[Dict[str, Any]] = None, transformer: Optional[str] = None,
                threads: int = 1) -> Dict[str, Any]:
    """`heron init config -p PIPES -o OPTIMIZE [--transformer MODEL]` trained on `train`/`dev` with the step budget
    and the `heron train` `overrides`, at `threads` torch threads (default one), timed by `measured`.
    `extra` fields go into made_by.json after the budget; `record_optimize=False` leaves
    `optimize` out of it (for a script whose runs are all `-o efficiency`)."""
    out = run_dir(runs, "heron", name)
    cfg = out / "config.cfg"
    commit = git_commit()  # the heron that writes the config, not whatever HEAD is once training ends
    subprocess.check_call([sys.executable, "-m", "heron", "init", "config", str(cfg), "-p", pipes, "-o", optimize,
                           "--force", *(["--transformer", transformer] if transformer else [])],
                          env=thread_env(1), stdout=subprocess.DEVNULL)
    budget = step_budget(steps)
    cmd = [sys.executable, "-m", "heron", "train", str(cfg), "-o", str(out / "model"),
           "--paths.train", str(train), "--paths.dev", str(dev),
           *[x for k, v in budget.items() for x in (f"--training.{k}", str(v))], *overrides]
    print("heron train:", " ".join(cmd), flush=True)
    stats = measured(cmd, out / "train.log", threads)
    if stats["rc"] != 0:
        raise SystemExit(f"heron train failed (rc={stats['rc']}); see {out / 'train.log'}")
    made = {"system": "heron", "pipes": pipes, **({"optimize": optimize} if record_optimize else {}),
            "commit": commit, "budget": budget, **(extra or {}), **({"threads": threads} if threads != 1 else {}),
            "overrides": overrides, "train": stats}
    (out / "made_by.json").write_text(json.dumps(made, indent=2) + "\n")
    return made


def drop_spacy_vectors(cfg: Path) -> bool:
    """spaCy's `-o accuracy` configs name en_core_web_lg's vectors, which are not on PyPI
    (no network here): train them without static vectors (paths.vectors = null,
    include_static_vectors = false) and say so. True when the config named vectors."""
    text = cfg.read_text(encoding="utf8")
    if 'vectors = "en_core_web_lg"' not in text:
        return False
    text = text.replace('vectors = "en_core_web_lg"', "vectors = null")
    cfg.write_text(text.replace("include_static_vectors = true", "include_static_vectors = false"), encoding="utf8")
    return True


def train_spacy(runs: Path, name: str, pipes: str, optimize: str, steps: int, *, data: Path = EWT,
                record_optimize: bool = True) -> Dict[str, Any]:
    """`spacy init config -l en -p PIPES -o OPTIMIZE` (in .venv-peers) trained by
    bench/peers/spacy_train.py on `data`'s train.spacy/dev.spacy with the same step budget,
    one thread. `tok2vec` is dropped from PIPES: spaCy's init config adds its own trunk, so
    a script can pass heron's pipeline names unchanged."""
    out = run_dir(runs, "spacy", name)
    cfg = out / "config.cfg"
    subprocess.check_call([str(PEERS_PYTHON), "-m", "spacy", "init", "config", str(cfg), "-l", "en", "-p",
                           pipes.replace("tok2vec,", ""), "-o", optimize, "--force"], env=thread_env(1))
    without_vectors = drop_spacy_vectors(cfg)
    budget = step_budget(steps)
    cmd = [str(PEERS_PYTHON), str(BENCH / "peers" / "spacy_train.py"), str(cfg), str(data), str(out / "model"),
           "--max-steps", str(budget["max_steps"]), "--patience", str(budget["patience"]),
           "--eval-frequency", str(budget["eval_frequency"])]
    print("spacy train:", " ".join(cmd), flush=True)
    with open(out / "train.log", "w") as f:
        subprocess.check_call(cmd, stdout=f, stderr=subprocess.STDOUT, env=thread_env(1))
    made = {"system": "spacy", "pipes": pipes, **({"optimize": optimize} if record_optimize else {}),
            **({"vectors": "none (en_core_web_lg is not installable offline)"} if without_vectors else {}),
            "budget": budget, "train": json.loads((out / "model" / "train_stats.json").read_text())}
    (out / "made_by.json").write_text(json.dumps(made, indent=2) + "\n")
    return made
