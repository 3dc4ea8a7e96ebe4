"""heron vs spaCy 3.8: shared-CNN tok2vec + tagger + ner trained on EWT (tags) + UNER (entities).

    .venv/bin/python bench/build_ewt_multitask.py            # corpus (once)
    .venv/bin/python bench/train_cnn.py [--spacy-train] [--skip-heron-train]

Both pipelines are spaCy's efficiency CNN (tok2vec width 96, depth 4, window 1, maxout 3;
NORM/PREFIX/SUFFIX/SHAPE hash embeddings; heads listen to the shared trunk), trained on
the same Docs (bench/configs/heron_tagger_ner_efficiency.cfg and
spacy_tagger_ner_efficiency.cfg, same max_steps/patience/eval_frequency, one thread,
raw-text training with alignment), model-best evaluated on test. Inference words/sec:
one CPU thread, one process per pipeline, nlp.pipe(batch_size=256) over the test texts,
rounds alternating heron / spaCy / en_core_web_sm (tok2vec+tagger+ner only), best round
kept; words = the gold word count (same numerator for every system). Peak RSS: ru_maxrss
of each training process and of each inference process. Also heron's shared trunk vs
independent trunks (replace_listeners on both heads, tok2vec removed) inference ratio.

Writes bench/results/cnn_benchmark.json and .md; trained pipelines under WORK/heron and
WORK/spacy (bench/_common's work folder, /tmp/heron-bench unless $HERON_BENCH_WORK).
`--write-config` regenerates heron's config from the init-config template.
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
    SM_EXCLUDE,
    SM_PACKAGE,
    WORK,
    ensure_ewt,
    machine_info,
    markdown_table,
    read_test_texts,
    require_data,
    shared_data,
    thread_env,
    write_results,
)
from _common.processes import HeronWorker, Peer, measured, pin_peer_threads, speed_rounds  # noqa: E402

HERON_CFG = CONFIGS / "heron_tagger_ner_efficiency.cfg"
SPACY_CFG = CONFIGS / "spacy_tagger_ner_efficiency.cfg"


# ---- training ------------------------------------------------------------------------
# What differs from `heron init config -p tok2vec,tagger,ner -o efficiency`: the step budget
# (both systems get the same; spaCy's own max_steps 20000 would take hours on 2 shared
# cores) and spaCy's tagger label smoothing, so the two configs match setting for setting.
HERON_OVERRIDES = {"training.max_steps": 3000, "training.patience": 1600,
                   "training.eval_frequency": 200, "components.tagger.label_smoothing": 0.05,
                   "training.score_weights.tag_acc": 0.5, "training.score_weights.ents_f": 0.5}


def write_heron_config() -> None:
    """(Re)write bench/configs/heron_tagger_ner_efficiency.cfg from the init-config template."""
    from confection import Config

    from heron.cli.init_config import Optimize, Options, _header, build_config
    from heron.config import config_to_str, fill_config
    from heron.util import atomic_write_text

    opts = Options("en", ["tok2vec", "tagger", "ner"], Optimize.efficiency, False, False)
    config = build_config(opts)
    for dotted, value in HERON_OVERRIDES.items():
        *path, key = dotted.split(".")
        node = config
        for part in path:
            node = node.setdefault(part, {})
        node[key] = value
    text = config_to_str(fill_config(Config(config, is_interpolated=False)))
    note = "# bench/train_cnn.py --write-config: init config + " + json.dumps(HERON_OVERRIDES) + "\n"
    atomic_write_text(HERON_CFG, _header(opts) + note + text)
    print(f"wrote {HERON_CFG}")


def train_heron(data: Path, out: Path) -> Dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "heron", "train", str(HERON_CFG), "-o", str(out / "model"),
           "--paths.train", str(data / "train.heron"), "--paths.dev", str(data / "dev.heron")]
    print("heron train:", " ".join(cmd), flush=True)
    stats = measured(cmd, out / "train.log")
    (out / "train_stats.json").write_text(json.dumps(stats, indent=2) + "\n")
    if stats["rc"] != 0:
        raise SystemExit(f"heron train failed (rc={stats['rc']}); see {stats['log']}")
    return stats


def train_spacy(data: Path, out: Path) -> Dict[str, Any]:
    steps = _training_settings(HERON_CFG)
    cmd = [str(PEERS_PYTHON), str(BENCH / "peers" / "spacy_train.py"), str(SPACY_CFG), str(data),
           str(out / "model"), "--max-steps", str(steps["max_steps"]), "--patience",
           str(steps["patience"]), "--eval-frequency", str(steps["eval_frequency"])]
    print("spacy train:", " ".join(cmd), flush=True)
    with open(out / "train.log", "w") as f:
        subprocess.check_call(cmd, stdout=f, stderr=subprocess.STDOUT, env=thread_env(1))
    return json.loads((out / "model" / "train_stats.json").read_text())


def _training_settings(path: Path) -> Dict[str, Any]:
    from heron.config import load_config

    training = load_config(path)["training"]
    return {k: training[k] for k in ("max_steps", "patience", "eval_frequency", "max_epochs")}


# ---- inference -------------------------------------------------------------------------
def start_systems(heron_model: Path, spacy_model: Path, with_sm: bool) -> Dict[str, Peer]:
    systems: Dict[str, Peer] = {}
    for name, independent in (("heron", False), ("heron_independent", True)):
        worker_ = HeronWorker()
        print(name, worker_.request(cmd="load", model=str(heron_model), independent=independent))
        systems[name] = worker_
    if PEERS_PYTHON.exists():
        pin_peer_threads(1)
        peer = Peer("spacy_cnn.py")
        print("spacy", peer.request(cmd="load", model=str(spacy_model)))
        systems["spacy"] = peer
        if with_sm:
            sm = Peer("spacy_cnn.py")
            print("en_core_web_sm", sm.request(cmd="load", model=SM_PACKAGE, exclude=SM_EXCLUDE))
            systems["en_core_web_sm"] = sm
    return systems


def _pct(x: Optional[float]) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def report(data: Dict[str, Any]) -> str:
    rows = []
    for name, label in (("heron", "heron (shared trunk)"), ("spacy", "spaCy 3.8 (same config)"),
                        ("en_core_web_sm", "en_core_web_sm 3.8 (tok2vec+tagger+ner)"),
                        ("heron_independent", "heron, independent trunks")):
        s = data["systems"].get(name)
        if s is None:
            continue
        train = s.get("train", {})
        rows.append([label, _pct(s.get("test", {}).get("tag_acc")), _pct(s.get("test", {}).get("ents_f")),
                     f"{train['train_wall_s']} ({train.get('train_cpu_s', '-')})" if train else "-",
                     f"{s['words_per_sec']:,}",
                     f"{train['train_peak_rss_mb']} / {s['peak_rss_mb']}" if train else f"- / {s['peak_rss_mb']}"])
    table = markdown_table(["system", "TAG acc", "ENTS F", "train wall s (CPU s)", "infer words/s",
                            "peak RSS MB (train / infer)"], rows)
    ratios = "\n".join(f"- {k}: {v}" for k, v in data["ratios"].items())
    notes = [f"- {name}: {s['train']['note']}" for name, s in data["systems"].items()
             if (s.get("train") or {}).get("note")]
    notes.append("- Training wall time depends on what else ran on the 2 shared cores; CPU seconds "
                 "(user + system of the training process) compare better.")
    ratios += "\n\nNotes:\n" + "\n".join(notes)
    return (f"# CNN pipeline benchmark: tok2vec + tagger + ner on EWT + UNER\n\n{table}\n\n{ratios}\n\n"
            f"Test: {data['test_docs']} docs, {data['test_words']:,} words. Training settings: "
            f"{json.dumps(data['training'])}. Inference: 1 process, 1 thread, CPU, batch 256, best of "
            f"{data['rounds']} alternating rounds.\n\nReproduce: `.venv/bin/python "
            f"bench/build_ewt_multitask.py && .venv/bin/python bench/train_cnn.py --spacy-train`\n\n"
            f"Machine: {json.dumps(data['machine'])}\n")


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=EWT)
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--spacy-train", action="store_true", help="(re)train spaCy (else reuse WORK/spacy)")
    ap.add_argument("--skip-heron-train", action="store_true", help="reuse WORK/heron/model")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-sm", action="store_true", help="skip en_core_web_sm")
    args = ap.parse_args(argv)
    require_data(shared_data("ud_en_ewt"), "train_cnn")
    ensure_ewt(args.data)
    heron_dir, spacy_dir = args.work / "heron", args.work / "spacy"
    heron_train = (json.loads((heron_dir / "train_stats.json").read_text()) if args.skip_heron_train
                   else train_heron(args.data, heron_dir))
    spacy_train = None
    if PEERS_PYTHON.exists():
        spacy_dir.mkdir(parents=True, exist_ok=True)
        stats = spacy_dir / "model" / "train_stats.json"
        spacy_train = train_spacy(args.data, spacy_dir) if args.spacy_train or not stats.exists() \
            else json.loads(stats.read_text())
    texts, n_words = read_test_texts(args.data)
    systems = start_systems(heron_dir / "model" / "model-best", spacy_dir / "model" / "model-best",
                            with_sm=not args.no_sm)
    try:
        results = speed_rounds(systems, texts, n_words, args.rounds, batch_size=256, warmup_docs=200)
        results["heron"]["test"] = systems["heron"].request(cmd="evaluate", path=str(args.data / "test.heron"),
                                                            batch_size=256)
        results["heron"]["train"] = heron_train
        if "spacy" in systems:
            results["spacy"]["test"] = systems["spacy"].request(cmd="evaluate", path=str(args.data / "test.spacy"))
            results["spacy"]["train"] = spacy_train
    finally:
        for peer in systems.values():
            peer.close()
    return finish(results, texts, n_words, args.rounds)


def finish(results: Dict[str, Any], texts: List[str], n_words: int, rounds: int) -> int:
    wps = {k: v["words_per_sec"] for k, v in results.items()}
    ratios = {"heron shared / independent trunks (words/s)": round(wps["heron"] / wps["heron_independent"], 2)}
    for peer in ("spacy", "en_core_web_sm"):
        if peer in wps:
            ratios[f"heron / {peer} (words/s)"] = round(wps["heron"] / wps[peer], 2)
    peer_versions = {}
    if PEERS_PYTHON.exists():
        peer_versions["spacy"] = subprocess.check_output(
            [str(PEERS_PYTHON), "-c", "import spacy; print(spacy.__version__)"], text=True).strip()
    data = {"systems": results, "ratios": ratios, "test_docs": len(texts), "test_words": n_words,
            "rounds": rounds, "training": _training_settings(HERON_CFG),
            "corpus": json.loads((RESULTS / "cnn_corpus.json").read_text())["splits"],
            "machine": machine_info(peer_versions)}
    write_results("cnn_benchmark", data, report(data))
    return 0


if __name__ == "__main__":
    if sys.argv[1:2] == ["--write-config"]:
        sys.exit(write_heron_config())
    sys.exit(main(sys.argv[1:]))
