"""What users get: `heron init config -p tok2vec,tagger,ner -o efficiency` trained on EWT.

    .venv/bin/python bench/default_config.py train before            # the config init config writes now
    .venv/bin/python bench/default_config.py train charembed --embed char
    .venv/bin/python bench/default_config.py train avg -- --training.optimizer.use_averages true
    .venv/bin/python bench/default_config.py compare before after charembed [--rounds 3]

`train NAME` writes the config that `heron init config` generates with the working tree's
heron into WORK/defaults/NAME/config.cfg (recording the git commit), optionally swaps the
trunk's embed layer (`--embed char`: heron.CharacterEmbed.v1 with spaCy's CharacterEmbed
settings), and trains it like every full-set run of bench/ (bench/_common/seeds.py: EWT
train, 3,000 steps, one thread, model-best scored on EWT test), with any `heron train`
overrides after `--` (candidate defaults are studied this way and chosen on the dev score
in the run's train_log.jsonl, never on test). A finished run is reused.

`compare` times the named runs' model-best like bench/cnn_variants.py (one process each,
one thread, nlp.pipe batch 256 over the EWT test texts, rounds alternating, best round
kept) and writes bench/results/default_config.{json,md} with TAG, ENTS F and words/s.
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
    WORK,
    machine_info,
    markdown_table,
    read_test_texts,
    require_data,
    thread_env,
    write_results,
)
from _common.init_config_runs import git_commit, split_overrides  # noqa: E402
from _common.processes import HeronWorker, Peer, speed_rounds  # noqa: E402
from _common.seeds import STEPS, data_paths, train_eval  # noqa: E402

RUNS = WORK / "defaults"
PIPELINE = "tok2vec,tagger,ner"
# spaCy's CharacterEmbed.v2 settings in its quickstart configs (width follows the trunk).
CHAR_EMBED = {"@architectures": "heron.CharacterEmbed.v1", "width": "${components.tok2vec.model.encode.width}",
              "rows": 7000, "nM": 64, "nC": 8, "include_static_vectors": False}


def make_config(name: str, embed: str, optimize: str = "efficiency") -> Path:
    """WORK/defaults/NAME/config.cfg from `heron init config` (+ the embed swap)."""
    from heron.config import load_config, save_config

    out = RUNS / name
    out.mkdir(parents=True, exist_ok=True)
    cfg = out / "config.cfg"
    if cfg.exists():
        return cfg
    subprocess.check_call([sys.executable, "-m", "heron", "init", "config", str(cfg), "-p", PIPELINE,
                           "-o", optimize], env=thread_env(1), stdout=subprocess.DEVNULL)
    if embed == "char":
        config = load_config(cfg)
        config["components"]["tok2vec"]["model"]["embed"] = dict(CHAR_EMBED)
        save_config(config, cfg)
    made = {"commit": git_commit(), "embed": embed, "optimize": optimize}
    (out / "made_by.json").write_text(json.dumps(made) + "\n")
    return cfg


def train(name: str, embed: str, overrides: List[str], seed: int, optimize: str) -> Dict[str, Any]:
    require_data(EWT / "train.heron", "default_config (run bench/build_ewt_multitask.py)")
    cfg = make_config(name, embed, optimize)
    (RUNS / name / "overrides.json").write_text(json.dumps(overrides) + "\n")
    paths = data_paths(None, RUNS)
    run = RUNS / name / ("run" if seed == 0 else f"run-s{seed}")
    result = train_eval(cfg, run, train=paths["train"], dev=paths["dev"], test=paths["test"],
                        seed=seed, overrides=[*STEPS["full"], *overrides])
    log = [json.loads(line) for line in (run / "model" / "train_log.jsonl").read_text().splitlines() if line]
    return {**result, "best_dev_score": max(r["score"] for r in log)}


def compare(names: List[str], rounds: int) -> None:
    texts, n_words = read_test_texts(require_data(EWT, "default_config (run bench/build_ewt_multitask.py)"))
    systems: Dict[str, Peer] = {}
    for name in names:
        model = require_data(RUNS / name / "run" / "model" / "model-best", f"default_config ({name}: train it)")
        worker = HeronWorker()
        worker.request(cmd="load", model=str(model))
        systems[name] = worker
    try:
        speed = speed_rounds(systems, texts, n_words, rounds, batch_size=256, warmup_docs=200)
    finally:
        for peer in systems.values():
            peer.close()
    runs = {n: {**json.loads((RUNS / n / "run" / "result.json").read_text()),
                **json.loads((RUNS / n / "made_by.json").read_text())} for n in names}
    rows = [[n, runs[n]["commit"], runs[n].get("optimize", "efficiency"),
             "CharacterEmbed" if runs[n]["embed"] == "char" else "-",
             f"{100 * runs[n]['tag_acc']:.2f}",
             f"{100 * runs[n]['ents_f']:.2f}", f"{speed[n]['words_per_sec']:,}",
             ", ".join(f"{x:,}" for x in speed[n]["rounds"])] for n in names]
    table = markdown_table(["run", "config from commit", "-o", "embed swap", "TAG", "ENTS F", "words/s (best)",
                            "rounds"], rows)
    md = (f"# `heron init config -p {PIPELINE}` on EWT (test)\n\n{table}\n\n"
          "Each config as `heron init config` wrote it at the commit shown (embed `char`: its trunk's embed "
          "swapped for heron.CharacterEmbed.v1), trained 3,000 steps on EWT train with one thread, "
          "model-best on EWT test; words/s: one process per run, one thread, nlp.pipe batch 256, rounds "
          "alternating.\n\nCommand: `.venv/bin/python bench/default_config.py compare "
          f"{' '.join(names)} --rounds {rounds}`\n")
    write_results("default_config", {"machine": machine_info(), "runs": runs, "speed": speed,
                                     "n_words": n_words}, md)


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    t = sub.add_parser("train")
    t.add_argument("name")
    t.add_argument("--embed", choices=["default", "char"], default="default")
    t.add_argument("--seed", type=int, default=0)
    t.add_argument("--optimize", choices=["efficiency", "accuracy"], default="efficiency")
    c = sub.add_parser("compare")
    c.add_argument("names", nargs="+")
    c.add_argument("--rounds", type=int, default=3)
    argv, overrides = split_overrides(argv)
    args = ap.parse_args(argv)
    if args.cmd == "train":
        print(json.dumps(train(args.name, args.embed, overrides, args.seed, args.optimize)))
    else:
        compare(args.names, args.rounds)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
